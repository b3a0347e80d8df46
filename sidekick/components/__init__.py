"""Visual components, one module each, plus the base and ObservableValue.

Every component keeps the state its UI shows, so a new, reloaded or
reconnected UI is rebuilt from it (replay). What each keeps, and its bound:

============  ==============================================================
Label,        the current text / value / placeholder
Markdown,
Button,
Textbox
Row, Column   their place and their children's order
Grid          the color and text of every cell (bounded by the grid's size)
Canvas        per buffer (the screen is buffer 0), the drawing since it was
              last cleared or, for the screen, since the last ``buffer()``
              frame: at most ``canvas.MAX_REPLAY_COMMANDS`` (20,000) commands
Console       the last ``console.MAX_SCROLLBACK`` (200,000) characters and
              whether the input line is shown
Viz           per variable, its last full representation (at most
              ``_viz_repr.MAX_NODES`` nodes) plus at most ``viz.MAX_UPDATES``
              (256) updates, after which it is represented afresh
============  ==============================================================
"""

from typing import TYPE_CHECKING, Any, Dict, List

# Each component's module is imported when first used (PEP 562), so a script
# that shows one Label does not pay for Grid, Canvas, Viz and the rest.
_HOME: Dict[str, str] = {
    "Component": "base",
    "Button": "button",
    "Canvas": "canvas",
    "CanvasBuffer": "canvas_buffer",
    "Console": "console",
    "OutputCapture": "_capture",
    "ButtonClickEvent": "events",
    "CanvasClickEvent": "events",
    "ConsoleSubmitEvent": "events",
    "ErrorEvent": "events",
    "GridClickEvent": "events",
    "TextboxSubmitEvent": "events",
    "Grid": "grid",
    "Label": "label",
    "Column": "layout",
    "Row": "layout",
    "Markdown": "markdown",
    "ObservableValue": "observable",
    "Textbox": "textbox",
    "Viz": "viz",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_HOME))


if TYPE_CHECKING:
    from ._capture import OutputCapture
    from .base import Component
    from .button import Button
    from .canvas import Canvas
    from .canvas_buffer import CanvasBuffer
    from .console import Console
    from .events import (
        ButtonClickEvent,
        CanvasClickEvent,
        ConsoleSubmitEvent,
        ErrorEvent,
        GridClickEvent,
        TextboxSubmitEvent,
    )
    from .grid import Grid
    from .label import Label
    from .layout import Column, Row
    from .markdown import Markdown
    from .observable import ObservableValue
    from .textbox import Textbox
    from .viz import Viz

__all__ = [
    "Component",
    "Label",
    "Markdown",
    "Button",
    "Textbox",
    "Console",
    "OutputCapture",
    "Grid",
    "Canvas",
    "CanvasBuffer",
    "Row",
    "Column",
    "Viz",
    "ObservableValue",
    "ButtonClickEvent",
    "GridClickEvent",
    "CanvasClickEvent",
    "TextboxSubmitEvent",
    "ConsoleSubmitEvent",
    "ErrorEvent",
]
