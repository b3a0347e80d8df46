"""Button: a clickable button with a text."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from ._text import TextComponent
from .base import Component, check_callback
from .events import ButtonClickEvent, ErrorEvent

__all__ = ["Button"]


class Button(TextComponent):
    """A button; ``on_click`` (or ``@button.click``) is called with a :class:`ButtonClickEvent`."""

    component_type = "button"

    def __init__(
        self,
        text: Any = "",
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_click: Optional[Callable[[ButtonClickEvent], Any]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(text, instance_id, parent, on_error)
        self._on_click = check_callback(on_click, "on_click")
        self._spawn()

    def on_click(self, callback: Optional[Callable[[ButtonClickEvent], Any]]) -> None:
        """Set (or with None, clear) the function called on each click."""
        self._on_click = check_callback(callback, "on_click")

    def click(
        self, callback: Callable[[ButtonClickEvent], Any]
    ) -> Callable[[ButtonClickEvent], Any]:
        """Decorator form of :meth:`on_click`."""
        self.on_click(callback)
        return callback

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        callback = self._on_click
        if payload.get("event") == "click" and callback is not None:
            return callback(ButtonClickEvent(self.instance_id, "click"))
        return None
