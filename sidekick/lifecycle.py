"""The module-level lifecycle API (the names of sidekick-py 0.0.7)."""

from __future__ import annotations

import math
from typing import Any, Callable, Coroutine, Dict, Optional

from .service import get_service
from .task_manager import TaskHandle
from .urls import validate_url

__all__ = [
    "set_url",
    "activate_connection",
    "wait_for_connection",
    "run_forever",
    "run_forever_async",
    "shutdown",
    "clear_all",
    "submit_task",
    "submit_interval",
    "register_global_message_handler",
    "is_connected",
    "flush",
]


def set_url(url: Optional[str]) -> None:
    """Use the server at ``url`` (``ws://`` or ``wss://``); ``None`` restores the default order.

    Takes effect on the next connection; call it before creating components.
    """
    service = get_service()
    service.url = None if url is None else validate_url(url)
    service.forget_failure()  # the next component call tries the new URL


def activate_connection() -> None:
    """Start connecting in the background (never blocks). Component calls do this too."""
    get_service().activate()  # also retries after a failed first connection


def wait_for_connection(timeout: Optional[float] = None) -> None:
    """Block until a Sidekick UI is attached.

    Raises :class:`~sidekick.SidekickTimeoutError` after ``timeout`` seconds and
    the connection error when no server could be reached.
    """
    get_service().wait_for_connection(timeout)


def run_forever() -> None:
    """Serve UI events until :func:`shutdown` (e.g. from a callback) or Ctrl+C.

    Ctrl+C ends the program with exit status 130, as Python does.
    """
    get_service().run_forever()


async def run_forever_async() -> None:
    """Await UI events until :func:`shutdown`; for Pyodide and ``asyncio.run()`` programs."""
    await get_service().run_forever_async()


def shutdown(wait: bool = False) -> None:
    """Announce offline and close the connection; ``run_forever()`` returns.

    With ``wait=True`` block (briefly) until the connection is closed. A later
    component call starts a fresh connection.
    """
    get_service().shutdown(wait=bool(wait))


def clear_all() -> None:
    """Remove every component from the UI."""
    get_service().clear_all()


def submit_task(coro: Coroutine[Any, Any, Any]) -> TaskHandle:
    """Run a coroutine on sidekick's event loop; returns a Future (a Task in Pyodide)."""
    import inspect  # not at import time: asyncio needs it anyway, later

    if not inspect.iscoroutine(coro):
        raise TypeError(f"submit_task() needs a coroutine object, not {type(coro).__name__}")
    service = get_service()
    service.touch()
    return service._tm.submit(coro)


def submit_interval(callback: Callable[[], Any], interval: float) -> TaskHandle:
    """Call ``callback()`` every ``interval`` seconds (on the callback thread).

    Returns a handle whose ``cancel()`` stops it. The calls stop at :func:`shutdown`.
    """
    if not callable(callback):
        raise TypeError(f"submit_interval() needs a function, not {type(callback).__name__}")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        raise TypeError(f"interval must be a number of seconds, not {type(interval).__name__}")
    if not math.isfinite(interval) or interval <= 0:
        raise ValueError(f"interval must be a positive, finite number of seconds, got {interval!r}")
    service = get_service()
    service.touch()
    return service._tm.submit(_every(service, callback, float(interval)))


async def _every(service: Any, callback: Callable[[], Any], interval: float) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    next_at = loop.time() + interval
    name = getattr(callback, "__name__", "interval callback")
    while True:
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        service.callbacks.submit(callback, what=f"interval callback {name}")
        next_at += interval
        now = loop.time()
        if next_at < now:  # fell behind (slow machine, sleep): skip, don't burst
            next_at = now + interval


def register_global_message_handler(handler: Optional[Callable[[Dict[str, Any]], Any]]) -> None:
    """See every message from the UI (for debugging); ``None`` removes the handler."""
    get_service().set_global_handler(handler)


def is_connected() -> bool:
    """True while a Sidekick UI is attached."""
    return get_service().is_connected()


def flush(timeout: Optional[float] = None) -> None:
    """Block until every message sent so far has left for the UI.

    Raises :class:`~sidekick.SidekickTimeoutError` after ``timeout`` seconds.
    """
    get_service().flush(timeout)


def _exit_from_callback(exc: BaseException) -> None:
    """``sys.exit()``/KeyboardInterrupt in a callback: stop the program like in main."""
    code = exc.code if isinstance(exc, SystemExit) else 130
    if code is None:
        code = 0
    elif not isinstance(code, int):
        import sys

        print(code, file=sys.stderr)
        code = 1
    get_service().request_exit(code)
