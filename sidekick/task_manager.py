"""Task managers: where the library's asyncio loop runs.

* :class:`CPythonTaskManager` owns a private loop on a daemon thread, started
  lazily on first use; it can be stopped and started again in one process.
* :class:`PyodideTaskManager` uses the page's running loop and starts no
  threads (Pyodide cannot).

Both offer the same small interface, so the connection service never asks
where it runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Callable, Coroutine, Optional, Union

__all__ = ["TaskManager", "CPythonTaskManager", "PyodideTaskManager", "TaskHandle"]

TaskHandle = Union["concurrent.futures.Future[Any]", "asyncio.Task[Any]"]


class TaskManager:
    """Runs coroutines and callbacks on the library's event loop."""

    uses_threads: bool = True

    def ensure_started(self) -> asyncio.AbstractEventLoop:
        """Start the loop if needed and return it."""
        raise NotImplementedError

    def submit(self, coro: Coroutine[Any, Any, Any]) -> TaskHandle:
        """Schedule ``coro`` on the loop from any thread."""
        raise NotImplementedError

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` on the loop, from any thread."""
        raise NotImplementedError

    def in_loop_thread(self) -> bool:
        raise NotImplementedError

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the loop (CPython); a later call to ``ensure_started`` restarts it."""


class CPythonTaskManager(TaskManager):
    """A private asyncio loop on a daemon thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    def ensure_started(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None:
            return loop
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(
                    target=self._run, args=(loop, ready), name="sidekick-loop", daemon=True
                )
                thread.start()
                ready.wait()
                self._thread = thread
                self._loop = loop
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        loop = self.ensure_started()
        return asyncio.run_coroutine_threadsafe(coro, loop)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        loop = self.ensure_started()
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            # The loop closed under us (interpreter exit): nothing left to run.
            pass

    def in_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = None
            self._thread = None
        if loop is None or thread is None:
            return
        try:
            loop.call_soon_threadsafe(loop.stop)
        except RuntimeError:
            return
        if thread is not threading.current_thread():
            thread.join(timeout)


class PyodideTaskManager(TaskManager):
    """The page's own loop (Pyodide's WebLoop); no threads."""

    uses_threads = False

    def ensure_started(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            # Pyodide installs its WebLoop as the current loop at startup (the
            # policy API is deprecated since Python 3.14).
            return asyncio.get_event_loop()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self.ensure_started().create_task(coro)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self.ensure_started().call_soon(fn, *args)

    def in_loop_thread(self) -> bool:
        return True
