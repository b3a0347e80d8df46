"""Helpers for the server tests: a server on its own thread, clients, raw HTTP.

The server runs on a background event loop so tests can use blocking clients
(raw sockets, http.client) as well as ``asyncio.run`` with websockets clients.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import Any, Coroutine, Dict, Optional, Tuple, TypeVar

from websockets.asyncio.client import ClientConnection, connect

from sidekick.server import RunningServer, start_server

T = TypeVar("T")

TIMEOUT = 5.0


def run(coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
    """Run a test coroutine on a fresh loop with an overall time limit."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


class ServerThread:
    """A started server living on its own event loop thread."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("port", 0)
        kwargs.setdefault("host", "127.0.0.1")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: RunningServer = self.call(start_server(**kwargs))
        self.port = self.server.port

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def peer_count(self, session: Optional[str] = None) -> int:
        async def count() -> int:
            return self.server.relay.peer_count(session)

        return self.call(count())

    def close(self) -> None:
        try:
            self.call(self.server.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT)
            self.loop.close()


def announce(peer_id: str, role: str, status: str = "online", **extra: Any) -> str:
    payload: Dict[str, Any] = {
        "peerId": peer_id,
        "role": role,
        "status": status,
        "version": "test",
        "timestamp": 1,
    }
    payload.update(extra)
    return json.dumps({"id": 0, "component": "system", "type": "announce", "payload": payload})


def message(target: str = "g1", **payload: Any) -> str:
    return json.dumps(
        {"id": 0, "component": "grid", "type": "update", "target": target, "payload": payload}
    )


def ws_url(
    port: int, session: Optional[str] = None, token: Optional[str] = None, host: str = "127.0.0.1"
) -> str:
    params = []
    if session is not None:
        params.append(f"session={session}")
    if token is not None:
        params.append(f"token={token}")
    query = "?" + "&".join(params) if params else ""
    return f"ws://{host}:{port}/{query}"


async def connect_peer(
    port: int,
    session: Optional[str] = None,
    *,
    token: Optional[str] = None,
    **kwargs: Any,
) -> ClientConnection:
    kwargs.setdefault("open_timeout", TIMEOUT)
    return await connect(ws_url(port, session, token), **kwargs)


async def recv_json(ws: ClientConnection, timeout: float = TIMEOUT) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_text(ws: ClientConnection, timeout: float = TIMEOUT) -> Any:
    return await asyncio.wait_for(ws.recv(), timeout)


async def assert_silent(ws: ClientConnection, duration: float = 0.3) -> None:
    """Fail if ``ws`` receives anything within ``duration`` seconds."""
    try:
        frame = await asyncio.wait_for(ws.recv(), duration)
    except asyncio.TimeoutError:
        return
    raise AssertionError(f"unexpected frame: {frame!r}")


async def expect_forwarded(sender: ClientConnection, receiver: ClientConnection, text: str) -> None:
    """Send ``text`` and assert it is the very next frame ``receiver`` gets.

    So nothing the sender sent before it was forwarded, and the connection
    still works.
    """
    await sender.send(text)
    assert await recv_text(receiver) == text


async def hero_and_ui(port: int) -> Tuple[ClientConnection, ClientConnection]:
    """A hero ``h1`` and a UI ``s1``, both announced and their announces consumed."""
    hero = await connect_peer(port)
    ui = await connect_peer(port)
    await ui.send(announce("s1", "sidekick"))
    assert (await recv_json(hero))["payload"]["peerId"] == "s1"
    await hero.send(announce("h1", "hero"))
    assert (await recv_json(ui))["payload"]["peerId"] == "h1"
    return hero, ui


async def close_all(*peers: ClientConnection) -> None:
    for ws in peers:
        await ws.close()


def raw_http(
    port: int,
    path: str,
    *,
    host: Optional[str] = None,
    omit_host: bool = False,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    """Send one GET exactly as written (no client-side path normalization)."""
    lines = [f"GET {path} HTTP/1.1"]
    if not omit_host:
        lines.append(f"Host: {host if host is not None else f'127.0.0.1:{port}'}")
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if "Connection" not in (headers or {}):
        lines.append("Connection: close")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if b"".join(chunks).startswith(b"HTTP/1.1 101 ") and b"\r\n\r\n" in b"".join(chunks):
                break  # a successful upgrade stays open
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    parsed = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        parsed[key.strip().lower()] = value.strip()
    return status, parsed, body
