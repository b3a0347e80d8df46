"""sidekick: turn a plain Python script into a live, interactive picture.

    import sidekick
    grid = sidekick.Grid(5, 5)

    @grid.click
    def clicked(event):
        grid.set_color(event.x, event.y, "tomato")

    sidekick.run_forever()

Components appear in a browser tab (or the Sidekick panel of VS Code); clicks
and text come back to your callbacks. Every call is safe from any thread.
"""

from typing import TYPE_CHECKING, Any, List

from ._version import __version__
from .errors import (
    SidekickConnectionError,
    SidekickConnectionRefusedError,
    SidekickDisconnectedError,
    SidekickError,
    SidekickTimeoutError,
)
from .lifecycle import (
    activate_connection,
    clear_all,
    flush,
    is_connected,
    register_global_message_handler,
    run_forever,
    run_forever_async,
    set_url,
    shutdown,
    submit_interval,
    submit_task,
    wait_for_connection,
)


def __getattr__(name: str) -> Any:
    if name == "logger":
        # The library's logger (``logging.getLogger("sidekick")``). Warnings
        # reach stderr without any configuration (Python's last-resort
        # handler) and follow yours when you configure logging. Looked up
        # here so that `import sidekick` need not import logging (see _log).
        from ._log import real

        value = real()
        globals()[name] = value
        return value
    # Components load on first use (see sidekick.components): a light import.
    if name in __all__:
        from . import components

        value = getattr(components, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    import logging

    from .components import (
        Button,
        ButtonClickEvent,
        Canvas,
        CanvasClickEvent,
        Column,
        Component,
        Console,
        ConsoleSubmitEvent,
        ErrorEvent,
        Grid,
        GridClickEvent,
        Label,
        Markdown,
        ObservableValue,
        Row,
        Textbox,
        TextboxSubmitEvent,
        Viz,
    )

    logger: logging.Logger

__all__ = [
    "__version__",
    "logger",
    "set_url",
    "activate_connection",
    "wait_for_connection",
    "run_forever",
    "run_forever_async",
    "shutdown",
    "clear_all",
    "submit_task",
    "submit_interval",
    "register_global_message_handler",
    "is_connected",
    "flush",
    "Component",
    "Label",
    "Markdown",
    "Button",
    "Textbox",
    "Console",
    "Grid",
    "Canvas",
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
    "SidekickError",
    "SidekickConnectionError",
    "SidekickConnectionRefusedError",
    "SidekickTimeoutError",
    "SidekickDisconnectedError",
]
