"""Markdown: formatted text (rendered by the UI, never as raw HTML)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from ._values import to_text
from .base import Component
from .events import ErrorEvent

__all__ = ["Markdown"]


class Markdown(Component):
    """Shows ``text`` as Markdown; assign ``markdown.text`` to change it.

    Replay state: the current text.
    """

    component_type = "markdown"

    def __init__(
        self,
        text: Any = "",
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        self._text = to_text(text)
        self._spawn()

    @property
    def text(self) -> str:
        """The Markdown source shown."""
        return self._text

    @text.setter
    def text(self, value: Any) -> None:
        value = to_text(value)

        def apply() -> None:
            self._text = value

        self._emit(self._update("setText", {"text": value}), apply)

    def _spawn_payload(self) -> Dict[str, Any]:
        return {"text": self._text}
