"""Starting and stopping, URLs, the port-taken error, browser and probe helpers."""

from __future__ import annotations

import asyncio
import socket
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Iterator, List

import pytest
from sidekick_server_testutil import ServerThread, announce, connect_peer, recv_json, run
from websockets.exceptions import ConnectionClosed

import sidekick.server as server_pkg
from sidekick.server import (
    ServerStartError,
    browser_allowed,
    open_browser,
    probe_server,
    start_server,
)


def test_port_taken_raises_a_clear_error() -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]

        async def attempt() -> None:
            await start_server(port=port)

        with pytest.raises(ServerStartError) as info:
            run(attempt())
    assert isinstance(info.value, OSError)
    assert str(info.value) == f"port {port} is already in use by another program; use --port"


def test_urls() -> None:
    async def scenario() -> None:
        srv = await start_server(port=0, token="a b/c")
        try:
            base = f"127.0.0.1:{srv.port}"
            assert srv.ui_url() == f"http://{base}/?token=a+b%2Fc"
            assert srv.ui_url("s-1") == f"http://{base}/session/s-1?token=a+b%2Fc"
            assert srv.ws_url == f"ws://{base}/?token=a+b%2Fc"
            assert srv.ws_url_for("s-1") == f"ws://{base}/?session=s-1&token=a+b%2Fc"
        finally:
            await srv.close()
        plain = await start_server(port=0, log=False)
        try:
            assert plain.token is None
            assert plain.ui_url() == f"http://127.0.0.1:{plain.port}/"
            assert plain.ws_url_for("x") == f"ws://127.0.0.1:{plain.port}/?session=x"
        finally:
            await plain.close()

    run(scenario())


def test_urls_with_the_real_token_work_end_to_end() -> None:
    async def scenario() -> None:
        srv = await start_server(port=0, token="t/ok+=")
        try:
            from websockets.asyncio.client import connect

            async with connect(srv.ws_url_for("s1")) as hero, connect(srv.ws_url_for("s1")) as ui:
                await hero.send(announce("h", "hero"))
                assert (await recv_json(ui))["payload"]["peerId"] == "h"
        finally:
            await srv.close()

    run(scenario())


def test_close_disconnects_peers_and_frees_the_port() -> None:
    async def scenario() -> None:
        srv = await start_server(port=0)
        port = srv.port
        ws = await connect_peer(port)
        await srv.close()
        assert srv.closed
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 2)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1001
        again = await start_server(port=port)  # the port is free again
        await again.close()
        await srv.close()  # idempotent

    run(scenario())


def test_public_api() -> None:
    assert set(server_pkg.__all__) >= {
        "start_server",
        "RunningServer",
        "ServerStartError",
        "open_browser",
        "probe_server",
    }


# -- open_browser -------------------------------------------------------------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[str]]:
    calls: List[str] = []
    done = threading.Event()

    def fake_open(url: str, *args: Any, **kwargs: Any) -> bool:
        calls.append(url)
        done.set()
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    for name in ("SIDEKICK_OPEN_BROWSER", "CI", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    yield calls


def test_open_browser_needs_a_display(opened: List[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert not browser_allowed()
    assert open_browser("http://x/") is False
    monkeypatch.setenv("DISPLAY", ":0")
    assert browser_allowed()
    assert open_browser("http://x/") is True
    for _ in range(100):
        if opened:
            break
        threading.Event().wait(0.01)
    assert opened == ["http://x/"]


@pytest.mark.parametrize(
    ("env", "allowed"),
    [
        ({}, True),
        ({"SIDEKICK_OPEN_BROWSER": "0"}, False),
        ({"CI": "true"}, False),
        ({"CI": "true", "SIDEKICK_OPEN_BROWSER": "1"}, True),
        ({"CI": "0"}, True),
    ],
)
def test_open_browser_settings(
    opened: List[str], monkeypatch: pytest.MonkeyPatch, env: dict, allowed: bool
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert browser_allowed() is allowed


# -- probe_server ---------------------------------------------------------------


def test_probe_finds_a_sidekick_server(server: ServerThread) -> None:
    found = probe_server("127.0.0.1", server.port)
    assert found is not None and found["name"] == "sidekick"


def test_probe_ignores_closed_ports_and_other_servers() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert probe_server("127.0.0.1", port) is None

    class Other(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"ok": true, "name": "something else"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Other)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        assert probe_server("127.0.0.1", httpd.server_address[1]) is None
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_close_is_bounded_even_with_a_peer_that_stopped_reading() -> None:
    async def scenario() -> None:
        srv = await start_server(port=0)
        # A raw WebSocket client that completes the handshake, then never reads.
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(
            (
                f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
        hero = await connect_peer(srv.port)
        chunk = '{"x":"' + "y" * (1024 * 1024) + '"}'
        for _ in range(40):
            await hero.send(chunk)
        await asyncio.sleep(0.5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(srv.close(timeout=0.5), srv.close(timeout=0.5))
        assert loop.time() - started < 3.0
        assert srv.closed
        writer.close()

    run(scenario())
