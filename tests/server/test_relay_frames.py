"""The relay's own frame handling, seen from clients that write frames by hand.

Once a connection is open, the relay parses its frames itself and routes each
message as it arrives (``sidekick.server.connection``); websockets still does
the handshake, keepalive and closing. These clients choose every byte they
send, so the tests reach what a well-behaved client library never writes.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import json
import logging
import random
import socket
import struct
import time
from typing import Any, Awaitable, Callable, ClassVar, Deque, Iterator, List, Tuple, TypeVar

import pytest
from sidekick_server_testutil import TIMEOUT, ServerThread, announce, message

from sidekick.server.connection import RelayConnection
from sidekick.server.relay import Relay
from sidekick.transport import frames
from sidekick.transport.frames import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameParser,
)


def frame(opcode: int, payload: bytes, *, fin: bool = True, masked: bool = True) -> bytes:
    """One client frame, masked (as clients must) unless told otherwise."""
    head, key, body = frames.frame_parts(opcode, payload)  # final and masked
    b0 = head[0] if fin else head[0] & 0x7F
    if masked:
        return bytes((b0,)) + head[1:] + key + body
    return bytes((b0, head[1] & 0x7F)) + head[2:] + payload


def text(data: str, **kwargs: Any) -> bytes:
    return frame(OP_TEXT, data.encode(), **kwargs)


class RawPeer:
    """A blocking WebSocket client that writes exactly the bytes it is given.

    What the server sends is read with our client's parser, which also checks
    that the server's frames are well formed (unmasked, valid UTF-8).
    """

    #: Every peer made in the current test; the fixture below closes them.
    opened: ClassVar[List[RawPeer]] = []

    def __init__(self, port: int, session: str = "raw", after_request: bytes = b"") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        RawPeer.opened.append(self)
        request, key = frames.handshake_request(f"127.0.0.1:{port}", f"/?session={session}")
        self.sock.sendall(request + after_request)
        head = bytearray()
        rest = None
        while rest is None:
            chunk = self.sock.recv(65536)
            assert chunk, f"no upgrade: {bytes(head)!r}"
            head += chunk
            rest = frames.split_response(head, key)
        self.parser = FrameParser(1 << 26)
        self.events: Deque[frames.Event] = collections.deque(self.parser.feed(rest))

    def send(self, *data: bytes) -> None:
        self.sock.sendall(b"".join(data))

    def next_event(self) -> frames.Event:
        while not self.events:
            data = self.sock.recv(1 << 16)
            if not data:
                raise EOFError("the server closed the connection")
            self.events.extend(self.parser.feed(data))
        return self.events.popleft()

    def next_text(self) -> str:
        opcode, payload = self.next_event()
        assert opcode == OP_TEXT, (opcode, payload)
        assert isinstance(payload, str)
        return payload

    def expect_close(self, code: int) -> None:
        """The next frame is a close with ``code``; then the server closes the TCP connection."""
        opcode, payload = self.next_event()
        assert opcode == OP_CLOSE, (opcode, payload)
        assert isinstance(payload, bytes)
        assert frames.parse_close(payload)[0] == code
        self.send(frame(OP_CLOSE, payload))
        self.expect_eof()

    def expect_eof(self) -> None:
        """The server closes (its half of) the TCP connection; then so do we, as clients do."""
        try:
            while True:
                data = self.sock.recv(1 << 16)
                if not data:
                    break
                assert not self.parser.feed(data), "nothing may follow the close frame"
        finally:
            self.sock.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(autouse=True)
def close_raw_peers(server_factory: Callable[..., ServerThread]) -> Iterator[None]:
    """Close the test's raw peers, before its servers (set up first, torn down last)."""
    yield
    while RawPeer.opened:
        RawPeer.opened.pop().close()


T = TypeVar("T")


def on_server_conn(
    server: ServerThread, raw: RawPeer, action: Callable[[Any], Awaitable[T]]
) -> concurrent.futures.Future[T]:
    """Run ``action`` with the server's connection for ``raw``, on the server's loop."""
    port = raw.sock.getsockname()[1]

    async def find() -> T:
        for session in server.server.relay.sessions.values():
            for peer in session.peers:
                if peer.conn.remote_address[1] == port:
                    return await action(peer.conn)
        raise AssertionError("no such connection on the server")

    return asyncio.run_coroutine_threadsafe(find(), server.loop)


