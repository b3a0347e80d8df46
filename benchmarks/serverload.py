"""Server figure: messages per second the relay forwards for concurrent sessions.

Each session has one hero and one UI peer. They are raw-socket WebSocket
clients (a hand-made handshake, pre-built masked frames written in bulk,
frames counted by their headers) so that the load generator costs next to
nothing and the relay is what gets measured.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from typing import List, Tuple

from rawpeer import announce, client_frame

__all__ = ["relay_load"]


async def _open(port: int, session: str) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /?session={session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"handshake refused: {head[:80]!r}")
    return reader, writer


async def _count_frames(reader: asyncio.StreamReader, want: int, deadline: float) -> int:
    """Read server frames (unmasked) until ``want`` text frames arrived."""
    buf = b""
    pos = 0
    got = 0
    while got < want:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            chunk = await asyncio.wait_for(reader.read(1 << 20), remaining)
        except asyncio.TimeoutError:
            break
        if not chunk:
            break
        buf = buf[pos:] + chunk
        pos = 0
        end = len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n = b1 & 0x7F
            hdr = 2
            if n == 126:
                if end - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                hdr = 4
            elif n == 127:
                if end - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                hdr = 10
            if end - pos < hdr + n:
                break
            if b0 & 0x0F == 0x1:
                got += 1
            pos += hdr + n
    return got


async def _session(
    port: int,
    index: int,
    frames: List[bytes],
    ready: asyncio.Event,
    start: asyncio.Event,
    deadline: float,
) -> Tuple[float, int]:
    session = f"load-{os.getpid()}-{index}-{time.monotonic_ns()}"
    ui_r, ui_w = await _open(port, session)
    ui_w.write(client_frame(announce(f"ui-{index}", "sidekick").encode()))
    await ui_w.drain()
    hero_r, hero_w = await _open(port, session)
    hero_w.write(client_frame(announce(f"hero-{index}", "hero").encode()))
    await hero_w.drain()
    # The UI sees the hero's announce first; then the load.
    if await _count_frames(ui_r, 1, time.monotonic() + 10) != 1:
        raise RuntimeError("the UI peer never saw the hero's announce")
    ready.set()
    await start.wait()
    blob = b"".join(frames)

    async def write() -> None:
        hero_w.write(blob)
        await hero_w.drain()

    writer = asyncio.ensure_future(write())
    got = await _count_frames(ui_r, len(frames), deadline)
    finished = time.monotonic()
    writer.cancel()
    for w in (hero_w, ui_w):
        w.close()
    return finished, got


async def relay_load(
    port: int, sessions: int = 10, messages: int = 20000, batch: int = 1, timeout: float = 120.0
) -> dict:
    """Relay ``messages`` per session, in frames of ``batch`` messages; messages/s overall."""
    update = (
        '{"id":0,"component":"grid","type":"update","target":"grid-1","payload":'
        '{"action":"setColor","options":{"x":%d,"y":%d,"color":"#ff0000"}}}'
    )
    texts = [update % (i % 100, (i // 100) % 100) for i in range(messages)]
    if batch > 1:
        texts = [
            '{"id":0,"component":"global","type":"batch","payload":{"messages":['
            + ",".join(texts[i : i + batch])
            + "]}}"
            for i in range(0, messages, batch)
        ]
    frames = [client_frame(t.encode()) for t in texts]
    start = asyncio.Event()
    deadline = time.monotonic() + timeout
    ready = [asyncio.Event() for _ in range(sessions)]
    tasks = [
        asyncio.ensure_future(_session(port, i, frames, ready[i], start, deadline))
        for i in range(sessions)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 20)
    t0 = time.monotonic()
    start.set()
    results = await asyncio.gather(*tasks)
    t1 = max(r[0] for r in results)
    delivered = sum(r[1] for r in results)
    complete = delivered == sessions * len(frames)
    return {
        "messages_per_s": sessions * messages / (t1 - t0) if complete else 0.0,
        "complete": complete,
        "seconds": t1 - t0,
    }
