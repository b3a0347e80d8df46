"""Our WebSocket client against real servers: the ``websockets`` library and raw sockets.

The ``websockets`` server is a well-kept, strict implementation of RFC 6455,
so it checks our side of the protocol (masking, close handshake, pongs) while
we check ours against it.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Awaitable, Callable, List, Optional, TypeVar

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Response

from sidekick.transport import websocket as ws_module
from sidekick.transport.base import TransportClosed
from sidekick.transport.frames import HandshakeError
from sidekick.transport.websocket import WebSocketTransport, connect_websocket
from tests.support.rawserver import UPGRADE, answer_upgrade, run

T = TypeVar("T")
Handler = Callable[[ServerConnection], Awaitable[None]]


async def with_server(handler: Handler, body: Callable[[str], Awaitable[T]], **options: Any) -> T:
    async with serve(handler, "127.0.0.1", 0, compression=None, **options) as server:
        port = server.sockets[0].getsockname()[1]
        return await body(f"ws://127.0.0.1:{port}/?session=s")


async def echo(conn: ServerConnection) -> None:
    async for message in conn:
        await conn.send(message)


def test_messages_of_every_size_round_trip_in_order() -> None:
    sizes = [0, 1, 125, 126, 65535, 65536, 1_000_000]

    async def body(url: str) -> List[str]:
        client = await connect_websocket(url)
        sent = [chr(0x41 + i) * n for i, n in enumerate(sizes)] + [f"m{i}" for i in range(500)]
        for text in sent:
            await client.send(text)
        got = [await client.recv() for _ in sent]
        await client.close()
        assert got == sent
        return got

    run(with_server(echo, body, max_size=None))


def test_unicode_text_survives() -> None:
    async def body(url: str) -> None:
        client = await connect_websocket(url)
        await client.send("héllo ✓ 🐍")
        assert await client.recv() == "héllo ✓ 🐍"
        await client.close()

    run(with_server(echo, body))


def test_we_answer_the_servers_pings() -> None:
    """websockets drops a client that does not pong within ping_timeout."""

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        await asyncio.sleep(0.6)  # about a dozen pings
        await client.send("still here")
        assert await client.recv() == "still here"
        await client.close()

    run(with_server(echo, body, ping_interval=0.05, ping_timeout=0.2))


def test_close_is_a_clean_handshake_the_server_sees() -> None:
    codes: List[Optional[int]] = []

    async def handler(conn: ServerConnection) -> None:
        async for _ in conn:
            pass
        codes.append(conn.close_code)

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        await client.send("hi")
        await client.close()
        with pytest.raises(TransportClosed):
            await client.send("after close")
        await asyncio.sleep(0.1)

    run(with_server(handler, body))
    assert codes == [1000]


def test_the_server_closing_ends_recv_and_send_with_its_reason() -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.send("last words")
        await conn.close(1001, "going away")

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        assert await client.recv() == "last words"  # what came before the close is kept
        with pytest.raises(TransportClosed, match="1001, going away"):
            await client.recv()
        with pytest.raises(TransportClosed):
            await client.send("too late")

    run(with_server(handler, body))


def test_fragmented_and_binary_messages_arrive_whole() -> None:
    async def handler(conn: ServerConnection) -> None:
        await conn.send(["frag", "men", "ted ✓"])  # one message in three frames
        await conn.send(b"\x00\xff")
        await conn.wait_closed()

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        assert await client.recv() == "fragmented ✓"
        assert await client.recv() == b"\x00\xff"  # type: ignore[comparison-overlap]
        await client.close()

    run(with_server(handler, body))


def test_a_too_large_message_closes_with_1009() -> None:
    codes: List[Optional[int]] = []

    async def handler(conn: ServerConnection) -> None:
        await conn.send("x" * 2000)
        await conn.wait_closed()
        codes.append(conn.close_code)

    async def body(url: str) -> None:
        client = await connect_websocket(url, max_size=1000)
        with pytest.raises(TransportClosed, match="larger than 1000"):
            await client.recv()
        await asyncio.sleep(0.2)

    run(with_server(handler, body))
    assert codes == [1009]


def test_a_flood_we_do_not_read_is_paused_then_delivered_in_order() -> None:
    count = 3000

    async def handler(conn: ServerConnection) -> None:
        for i in range(count):
            await conn.send(f"n{i}".ljust(1000))  # 3 MB: more than one read can hold
        await conn.wait_closed()

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        await asyncio.sleep(0.5)  # the server sends while we do not read
        assert client._paused_reading  # the inbox stopped growing
        assert len(client._inbox) < count
        got = [await client.recv() for _ in range(count)]
        assert got == [f"n{i}".ljust(1000) for i in range(count)]
        await client.close()

    run(with_server(handler, body))


def test_a_refused_handshake_reports_the_status() -> None:
    def refuse(conn: ServerConnection, request: Any) -> Response:
        return conn.respond(403, "no\n")

    async def body(url: str) -> None:
        with pytest.raises(HandshakeError, match="HTTP 403"):
            await connect_websocket(url)

    run(with_server(echo, body, process_request=refuse))


def test_no_server_is_an_oserror() -> None:
    async def body() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(OSError):
            await connect_websocket(f"ws://127.0.0.1:{port}/")

    run(body())


async def silent_server(
    body: Callable[[str], Awaitable[None]], answer: bytes = b"", then: bytes = b""
) -> None:
    """A TCP server that reads the request, writes ``answer`` and then stays silent."""
    writers: List[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        request = await reader.readuntil(b"\r\n\r\n")
        if answer:
            writer.write(answer_upgrade(request, answer) + then)
        try:
            await reader.read()  # swallow everything, answer nothing
        except ConnectionError:
            pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await body(f"ws://127.0.0.1:{port}/")
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def test_a_server_that_never_answers_times_out() -> None:
    async def body(url: str) -> None:
        with pytest.raises(asyncio.TimeoutError):
            await connect_websocket(url, open_timeout=0.3)

    run(silent_server(body))


def test_frames_right_behind_the_handshake_are_not_lost() -> None:
    async def body(url: str) -> None:
        client = await connect_websocket(url)
        assert await client.recv() == "early"
        client.abort()

    run(silent_server(body, UPGRADE, then=b"\x81\x05early"))


def test_a_peer_that_stops_answering_pings_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ws_module, "PING_INTERVAL", 0.05)
    monkeypatch.setattr(ws_module, "PING_TIMEOUT", 0.1)

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        with pytest.raises(TransportClosed, match="keepalive"):
            await client.recv()

    run(silent_server(body, UPGRADE))


def test_a_protocol_violation_closes_with_its_code() -> None:
    async def body(url: str) -> None:
        client: WebSocketTransport = await connect_websocket(url)
        with pytest.raises(TransportClosed, match="protocol error: the server masked"):
            await client.recv()

    run(silent_server(body, UPGRADE, then=b"\x81\x81abcdx"))


def test_send_now_from_another_thread_keeps_order_with_the_loops_sends() -> None:
    async def body(url: str) -> None:
        client = await connect_websocket(url)
        loop = asyncio.get_running_loop()
        # From a thread while the loop is idle: written at once.
        assert await loop.run_in_executor(None, client.send_now, ["from a thread"])
        await client.send("from the loop")
        assert [await client.recv(), await client.recv()] == ["from a thread", "from the loop"]
        await client.close()
        assert not client.send_now(["after close"])

    run(with_server(echo, body))


def test_a_partial_send_now_is_finished_by_the_loop_before_anything_else() -> None:
    big = "x" * 3_000_000  # more than the socket takes at once

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        assert client._sock is not None
        client._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        assert client.send_now([big])
        assert client._handoff is not None  # the socket was full: the loop writes the rest
        assert not client.send_now(["must wait"])  # busy: the caller queues instead
        await client.send("next")
        assert await client.recv() == big
        assert await client.recv() == "next"
        await client.close()

    run(with_server(echo, body, max_size=None))


def test_a_receiver_gets_each_message_as_it_arrives() -> None:
    async def handler(conn: ServerConnection) -> None:
        assert await conn.recv() == "go"
        for i in range(100):
            await conn.send(f"m{i}")
        await conn.close(1000)

    async def body(url: str) -> None:
        client = await connect_websocket(url)
        got: List[Any] = []
        client.set_receiver(got.append)
        await client.send("go")
        with pytest.raises(TransportClosed):  # recv() now only waits for the close
            await client.recv()
        assert got == [f"m{i}" for i in range(100)]

    run(with_server(handler, body))


def test_a_host_name_is_resolved_and_each_address_tried() -> None:
    """``localhost`` may resolve to ::1 first; the server listens on 127.0.0.1 only."""

    async def body(url: str) -> None:
        client = await connect_websocket(url.replace("127.0.0.1", "localhost"))
        await client.send("by name")
        assert await client.recv() == "by name"
        await client.close()

    run(with_server(echo, body))