def relay_parses(server: ServerThread, raw: RawPeer) -> bool:
    """Whether the relay parses ``raw``'s frames itself (not websockets).

    It takes over with the first bytes after the handshake, so ask once ``raw`` sent some.
    """

    async def check(conn: Any) -> bool:
        assert isinstance(conn, RelayConnection)
        return conn._parser is not None

    return on_server_conn(server, raw, check).result(TIMEOUT)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def pair(server: ServerThread, session: str = "raw") -> Tuple[RawPeer, RawPeer]:
    """Two unannounced peers of one session: each hears what the other sends."""
    a = RawPeer(server.port, session)
    b = RawPeer(server.port, session)
    wait_for(lambda: server.peer_count(session) == 2, "both peers")
    return a, b


def test_the_messages_of_one_read_reach_a_peer_in_one_write(server: ServerThread) -> None:
    a, b = pair(server)
    a.send(text(message("first")))
    assert b.next_text() == message("first")
    assert relay_parses(server, a)
    writes: List[int] = []

    async def spy(conn: Any) -> None:
        transport = conn.transport
        write, writelines = transport.write, transport.writelines

        def counted(data: bytes) -> None:
            writes.append(len(data))
            write(data)

        def counted_lines(parts: List[bytes]) -> None:
            writes.append(sum(map(len, parts)))
            transport.write = write  # (before 3.12, writelines calls write)
            try:
                writelines(parts)
            finally:
                transport.write = counted

        # The real transport, its writes counted.
        transport.write, transport.writelines = counted, counted_lines

    on_server_conn(server, b, spy).result(TIMEOUT)
    texts = [message(f"m{i}") for i in range(200)]
    a.send(*(text(t) for t in texts))  # one sendall: the relay reads it in one or a few reads
    assert [b.next_text() for _ in texts] == texts
    assert 1 <= len(writes) <= 5, writes  # one per read (it was one per message)


def test_an_announce_keeps_its_place_among_the_messages_of_one_read(
    server: ServerThread,
) -> None:
    hero, ui = pair(server)
    ui.send(text(announce("ui", "sidekick")))
    assert json.loads(hero.next_text())["payload"]["peerId"] == "ui"
    sent = [message("before"), announce("hero", "hero"), message("after")]
    hero.send(*(text(t) for t in sent))  # one read: unannounced, announced, a hero
    assert [ui.next_text() for _ in sent] == sent


def test_a_ping_is_answered_with_a_pong_of_the_same_payload(server: ServerThread) -> None:
    a, b = pair(server)
    a.send(frame(OP_PING, b"are you there?"))
    assert a.next_event() == (OP_PONG, b"are you there?")
    assert relay_parses(server, a)
    a.send(text(message("after the ping")))
    assert b.next_text() == message("after the ping")


def test_a_fragmented_text_is_relayed_as_one_message(server: ServerThread) -> None:
    a, b = pair(server)
    whole = '{"id":0,"component":"grid","type":"update","target":"frägmented"}'.encode()
    cut1, cut2 = 10, whole.index("ä".encode()) + 1  # the second cut splits a character
    a.send(
        frame(OP_TEXT, whole[:cut1], fin=False),
        frame(OP_PING, b"between"),
        frame(OP_CONT, whole[cut1:cut2], fin=False),
        frame(OP_CONT, whole[cut2:]),
    )
    assert a.next_event() == (OP_PONG, b"between")
    assert b.next_text() == whole.decode()
    assert relay_parses(server, a)


def test_websockets_keepalive_ping_is_acknowledged(server: ServerThread) -> None:
    a, _ = pair(server)

    async def ping(conn: Any) -> float:
        return await asyncio.wait_for(await conn.ping(b"keepalive"), TIMEOUT)

    future = on_server_conn(server, a, ping)
    assert a.next_event() == (OP_PING, b"keepalive")
    a.send(frame(OP_PONG, b"keepalive"))
    assert future.result(TIMEOUT) >= 0
    assert relay_parses(server, a)


@pytest.mark.parametrize(
    "bad, code",
    [
        (text(message("unmasked"), masked=False), 1002),
        (frame(OP_TEXT, b'{"x":"\xff"}'), 1007),
        (b"\x81\xff" + struct.pack("!Q", 5 << 20), 1009),  # a header alone is enough
        (frame(OP_CONT, b"x"), 1002),
    ],
    # Stable names: the frames carry random mask keys.
    ids=["unmasked", "bad-utf8", "too-big", "stray-continuation"],
)
def test_a_protocol_violation_closes_its_sender_with_the_right_code(
    server: ServerThread, bad: bytes, code: int
) -> None:
    a, b = pair(server)
    a.send(text(message("first")))
    assert b.next_text() == message("first")
    assert relay_parses(server, a)
    # What came before the violation, even in the same write, is still relayed.
    a.send(text(message("before")), bad)
    assert b.next_text() == message("before")
    a.expect_close(code)
    wait_for(lambda: server.peer_count("raw") == 1, "the violator to leave")
    c = RawPeer(server.port)
    c.send(text(message("others carry on")))
    assert b.next_text() == message("others carry on")


