"""Task managers: where the library's asyncio loop runs.

* :class:`CPythonTaskManager` owns a private loop on a daemon thread, started
  lazily on first use; it can be stopped and started again in one process.
* :class:`PyodideTaskManager` uses the page's running loop and starts no
  threads (Pyodide cannot).

Both offer the same small interface, so the connection service never asks
where it runs.

``asyncio`` is imported only when a loop is made: it is the heaviest import
of the library (~35 ms of a script's ~100 ms to its first picture), and the
first connection can be made without it (see :meth:`CPythonTaskManager.start`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional, Union

from ._log import logger

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

__all__ = ["TaskManager", "CPythonTaskManager", "PyodideTaskManager", "TaskHandle"]

TaskHandle = Union["concurrent.futures.Future[Any]", "asyncio.Task[Any]"]


class TaskManager:
    """Runs coroutines and callbacks on the library's event loop."""

    uses_threads: bool = True

    @property
    def running(self) -> bool:
        """True once the loop runs: :meth:`call_soon` then never waits."""
        return True

    def start(self, main: Callable[[], Coroutine[Any, Any, Any]], prelude: Any = None) -> None:
        """Run ``main()`` on the loop; ``prelude()`` first, off the loop, where threads allow."""
        if prelude is not None:
            prelude()
        self.submit(main())

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
        self._ready = threading.Event()  # set once _loop runs (or the thread gave up)

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self, main: Callable[[], Coroutine[Any, Any, Any]], prelude: Any = None) -> None:
        """Run ``main()`` on the loop; a new loop thread runs ``prelude()`` first.

        The prelude runs before ``asyncio`` is even imported, and the caller
        does not wait for it: the service makes its first connection there
        with a plain socket, so a script's first picture does not wait for
        asyncio's import. Whoever needs the loop meanwhile
        (:meth:`ensure_started`) waits until the prelude is done.
        """
        with self._lock:
            if self._thread is None:
                self._spawn_locked(prelude, main)
                return
        self.submit(main())  # already running (or starting): no prelude

    def _spawn_locked(
        self,
        prelude: Optional[Callable[[], None]],
        main: Optional[Callable[[], Coroutine[Any, Any, Any]]],
    ) -> None:
        """Start the loop thread (with :attr:`_lock` held)."""
        self._ready = threading.Event()
        thread = threading.Thread(
            target=self._run, args=(self._ready, prelude, main), name="sidekick-loop", daemon=True
        )
        self._thread = thread
        thread.start()

    def ensure_started(self) -> asyncio.AbstractEventLoop:
        while True:
            loop = self._loop
            if loop is not None:
                return loop
            if self.in_loop_thread():  # the prelude: waiting here would be forever
                raise RuntimeError("sidekick's loop is not running yet")
            with self._lock:
                if self._thread is None:
                    self._spawn_locked(None, None)
                ready = self._ready
            ready.wait()  # then the loop runs, or the thread was stopped: look again

    def _run(
        self,
        ready: threading.Event,
        prelude: Optional[Callable[[], None]],
        main: Optional[Callable[[], Coroutine[Any, Any, Any]]],
    ) -> None:
        if prelude is not None:
            try:
                prelude()
            except Exception:  # a bug of ours: loud, and the loop starts regardless
                logger.exception("sidekick: the loop's prelude failed")
        try:
            import asyncio

            loop = asyncio.new_event_loop()
        except BaseException:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None
            ready.set()
            raise
        asyncio.set_event_loop(loop)
        with self._lock:
            stopped = self._thread is not threading.current_thread()
            if not stopped:
                self._loop = loop
        if stopped:  # stop() came during the prelude: nothing may run
            loop.close()
            ready.set()
            return
        loop.call_soon(ready.set)
        if main is not None:
            loop.create_task(main())
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
        import asyncio

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
        if thread is None:
            return
        if loop is None:  # still in the prelude: the thread sees it is no longer ours
            if thread is not threading.current_thread():
                thread.join(timeout)
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
        import asyncio

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
