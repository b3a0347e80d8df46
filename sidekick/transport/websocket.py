"""WebSocket transport over the ``websockets`` asyncio client."""

from __future__ import annotations

from typing import Any, Optional

from ..urls import display_url
from .base import Transport, TransportClosed

__all__ = ["WebSocketTransport", "connect_websocket"]

# Large enough for any frame the UI sends (events are tiny) and for replays
# from other heroes relayed to us; bounded so junk cannot exhaust memory.
MAX_FRAME = 16 * 1024 * 1024


class WebSocketTransport(Transport):
    def __init__(self, connection: Any, url: str) -> None:
        self._ws = connection
        self.description = display_url(url)

    async def send(self, frame: str) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            await self._ws.send(frame)
        except ConnectionClosed as exc:
            raise TransportClosed(str(exc)) from exc

    async def recv(self) -> str:
        from websockets.exceptions import ConnectionClosed

        try:
            data = await self._ws.recv()
        except ConnectionClosed as exc:
            raise TransportClosed(str(exc)) from exc
        if isinstance(data, (bytes, bytearray)):
            return data  # type: ignore[return-value]  # decode() reports it as junk
        return str(data)

    async def close(self) -> None:
        try:
            await self._ws.close()
        except Exception:  # closing a broken socket: nothing more to do
            pass


async def connect_websocket(url: str, open_timeout: Optional[float] = 5.0) -> WebSocketTransport:
    """Open a WebSocket to ``url``; raises ``OSError`` or a websockets error on failure."""
    from websockets.asyncio.client import connect

    ws = await connect(
        url,
        open_timeout=open_timeout,
        max_size=MAX_FRAME,
        compression=None,  # loopback traffic: deflate would only cost CPU
        ping_interval=20,
        ping_timeout=20,
        close_timeout=1,
        user_agent_header=None,
    )
    return WebSocketTransport(ws, url)
