"""Console: scrolling text output, an optional input line, ``input()`` and capture."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional, Union

from .. import protocol
from .._env import IN_PYODIDE
from ..callbacks import in_callback_thread
from ..errors import SidekickError
from ..service import FAILED, SHUTDOWN
from ._capture import OutputCapture
from ._values import event_text, to_text
from .base import Component, check_callback
from .events import ConsoleSubmitEvent, ErrorEvent

__all__ = ["Console", "OutputCapture", "MAX_SCROLLBACK"]

#: Replay keeps the last this many characters of output (like a terminal's
#: scrollback). An open UI keeps as many (webui console.ts trims its oldest
#: output once half as much again has arrived), so printing forever grows neither.
MAX_SCROLLBACK = 200_000

#: Lines submitted while nobody waits in :meth:`Console.input` are kept for the
#: next call, up to this many (once ``input()`` has been used at all).
MAX_TYPEAHEAD = 100


def _sep(value: Any, what: str, default: str) -> str:
    if value is None:
        return default
    if isinstance(value, str):
        return value
    raise TypeError(f"{what} must be None or a string, not {type(value).__name__}")


class Console(Component):
    """A text console: :meth:`print` to it, read lines with :meth:`input`.

    With ``show_input=True`` it has an input line; each submitted line calls
    ``on_submit`` (or the ``@console.submit`` function) with a
    :class:`ConsoleSubmitEvent`. :meth:`capture` mirrors the program's own
    output into the console.

    Replay state: the last :data:`MAX_SCROLLBACK` characters of output and
    whether the input line is shown.
    """

    component_type = "console"

    def __init__(
        self,
        text: Any = "",
        show_input: bool = False,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_submit: Optional[Callable[[ConsoleSubmitEvent], Any]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        text = to_text(text)
        self._show_input = bool(show_input)
        self._chunks: List[str] = [text] if text else []
        self._size = len(text)
        self._on_submit = check_callback(on_submit, "on_submit")
        self._lines: Deque[str] = deque(maxlen=MAX_TYPEAHEAD)
        self._lines_cond = threading.Condition(threading.Lock())
        self._input_used = False
        self._spawn()

    @property
    def show_input(self) -> bool:
        """Whether the console has an input line (:meth:`input` turns it on)."""
        return self._show_input

    @property
    def text(self) -> str:
        """The output kept for replay (at most the last :data:`MAX_SCROLLBACK` characters)."""
        with self._service.lock:
            return self._scrollback()

    # ----------------------------------------------------------------- output

    def print(self, *args: Any, sep: Optional[str] = " ", end: Optional[str] = "\n") -> None:
        """Print ``args`` to the console, like the builtin :func:`print`."""
        text = _sep(sep, "sep", " ").join(map(str, args)) + _sep(end, "end", "\n")
        if text:
            self._append(text)

    def clear(self) -> None:
        """Erase the console's output."""

        def apply() -> None:
            self._chunks = []
            self._size = 0

        self._emit(self._update("clear"), apply)

    def _append(self, text: str, activate: bool = True) -> None:
        message = self._update_str("append", "text", text)

        def apply() -> None:
            self._chunks.append(text)
            self._size += len(text)
            if self._size > 2 * MAX_SCROLLBACK:
                kept = self._scrollback()
                self._chunks = [kept]
                self._size = len(kept)

        self._emit(message, apply, activate)

    def _scrollback(self) -> str:
        text = "".join(self._chunks)
        if len(text) > MAX_SCROLLBACK:
            text = text[-MAX_SCROLLBACK:]
            newline = text.find("\n", 0, 200)
            if newline >= 0:  # start at a line boundary when one is near
                text = text[newline + 1 :]
        return text

    # ------------------------------------------------------------------ input

    def input(self, prompt: Any = "") -> str:
        """Show ``prompt``, wait for the user to submit a line, and return it.

        Like the builtin :func:`input`: it blocks the calling thread, and the
        line (without a newline) is echoed after the prompt. It turns on the
        input line when the console was made without one. It raises
        :class:`~sidekick.SidekickError` where waiting would deadlock (inside
        a sidekick callback, where ``on_submit`` is the way), and ``EOFError``
        when sidekick shuts down while waiting. In Pyodide it works where the
        page has JavaScript Promise Integration (a script's top level in
        recent Chromium) and raises ``SidekickError`` elsewhere.
        """
        if IN_PYODIDE:
            from ..transport.pyodide import block_on, can_block

            # A script's top level can wait with JSPI (e.g. the playground in
            # Chromium); a callback, or a Pyodide without JSPI, cannot.
            if not can_block():
                raise SidekickError(
                    "Console.input() cannot block here in Pyodide; use on_submit "
                    "(or @console.submit)"
                )
            return block_on(lambda: self._input_async(prompt))
        svc = self._service
        if in_callback_thread() or (svc._tm.uses_threads and svc._tm.in_loop_thread()):
            raise SidekickError(
                "Console.input() cannot be called from a sidekick callback: the line it waits "
                "for is delivered by that same thread. Use on_submit, or call input() from the "
                "main program or another thread."
            )
        self._start_input(prompt)
        with self._lines_cond:
            while not self._lines:
                self._check_waiting()
                self._lines_cond.wait(0.25)
            line = self._lines.popleft()
        self._append(line + "\n")
        return line

    async def _input_async(self, prompt: Any) -> str:
        """:meth:`input` on the page loop (Pyodide): poll for the submitted line."""
        import asyncio

        self._start_input(prompt)
        while True:
            with self._lines_cond:
                if self._lines:
                    line = self._lines.popleft()
                    break
                self._check_waiting()
            await asyncio.sleep(0.02)
        self._append(line + "\n")
        return line

    def _start_input(self, prompt: Any) -> None:
        """What every ``input()`` does first: show the input line and the prompt."""
        self._check_alive()
        prompt = to_text(prompt)
        with self._lines_cond:
            self._input_used = True
        self._ensure_input_shown()
        if prompt:
            self._append(prompt)

    def _check_waiting(self) -> None:
        """Raise when a waiting ``input()`` can never get a line (under ``_lines_cond``)."""
        if self._removed:
            raise self._removed_error()
        state = self._service.state
        if state is SHUTDOWN or state is FAILED:
            raise EOFError("sidekick shut down while Console.input() was waiting")

    def _ensure_input_shown(self) -> None:
        """Turn the input line on by re-creating the console in the same place."""
        svc = self._service
        svc.touch()
        with svc.lock:
            if self._removed:
                raise self._removed_error()
            if self._show_input:
                return
            self._show_input = True
            texts = [
                protocol.encode(protocol.remove(self.component_type, self.instance_id)),
                protocol.encode(self._spawn_message()),
            ]
            following = self._next_sibling()
            if following is not None:
                texts.append(
                    self._update(
                        "changeParent",
                        {"parent": self._parent_id or "root", "insertBefore": following},
                    )
                )
            wake = False
            for text in texts:
                wake = svc.enqueue_locked(text) or wake
        if wake:
            svc.wake()

    def _next_sibling(self) -> Optional[str]:
        components = self._service.components
        if self._parent_id is not None:
            parent = components.get(self._parent_id)
            siblings: List[str] = list(parent._children) if parent is not None else []
        else:
            siblings = [cid for cid, c in components.items() if c._parent_id is None]
        try:
            index = siblings.index(self.instance_id)
        except ValueError:
            return None
        return siblings[index + 1] if index + 1 < len(siblings) else None

    # ---------------------------------------------------------------- capture

    def capture(
        self, stdout: bool = True, stderr: bool = True, logging: bool = False
    ) -> OutputCapture:
        """Mirror what the program prints (and, with ``logging=True``, log records) here.

        Output still reaches the terminal. Works as a context manager::

            with console.capture():
                print("shown in the terminal and in the console")

        or, called on its own, lasts until ``.stop()`` or the end of the run.
        Safe from any thread; it never fails the program, also when no UI is
        attached (the text is kept for when one arrives).
        """
        self._check_alive()
        svc = self._service

        def sink(text: str) -> bool:
            if self._removed:
                return False
            # Captured output never (re)starts a connection after shutdown.
            self._append(text, activate=svc.state is not SHUTDOWN)
            return True

        return OutputCapture(sink, bool(stdout), bool(stderr), bool(logging))

    # ----------------------------------------------------------------- events

    def on_submit(self, callback: Optional[Callable[[ConsoleSubmitEvent], Any]]) -> None:
        """Set (or with None, clear) the function called with each submitted line."""
        self._on_submit = check_callback(callback, "on_submit")

    def submit(
        self, callback: Callable[[ConsoleSubmitEvent], Any]
    ) -> Callable[[ConsoleSubmitEvent], Any]:
        """Decorator form of :meth:`on_submit`."""
        self.on_submit(callback)
        return callback

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        if payload.get("event") != "submit":
            return None
        value = event_text(payload.get("value"))
        with self._lines_cond:
            if self._input_used:
                self._lines.append(value)
                self._lines_cond.notify()
        callback = self._on_submit
        if callback is None:
            return None
        return callback(ConsoleSubmitEvent(self.instance_id, "submit", value))

    def _mark_removed(self) -> None:
        super()._mark_removed()
        with self._lines_cond:
            self._lines_cond.notify_all()

    # ----------------------------------------------------------------- replay

    def _spawn_payload(self) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"showInput": self._show_input}
        text = self._scrollback()
        if text:
            payload["text"] = text
        return payload
