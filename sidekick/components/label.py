"""Label: a line of text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from ._text import TextComponent
from .base import Component

if TYPE_CHECKING:  # events load with the first event, not with the import
    from .events import ErrorEvent

__all__ = ["Label"]


class Label(TextComponent):
    """Shows ``text``; assign ``label.text`` to change it.

    Replay state: the current text.
    """

    component_type = "label"

    def __init__(
        self,
        text: Any = "",
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(text, instance_id, parent, on_error)
        self._spawn()
