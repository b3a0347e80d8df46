"""Mirroring ``sys.stdout``/``sys.stderr`` and log records into a Console.

A capture replaces the streams with tee objects that write to the original
stream first, then append the same text to the console. A thread-local flag
marks "inside a tee's console append", so anything the library itself writes
while appending (a warning, a traceback) goes to the terminal only and can
never recurse. A failing append never reaches the program: the terminal
output is what matters, the console copy is best effort.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, List, Optional, TextIO

if TYPE_CHECKING:
    from ._log_capture import LogHandler

__all__ = ["OutputCapture"]

_guard = threading.local()

Sink = Callable[[str], bool]  # returns False when the console is gone


def _busy() -> bool:
    return bool(getattr(_guard, "busy", False))


def _deliver(sink: Sink, text: str) -> bool:
    """Call ``sink`` with the reentrancy guard set; False if it is done for good."""
    _guard.busy = True
    try:
        return sink(text)
    except Exception:
        return True  # e.g. text JSON cannot carry: drop this piece only
    finally:
        _guard.busy = False


class _Tee:
    """A text stream that writes to ``original`` and mirrors into a console."""

    def __init__(self, original: Optional[TextIO], sink: Sink) -> None:
        self._original = original
        self._sink = sink
        self._active = True

    def write(self, text: str) -> int:
        original = self._original
        result = original.write(text) if original is not None else None
        if (
            self._active
            and text
            and type(text) is str
            and not _busy()
            and not _deliver(self._sink, text)
        ):
            self._active = False
        return result if isinstance(result, int) else len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._original is not None:
            self._original.flush()

    def __getattr__(self, name: str) -> Any:
        # encoding, errors, fileno(), isatty(), buffer, ... come from the real stream.
        return getattr(self._original, name)


def _real_stream(stream: Any) -> Any:
    while isinstance(stream, _Tee):
        stream = stream._original
    return stream


class OutputCapture:
    """A running capture (see :meth:`Console.capture`).

    Use it as a context manager, or call :meth:`stop` to end it; otherwise it
    lasts for the rest of the run.
    """

    def __init__(self, sink: Sink, stdout: bool, stderr: bool, log: bool) -> None:
        self._lock = threading.Lock()
        self._tees: List[tuple] = []
        self._handler: Optional[LogHandler] = None
        if stdout:
            tee = _Tee(sys.stdout, sink)
            sys.stdout = tee
            self._tees.append(("stdout", tee))
        if stderr:
            tee = _Tee(sys.stderr, sink)
            sys.stderr = tee
            self._tees.append(("stderr", tee))
        if log:
            # Only now: `import logging` is ~8 ms that most programs never need.
            import logging

            from ._log_capture import LogHandler

            self._handler = LogHandler(sink)
            logging.getLogger().addHandler(self._handler)

    @property
    def active(self) -> bool:
        """True until :meth:`stop`."""
        return bool(self._tees) or self._handler is not None

    def stop(self) -> None:
        """Stop mirroring; the streams write only to the terminal again. Idempotent."""
        with self._lock:
            tees, self._tees = self._tees, []
            handler, self._handler = self._handler, None
        for name, tee in tees:
            tee._active = False
            # Unwrap only if nobody wrapped the stream after us; otherwise the
            # inactive tee just passes writes through.
            if getattr(sys, name) is tee:
                setattr(sys, name, tee._original)
        if handler is not None:
            import logging

            handler._active = False
            logging.getLogger().removeHandler(handler)

    def __enter__(self) -> OutputCapture:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
