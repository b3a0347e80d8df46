"""Textbox: a one-line text input that sends what the user submits."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from ._values import event_text, to_text
from .base import Component, check_callback
from .events import ErrorEvent, TextboxSubmitEvent

__all__ = ["Textbox"]


class Textbox(Component):
    """A text input; ``on_submit`` (or ``@textbox.submit``) gets a :class:`TextboxSubmitEvent`.

    :attr:`value` follows what the user submits, and assigning it changes the
    text in the UI. Replay state: the current value and placeholder.
    """

    component_type = "textbox"

    def __init__(
        self,
        value: Any = "",
        placeholder: Any = "",
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_submit: Optional[Callable[[TextboxSubmitEvent], Any]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        self._value = to_text(value)
        self._placeholder = to_text(placeholder)
        self._on_submit = check_callback(on_submit, "on_submit")
        self._spawn()

    @property
    def value(self) -> str:
        """The text in the box: the last one set here or submitted by the user."""
        return self._value

    @value.setter
    def value(self, value: Any) -> None:
        value = to_text(value)

        def apply() -> None:
            self._value = value

        self._emit(self._update_str("setValue", "value", value), apply)

    @property
    def placeholder(self) -> str:
        """The hint shown while the box is empty."""
        return self._placeholder

    @placeholder.setter
    def placeholder(self, value: Any) -> None:
        value = to_text(value)

        def apply() -> None:
            self._placeholder = value

        self._emit(self._update_str("setPlaceholder", "placeholder", value), apply)

    def on_submit(self, callback: Optional[Callable[[TextboxSubmitEvent], Any]]) -> None:
        """Set (or with None, clear) the function called with each submission."""
        self._on_submit = check_callback(callback, "on_submit")

    def submit(
        self, callback: Callable[[TextboxSubmitEvent], Any]
    ) -> Callable[[TextboxSubmitEvent], Any]:
        """Decorator form of :meth:`on_submit`."""
        self.on_submit(callback)
        return callback

    def _spawn_payload(self) -> Dict[str, Any]:
        payload: Dict[str, Any] = {}
        if self._value:
            payload["value"] = self._value
        if self._placeholder:
            payload["placeholder"] = self._placeholder
        return payload

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        if payload.get("event") != "submit":
            return None
        value = event_text(payload.get("value"))
        with self._service.lock:
            self._value = value
        callback = self._on_submit
        if callback is None:
            return None
        return callback(TextboxSubmitEvent(self.instance_id, "submit", value))
