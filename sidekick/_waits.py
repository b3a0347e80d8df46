"""Blocking waits and the exit flush of the connection service.

Kept apart from :mod:`sidekick.service` (the send path and the I/O loop): these
are the calls a script's own thread blocks in, and what runs at interpreter
exit. :class:`Waits` is mixed into ``ConnectionService``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, Callable, List, Optional

from ._log import logger
from .callbacks import in_callback_thread
from .connector import ServerConnector
from .errors import SidekickError, SidekickTimeoutError
from .task_manager import TaskManager

__all__ = ["Waits", "IDLE", "ACTIVATING", "ACTIVE", "FAILED", "SHUTDOWN"]


#: The service's states (see the state diagram in :mod:`sidekick.service`).
IDLE = "idle"
ACTIVATING = "activating"
ACTIVE = "active"
FAILED = "failed"
SHUTDOWN = "shutdown"


class Waits:
    """What blocks: flush, wait_for_connection, run_forever, and the exit flush."""

    # Provided by ConnectionService.
    lock: threading.RLock
    _changed: threading.Condition
    _tm: TaskManager
    state: str
    connector: ServerConnector
    _failure: Optional[BaseException]
    _failure_seen: bool
    _forwarding: bool
    _stopping: bool
    _exit_code: Optional[int]
    _enqueued: int
    _sent: int
    _async_waiters: List[Any]
    _atexit_registered: bool

    def activate(self) -> None:
        raise NotImplementedError

    def shutdown(self, wait: bool = False, timeout: float = 2.0) -> None:
        raise NotImplementedError

    def _wait_locked(self, done: Callable[[], bool], timeout: Optional[float]) -> bool:
        """Wait (holding ``_changed``) until ``done()``; False when ``timeout`` s pass first.

        Every state change notifies ``_changed``; the short poll only keeps
        Ctrl+C prompt on the waiting thread.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._changed.wait(0.25 if remaining is None else min(remaining, 0.25))
        return True

    def flush(self, timeout: Optional[float] = None) -> None:
        """Block until every message queued so far has been written to the transport."""
        _check_timeout(timeout)
        if not self._tm.uses_threads or self._tm.in_loop_thread():
            raise SidekickError("flush() would block the event loop; it is for threads only")
        with self._changed:
            target = self._enqueued
            if not self._wait_locked(lambda: self._sent >= target, timeout):
                raise SidekickTimeoutError(
                    f"flush did not finish within {timeout} s", timeout_seconds=timeout
                )

    # ------------------------------------------------------- blocking waits

    def wait_for_connection(self, timeout: Optional[float] = None) -> None:
        """Block until a UI is attached; raise on failure or timeout."""
        _check_timeout(timeout)
        if not self._tm.uses_threads:
            raise SidekickError(
                "wait_for_connection() cannot block in Pyodide; use run_forever_async()"
            )
        if in_callback_thread():
            raise SidekickError("wait_for_connection() cannot be called from a sidekick callback")
        self.activate()
        with self._changed:
            # ACTIVE too, as is_connected() has it: the first contact has the
            # UI's attention before the loop runs (see service._first_contact).
            self._wait_locked(lambda: self._attached() or self.state in (FAILED, SHUTDOWN), timeout)
            if self._attached():
                return
            self._raise_failure_locked()
            if self.state == SHUTDOWN:
                raise SidekickError("sidekick was shut down while waiting for a connection")
            raise SidekickTimeoutError(
                f"no Sidekick UI connected within {timeout} s", timeout_seconds=timeout
            )

    def _attached(self) -> bool:
        return self._forwarding and self.state == ACTIVE

    def _raise_failure_locked(self) -> None:
        if self.state == FAILED and self._failure is not None:
            self._failure_seen = True
            raise self._failure

    def run_forever(self) -> None:
        """Serve events until :meth:`shutdown` or Ctrl+C (exit status 130)."""
        if not self._tm.uses_threads:
            from .transport.pyodide import block_on, can_block

            # With JSPI a script's top level may block; otherwise say what works.
            if not can_block():
                raise SidekickError(
                    "run_forever() cannot block here (this Pyodide has no JavaScript Promise "
                    "Integration); use `await sidekick.run_forever_async()`"
                )
            block_on(self.run_forever_async)
            # No SystemExit here even after sys.exit() in a callback: in
            # Pyodide it would tear down the whole runtime, not one script.
            return
        if in_callback_thread():
            raise SidekickError("run_forever() cannot be called from a sidekick callback")
        if self.state == IDLE:  # after shutdown() there is nothing left to serve
            self.activate()
        try:
            with self._changed:
                self._wait_locked(lambda: self._stopping or self.state in (FAILED, SHUTDOWN), None)
                self._raise_failure_locked()
        except KeyboardInterrupt:
            self.shutdown(wait=True, timeout=0.5)
            raise SystemExit(130) from None
        code = self._exit_code
        if code is not None:
            raise SystemExit(code)

    async def run_forever_async(self) -> None:
        """Like :meth:`run_forever`, awaitable from any event loop (incl. Pyodide's)."""
        import asyncio

        if self.state == IDLE:
            self.activate()
        loop = asyncio.get_running_loop()
        while True:
            with self._changed:
                if self.state == FAILED and self._failure is not None:
                    self._failure_seen = True
                    raise self._failure
                if self._stopping or self.state == SHUTDOWN:
                    return
                future = loop.create_future()
                self._async_waiters.append((loop, future))
            try:
                await future
            except asyncio.CancelledError:
                self.shutdown()
                raise

    def _release_async_waiters(self) -> None:
        with self.lock:
            waiters, self._async_waiters = self._async_waiters, []
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, future)
            except RuntimeError:  # that loop is closed: nobody is left awaiting
                pass

    # ------------------------------------------------------------- exit flush

    def _register_atexit(self) -> None:
        if self._atexit_registered or not self._tm.uses_threads:
            return
        import atexit

        atexit.register(self._at_exit)
        self._atexit_registered = True

    def _at_exit(self) -> None:
        """Deliver what the script sent before the interpreter goes (bounded)."""
        if self.state in (IDLE, SHUTDOWN):
            return
        try:
            with self._changed:
                self._wait_locked(lambda: self.state != ACTIVATING, 3.0)
                if self.state == ACTIVE and not self._forwarding:
                    endpoint = self.connector.endpoint
                    # A browser we just opened needs a moment to load the page.
                    grace = 8.0 if endpoint is not None and endpoint.opened_browser else 0.5
                    self._wait_locked(lambda: self._forwarding, grace)
            if self._forwarding:
                try:
                    self.flush(timeout=2.0)
                except SidekickError:
                    logger.warning("sidekick: could not deliver everything to the UI before exit")
            failed = self.state == FAILED and not self._failure_seen
            self.shutdown(wait=True, timeout=1.0)
        except KeyboardInterrupt:
            return
        if failed:
            # The script could not show anything and never learned why from an
            # exception: do not let it look like success.
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(1)


def _check_timeout(timeout: Any) -> None:
    # `not timeout >= 0` also refuses NaN (else: silently ignored, or an obscure
    # error from deep inside threading once the wait has to sleep).
    if timeout is not None and (not isinstance(timeout, (int, float)) or not timeout >= 0):
        raise ValueError(f"timeout must be a non-negative number or None, not {timeout!r}")


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)