def test_a_binary_message_is_dropped_and_the_connection_stays(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sidekick.server")
    a, b = pair(server)
    a.send(frame(OP_BINARY, b"\x00\x01"), text(message("next")))
    assert b.next_text() == message("next")
    assert "dropped a binary frame" in caplog.text
    assert relay_parses(server, a)


def test_the_close_handshake_completes_and_later_data_is_ignored(server: ServerThread) -> None:
    a, b = pair(server)
    b.send(text(announce("s1", "sidekick")))
    assert json.loads(a.next_text())["payload"]["peerId"] == "s1"
    a.send(text(announce("h1", "hero")))
    assert json.loads(b.next_text())["payload"]["status"] == "online"
    assert relay_parses(server, a)
    # A close, then a message it must not carry: both in one write.
    a.send(frame(OP_CLOSE, frames.close_payload(1000, "bye")), text(message("too late")))
    opcode, payload = a.next_event()
    assert (opcode, payload) == (OP_CLOSE, frames.close_payload(1000, "bye"))
    a.expect_eof()
    wait_for(lambda: server.peer_count("raw") == 1, "the closed peer to leave")
    # It left without saying goodbye: the relay says it, and nothing else came.
    goodbye = json.loads(b.next_text())
    assert goodbye["payload"]["peerId"] == "h1" and goodbye["payload"]["status"] == "offline"


def test_the_server_closing_completes_with_a_raw_client(server: ServerThread) -> None:
    a, _ = pair(server)

    async def close(conn: Any) -> None:
        await server.server.relay.close_connection(conn, 1001, "going away")

    future = on_server_conn(server, a, close)
    a.expect_close(1001)
    future.result(TIMEOUT)


def test_many_messages_keep_their_order_through_inline_writes_and_the_queue(
    server: ServerThread,
) -> None:
    a, b = pair(server)
    pad = "p" * 2000
    texts = [message(f"m{i}", n=i, pad=pad) for i in range(3000)]  # ~6 MB: more than sockets hold
    stream = b"".join(text(t) for t in texts)
    rng = random.Random(6)
    pos = 0
    while pos < len(stream):  # writes that cut frames anywhere
        step = rng.randint(1, 40_000)
        a.send(stream[pos : pos + step])
        pos += step
    # b read nothing meanwhile: its socket filled, and the rest waited in its queue.
    received = [b.next_text() for _ in texts]
    assert received == texts
    assert relay_parses(server, a)
    a.send(text(message("inline again")))
    assert b.next_text() == message("inline again")


def test_frames_sent_with_the_request_still_arrive(server: ServerThread) -> None:
    # RFC 6455 says a client waits for the 101 before sending frames; one that
    # does not is read by websockets (and recv()), not lost. (No early ping:
    # websockets would answer it before its 101.)
    listener = RawPeer(server.port)
    wait_for(lambda: server.peer_count("raw") == 1, "the listener")
    eager = RawPeer(server.port, after_request=text(message("early")))
    assert listener.next_text() == message("early")
    assert not relay_parses(server, eager)
    eager.send(text(message("later")), frame(OP_PING, b"later ping"))
    assert listener.next_text() == message("later")
    assert eager.next_event() == (OP_PONG, b"later ping")


def test_messages_before_the_relay_attaches_are_not_lost(
    server_factory: Callable[..., ServerThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = Relay.handle
    pending: List[int] = []

    async def late_handle(relay: Relay, conn: Any) -> None:
        await asyncio.sleep(0.3)  # the connection is open, its messages arrive
        assert isinstance(conn, RelayConnection)
        pending.append(len(conn._pending))
        await handle(relay, conn)

    monkeypatch.setattr(Relay, "handle", late_handle)
    server = server_factory()
    listener = RawPeer(server.port)
    wait_for(lambda: server.peer_count("raw") == 1, "the listener")
    sender = RawPeer(server.port)
    texts = [message(f"m{i}", n=i) for i in range(50)]
    for t in texts:
        sender.send(text(t))
    assert [listener.next_text() for _ in texts] == texts
    assert max(pending) > 0, "no message arrived before the relay attached"
    sender.send(text(message("after")))
    assert listener.next_text() == message("after")
