"""Pyodide transport: the two JS globals of protocol.md instead of a socket.

The host page (or worker) defines ``sendHeroMessage(json)`` and
``registerSidekickMessageHandler(handler)``. The host queues anything the UI
says before our handler is registered and delivers it in order afterwards.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from .base import Transport, TransportClosed

__all__ = ["PyodideTransport", "connect_pyodide"]

_CLOSED = object()


class PyodideTransport(Transport):
    description = "the Pyodide host page"

    def __init__(self, send_js: Any) -> None:
        self._send_js = send_js
        self._inbox: "asyncio.Queue[Any]" = asyncio.Queue()
        self._closed = False

    def _on_message(self, text: Any) -> None:
        if not self._closed:
            self._inbox.put_nowait(str(text))

    async def send(self, frame: str) -> None:
        if self._closed:
            raise TransportClosed("transport closed")
        self._send_js(frame)

    async def recv(self) -> str:
        item = await self._inbox.get()
        if item is _CLOSED:
            raise TransportClosed("transport closed")
        return item  # type: ignore[no-any-return]

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._inbox.put_nowait(_CLOSED)


_registered: Optional[PyodideTransport] = None


async def connect_pyodide() -> PyodideTransport:
    """Bind to the host's globals; raises ``RuntimeError`` when they are missing."""
    global _registered
    import js  # type: ignore[import-not-found]  # only exists inside Pyodide

    send = getattr(js, "sendHeroMessage", None)
    register = getattr(js, "registerSidekickMessageHandler", None)
    if send is None or register is None:
        raise RuntimeError(
            "the page does not define sendHeroMessage/registerSidekickMessageHandler; "
            "load sidekick through its Pyodide host (see pyodide/README.md)"
        )
    transport = PyodideTransport(send)
    # The host keeps one handler: re-registering routes future messages to the
    # newest transport, so a restart after shutdown() works.
    from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

    register(create_proxy(transport._on_message))
    _registered = transport
    return transport
