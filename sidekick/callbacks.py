"""Running user callbacks off the I/O loop, in order, with visible errors.

In CPython one daemon thread runs every callback in the order events arrived,
so a slow callback never stalls network I/O. In Pyodide callbacks run on the
page loop. A raising callback prints its traceback to stderr, like an uncaught
exception in a thread, and the next callback still runs. ``async def``
callbacks are scheduled on the library loop and their errors reported alike.
"""

from __future__ import annotations

import inspect
import os
import queue
import sys
import threading
import time
import traceback
from typing import Any, Callable, Optional

from .task_manager import TaskManager

__all__ = ["CallbackRunner", "report_callback_error", "in_callback_thread"]

_local = threading.local()


def report_callback_error(what: str, exc: BaseException) -> None:
    """Print a callback's exception the way Python prints a thread's."""
    try:
        sys.stderr.write(f"Exception in sidekick {what}:\n")
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        sys.stderr.flush()
    except Exception:  # stderr gone at interpreter exit: nowhere left to report
        pass


def in_callback_thread() -> bool:
    """True while running inside a sidekick callback (where blocking would deadlock)."""
    return bool(getattr(_local, "active", False))


# sched_yield releases the GIL for the syscall; Windows has no sched_yield,
# and sleep(0) does the same there.
_yield = getattr(os, "sched_yield", None) or (lambda: time.sleep(0))


class CallbackRunner:
    """Runs callbacks in arrival order on one thread (or the page loop)."""

    def __init__(self, task_manager: TaskManager) -> None:
        self._tm = task_manager
        self._queue: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        # Counts, not a flag, so neither thread needs a lock: the runner is
        # idle when it has finished all it was given (a race costs one yield).
        self._submitted = 0
        self._finished = 0

    def submit(self, fn: Callable[..., Any], *args: Any, what: str = "callback") -> None:
        if not self._tm.uses_threads:
            self._tm.call_soon(self._call, fn, args, what)
            return
        if self._thread is None:
            self._start()
        idle = self._finished >= self._submitted
        self._submitted += 1
        self._queue.put((fn, args, what))
        if idle:
            # Let the runner we just woke take the GIL now, while this thread
            # (the I/O loop) is in the syscall: otherwise it waits for the
            # loop to go back to select, then wakes a second time: a click's
            # answer left ~25 µs later (measured with the latency benchmark).
            _yield()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(
                    target=self._worker, name="sidekick-callbacks", daemon=True
                )
                thread.start()
                self._thread = thread

    def _worker(self) -> None:
        _local.active = True
        while True:  # a daemon thread: it ends with the interpreter
            fn, args, what = self._queue.get()
            self._call(fn, args, what)
            self._finished += 1

    def _call(self, fn: Callable[..., Any], args: tuple, what: str) -> None:
        try:
            result = fn(*args)
            if inspect.isawaitable(result):
                self._await(result, what)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                # sys.exit() in a callback means "stop the program", as in the main thread.
                from . import lifecycle

                lifecycle._exit_from_callback(exc)
                return
            report_callback_error(what, exc)

    def _await(self, awaitable: Any, what: str) -> None:
        async def run() -> None:
            try:
                await awaitable
            except Exception as exc:
                report_callback_error(what, exc)

        self._tm.submit(run())
