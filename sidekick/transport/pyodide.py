"""Pyodide transport: the two JS globals of protocol.md instead of a socket.

The host (a page, a worker, or Node; see ``pyodide/`` in the repository)
defines ``sendHeroMessage(json)`` and ``registerSidekickMessageHandler(handler)``.
We register one handler per connection; the host queues what the UI says
before that and delivers it in order right after, so the handshake cannot
race. Everything here runs on the page's loop: no threads, no sockets.

This module imports ``js`` and ``pyodide`` only inside functions, so CPython
can import (and type-check) it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Coroutine, List, Optional, TypeVar

from .._log import logger
from .base import Transport, TransportClosed

__all__ = ["PyodideTransport", "connect_pyodide", "can_block", "block_on"]


_CLOSED = object()

T = TypeVar("T")


def _as_text(data: Any) -> str:
    """What the host handed us, as the JSON text of one frame."""
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data).decode("utf-8", errors="replace")
    to_py = getattr(data, "to_py", None)  # a JS object instead of a string
    if to_py is not None:
        try:
            return json.dumps(to_py(), allow_nan=False)
        except (TypeError, ValueError):
            pass
    return str(data)  # decode() reports it as junk


class PyodideTransport(Transport):
    """Frames from the host's handler go into an inbox; frames out go to ``sendHeroMessage``."""

    description = "the Pyodide host page"

    def __init__(self, send_js: Callable[[str], Any]) -> None:
        self._send_js = send_js
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self._closed = False
        self._proxy: Any = None  # our handler as registered with the host

    def on_message(self, data: Any) -> None:
        """The host's handler: never raises into JS."""
        if self._closed:
            return  # a frame for a connection we already left
        try:
            self._inbox.put_nowait(_as_text(data))
        except Exception:  # pragma: no cover - put_nowait on an unbounded queue
            logger.exception("sidekick: could not take a message from the host")

    def write(self, frames: List[str]) -> None:
        if self._closed:
            raise TransportClosed("transport closed")
        try:
            for frame in frames:
                self._send_js(frame)
        except Exception as exc:  # a JsException from the host's function
            raise TransportClosed(f"sendHeroMessage failed: {exc}") from exc

    async def recv(self) -> str:
        if self._closed and self._inbox.empty():
            raise TransportClosed("transport closed")
        item = await self._inbox.get()
        if item is _CLOSED or not isinstance(item, str):
            raise TransportClosed("transport closed")
        return item

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._inbox.put_nowait(_CLOSED)


# The transport whose handler the host holds now. The next connection's
# registration replaces it in the host; only then is the old proxy freed.
_current: Optional[PyodideTransport] = None


async def connect_pyodide() -> PyodideTransport:
    """Bind to the host's globals; raises ``RuntimeError`` when they are missing."""
    global _current
    import js  # only exists inside Pyodide
    from pyodide.ffi import create_proxy

    send = getattr(js, "sendHeroMessage", None)
    register = getattr(js, "registerSidekickMessageHandler", None)
    if send is None or register is None:
        raise RuntimeError(
            "this page does not define sendHeroMessage() and registerSidekickMessageHandler(); "
            "run the script through sidekick's Pyodide host (see pyodide/README.md)"
        )
    transport = PyodideTransport(send)
    transport._proxy = create_proxy(transport.on_message)
    # The host may call the handler right away with queued frames: the inbox
    # exists already, and the reader drains it once the service starts it.
    register(transport._proxy)
    previous, _current = _current, transport
    if previous is not None and previous._proxy is not None:
        previous._closed = True
        previous._proxy.destroy()
        previous._proxy = None
    return transport


def can_block() -> bool:
    """True where Pyodide can block on a coroutine (JSPI), e.g. a script's top level.

    With JavaScript Promise Integration (recent Chromium, or Node with
    ``--experimental-wasm-stack-switching``) code run by ``runPythonAsync``
    may wait for a coroutine while the page loop keeps going, so CPython
    scripts that end in ``sidekick.run_forever()`` or call
    ``Console.input()`` work unchanged. Callbacks cannot block.
    """
    try:
        from pyodide.ffi import can_run_sync
    except ImportError:  # not Pyodide, or a Pyodide before 0.27
        return False
    return bool(can_run_sync())


def block_on(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``make()`` to completion and return its result; only when :func:`can_block`."""
    from pyodide.ffi import run_sync

    return run_sync(make())
