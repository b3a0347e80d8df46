"""Visual components, one module each, plus the base and ObservableValue."""

from .base import Component
from .button import Button
from .events import (
    ButtonClickEvent,
    CanvasClickEvent,
    ConsoleSubmitEvent,
    ErrorEvent,
    GridClickEvent,
    TextboxSubmitEvent,
)
from .label import Label

__all__ = [
    "Component",
    "Label",
    "Button",
    "ButtonClickEvent",
    "GridClickEvent",
    "CanvasClickEvent",
    "TextboxSubmitEvent",
    "ConsoleSubmitEvent",
    "ErrorEvent",
]
