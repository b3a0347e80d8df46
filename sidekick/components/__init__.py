"""Visual components, one module each, plus the base and ObservableValue."""

from .base import Component
from .button import Button
from .canvas import Canvas, CanvasBuffer
from .console import Console, OutputCapture
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
