"""Label: a line of text."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from .base import Component
from .events import ErrorEvent

__all__ = ["Label"]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class Label(Component):
    """Shows ``text``; assign ``label.text`` to change it."""

    component_type = "label"

    def __init__(
        self,
        text: Any = "",
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        self._text = _text(text)
        self._spawn()

    @property
    def text(self) -> str:
        """The text shown."""
        return self._text

    @text.setter
    def text(self, value: Any) -> None:
        value = _text(value)

        def apply() -> None:
            self._text = value

        self._emit(self._update("setText", {"text": value}), apply)

    def _spawn_payload(self) -> Dict[str, Any]:
        return {"text": self._text}
