"""The shared shape of components whose state is one ``text`` (Label, Markdown, Button)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

from ._values import to_text
from .base import Component

if TYPE_CHECKING:  # events load with the first event, not with the import
    from .events import ErrorEvent

__all__ = ["TextComponent"]


class TextComponent(Component):
    """A component showing ``text``; assigning ``.text`` updates the UI (``setText``).

    Replay state: the current text. Subclasses call ``self._spawn()`` once set up.
    """

    def __init__(
        self,
        text: Any,
        instance_id: Optional[str],
        parent: Optional[Union[Component, str]],
        on_error: Optional[Callable[[ErrorEvent], Any]],
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        self._text = to_text(text)

    @property
    def text(self) -> str:
        """The text shown."""
        return self._text

    @text.setter
    def text(self, value: Any) -> None:
        value = to_text(value)

        def apply() -> None:
            self._text = value

        self._emit(self._update_str("setText", "text", value), apply)

    def _spawn_payload(self) -> Dict[str, Any]:
        return {"text": self._text}
