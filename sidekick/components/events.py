"""Event objects handed to callbacks (the names and fields of sidekick-py 0.0.7)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BaseSidekickEvent",
    "ButtonClickEvent",
    "GridClickEvent",
    "CanvasClickEvent",
    "TextboxSubmitEvent",
    "ConsoleSubmitEvent",
    "ErrorEvent",
]


@dataclass(frozen=True)
class BaseSidekickEvent:
    """What every event carries: the component's ``instance_id`` and the event ``type``."""

    instance_id: str
    type: str


@dataclass(frozen=True)
class ButtonClickEvent(BaseSidekickEvent):
    """A button was clicked (``type == "click"``)."""


@dataclass(frozen=True)
class GridClickEvent(BaseSidekickEvent):
    """A grid cell was clicked: ``x`` is the column, ``y`` the row (from 0)."""

    x: int
    y: int


@dataclass(frozen=True)
class CanvasClickEvent(BaseSidekickEvent):
    """The canvas was clicked at pixel ``(x, y)`` from its top-left corner."""

    x: int
    y: int


@dataclass(frozen=True)
class TextboxSubmitEvent(BaseSidekickEvent):
    """The user submitted ``value`` in a textbox."""

    value: str


@dataclass(frozen=True)
class ConsoleSubmitEvent(BaseSidekickEvent):
    """The user submitted a line ``value`` in a console."""

    value: str


@dataclass(frozen=True)
class ErrorEvent(BaseSidekickEvent):
    """The UI could not apply a command to this component: ``message`` says why."""

    message: str
