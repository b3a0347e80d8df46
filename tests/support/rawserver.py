"""WebSocket servers written by hand, for tests that need exact bytes on the wire.

A real server (``websockets``) answers correctly; these answer exactly what a
test says, including what a real one never would.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Awaitable, Callable, Optional, TypeVar

T = TypeVar("T")

#: A 101 answer; ``ACCEPT`` stands for the Sec-WebSocket-Accept value.
UPGRADE = (
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n"
)


def run(coro: Awaitable[T], timeout: float = 20.0) -> T:
    """Run ``coro`` in a fresh event loop, failing after ``timeout`` seconds."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


def accept_for(key: str) -> str:
    """The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (RFC 6455)."""
    digest = hashlib.sha1(key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
    return base64.b64encode(digest).decode()


def answer_upgrade(request: bytes, answer: bytes = UPGRADE) -> bytes:
    """``answer`` with its ``ACCEPT`` filled in for the key in ``request``."""
    key = [
        line.split(b":", 1)[1].strip().decode()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key")
    ][0]
    return answer.replace(b"ACCEPT", accept_for(key).encode())


class Wire:
    """The server's side of the one connection a :func:`raw_server` accepted."""

    def __init__(self) -> None:
        self.writer: Optional[asyncio.StreamWriter] = None
        self.connected = asyncio.Event()
        self.received = bytearray()  # what the client sent (masked frames)

    def write(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)


async def raw_server(body: Callable[[str, Wire], Awaitable[None]]) -> None:
    """A WebSocket server by hand: upgrades, then writes what the test says."""
    wire = Wire()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer_upgrade(await reader.readuntil(b"\r\n\r\n")))
        wire.writer = writer
        wire.connected.set()
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                wire.received += chunk
        except ConnectionError:
            pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await body(f"ws://127.0.0.1:{port}/", wire)
    finally:
        if wire.writer is not None:
            wire.writer.close()
        server.close()
        await server.wait_closed()
