"""The pure WebSocket client core: handshake, masking, framing, reassembly, violations;
and the parser's server mode, which the relay uses."""

from __future__ import annotations

import base64
import importlib.machinery
import os
import struct
import sys
from pathlib import Path
from typing import Callable, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidekick.transport import frames, masking
from sidekick.transport.frames import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONT,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FrameParser,
    HandshakeError,
    ProtocolViolation,
)
from tests.support.rawserver import accept_for


def server_frame(opcode: int, payload: bytes, fin: bool = True, rsv: int = 0) -> bytes:
    """A frame as a server sends it: unmasked, any length encoding."""
    b0 = (0x80 if fin else 0) | rsv | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


def unmask_client_frame(frame: bytes) -> tuple:
    """(fin, opcode, payload) of a frame we sent; checks it is masked."""
    b0, b1 = frame[0], frame[1]
    assert b1 & 0x80, "client frames must be masked"
    n, pos = b1 & 0x7F, 2
    if n == 126:
        (n,) = struct.unpack_from("!H", frame, 2)
        pos = 4
    elif n == 127:
        (n,) = struct.unpack_from("!Q", frame, 2)
        pos = 10
    key = frame[pos : pos + 4]
    body = frame[pos + 4 :]
    assert len(body) == n
    return bool(b0 & 0x80), b0 & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


def response(key: str, status: str = "101 Switching Protocols", **extra: str) -> bytes:
    lines = [
        f"HTTP/1.1 {status}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept_for(key)}",
    ]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in extra.items()]
    return "\r\n".join(lines).encode()


# ---------------------------------------------------------------- handshake


def test_request_carries_a_fresh_key_and_the_resource() -> None:
    request, key = frames.handshake_request("127.0.0.1:5163", "/?session=a&token=b")
    again, other = frames.handshake_request("127.0.0.1:5163", "/")
    assert key != other
    assert len(base64.b64decode(key)) == 16
    text = request.decode()
    assert text.startswith("GET /?session=a&token=b HTTP/1.1\r\n")
    assert "\r\nHost: 127.0.0.1:5163\r\n" in text
    assert f"\r\nSec-WebSocket-Key: {key}\r\n" in text
    assert "\r\nSec-WebSocket-Version: 13\r\n" in text
    assert text.endswith("\r\n\r\n")


def test_the_response_head_is_split_from_the_frames_after_it() -> None:
    _, key = frames.handshake_request("h", "/")
    head = bytearray(response(key)[:20])
    assert frames.split_response(head, key) is None  # not all there yet
    head = bytearray(response(key) + b"\r\n\r\n\x81\x01a")
    assert frames.split_response(head, key) == b"\x81\x01a"
    with pytest.raises(HandshakeError, match="too large"):
        frames.split_response(bytearray(b"x" * (frames.MAX_HANDSHAKE + 1)), key)
    with pytest.raises(HandshakeError, match="HTTP 403"):
        frames.split_response(bytearray(response(key, "403 Forbidden") + b"\r\n\r\n"), key)


def test_texts_are_framed_in_order() -> None:
    data = frames.encode_texts(["a", "é" * 200])
    parser = FrameParser(1 << 20, server=True)
    assert parser.feed(data) == [(OP_TEXT, "a"), (OP_TEXT, "é" * 200)]
    assert frames.encode_texts([]) == b""


def test_a_correct_upgrade_passes() -> None:
    _, key = frames.handshake_request("h", "/")
    frames.check_handshake(response(key), key)
    # Header names are case-insensitive and Connection may list several tokens.
    lower = response(key).replace(b"Connection: Upgrade", b"connection: keep-alive, upgrade")
    frames.check_handshake(lower, key)


def test_a_refusal_reports_the_http_status() -> None:
    with pytest.raises(HandshakeError, match="HTTP 403") as info:
        frames.check_handshake(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0", "k")
    assert info.value.status == 403


@pytest.mark.parametrize(
    "head, why",
    [
        (b"SSH-2.0-OpenSSH_9.2", "not an HTTP response"),
        (b"HTTP/1.1 abc Weird", "not an HTTP response"),
        (b"HTTP/1.1 101 OK\r\nno colon here", "malformed header"),
    ],
)
def test_garbage_instead_of_a_response_is_refused(head: bytes, why: str) -> None:
    with pytest.raises(HandshakeError, match=why):
        frames.check_handshake(head, "k")


def test_a_wrong_accept_or_missing_upgrade_is_refused() -> None:
    _, key = frames.handshake_request("h", "/")
    with pytest.raises(HandshakeError, match="Sec-WebSocket-Accept"):
        frames.check_handshake(response("another key"), key)
    with pytest.raises(HandshakeError, match="did not upgrade"):
        frames.check_handshake(response(key).replace(b"websocket", b"h2c"), key)
    with pytest.raises(HandshakeError, match="did not upgrade the connection"):
        frames.check_handshake(response(key).replace(b"Connection: Upgrade", b"Connection: x"), key)


def test_extensions_we_did_not_offer_are_refused() -> None:
    _, key = frames.handshake_request("h", "/")
    with pytest.raises(HandshakeError, match="extensions"):
        frames.check_handshake(response(key, Sec_WebSocket_Extensions="permessage-deflate"), key)


# -------------------------------------------------------------- our frames


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_client_frames_are_masked_and_length_encoded(size: int) -> None:
    payload = os.urandom(size)
    fin, opcode, body = unmask_client_frame(frames.encode_frame(OP_TEXT, payload))
    assert (fin, opcode, body) == (True, OP_TEXT, payload)


def test_each_frame_gets_its_own_mask_key() -> None:
    a = frames.encode_frame(OP_TEXT, b"same text")
    b = frames.encode_frame(OP_TEXT, b"same text")
    assert a[2:6] != b[2:6]


def _xor(key: bytes, data: bytes) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


@given(key=st.binary(min_size=4, max_size=4), data=st.binary(max_size=3000))
def test_mask_is_bytewise_xor(key: bytes, data: bytes) -> None:
    expected = _xor(key, data)
    assert frames.mask(key, data) == expected
    assert frames.mask(key, expected) == data
    assert masking.python_mask(key, data) == expected


@pytest.mark.parametrize("size", [5, 114_000, 262_144, 262_145, 600_000])
def test_mask_of_batch_sized_and_larger_payloads(size: int) -> None:
    # Through the cached repeat pattern, at its limit, and past it.
    key, data = os.urandom(4), os.urandom(size)
    expected = _xor(key, data)
    assert frames.mask(key, data) == expected
    assert masking.python_mask(key, data) == expected
    assert masking.python_mask(key, data[:7]) == expected[:7]  # shorter after the cache grew


def test_bulk_payloads_are_masked_in_c_when_websockets_has_it() -> None:
    fast = masking.load_accelerator()
    if fast is None:
        pytest.skip("this websockets install has no compiled speedups")
    key, data = os.urandom(4), os.urandom(masking.BULK)
    assert frames.mask(key, data) == fast(data, key) == _xor(key, data)
    assert masking._fast is not None  # the first bulk payload loaded it


def test_masking_falls_back_to_python_without_a_usable_accelerator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "websockets.speedups", raising=False)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert masking.load_accelerator() is None  # no websockets at all
    package = tmp_path / "websockets"
    package.mkdir()
    (package / "__init__.py").write_text("")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (package / f"speedups{suffix}").write_bytes(b"not a shared object")
    assert masking.load_accelerator() is None  # junk where the C file should be
    assert masking._checked(lambda data, key: data) is None  # loads, but masks wrong
    assert masking._checked(lambda data: data) is None  # another signature


# ------------------------------------------------------------ server frames


def test_messages_in_one_chunk_or_byte_by_byte_are_the_same() -> None:
    stream = (
        server_frame(OP_TEXT, "héllo".encode())
        + server_frame(OP_PING, b"p")
        + server_frame(OP_TEXT, b"x" * 70_000)
        + server_frame(OP_BINARY, b"\x00\x01")
    )
    whole = FrameParser(1 << 20).feed(stream)
    parser = FrameParser(1 << 20)
    pieces: List[frames.Event] = []
    for i in range(len(stream)):
        pieces += parser.feed(stream[i : i + 1])
    expected = [(OP_TEXT, "héllo"), (OP_PING, b"p"), (OP_TEXT, "x" * 70_000), (OP_BINARY, b"\0\1")]
    assert whole == pieces == expected


def test_fragments_are_reassembled_with_control_frames_in_between() -> None:
    text = "ü".encode()  # split inside the character: decoding waits for the whole message
    stream = (
        server_frame(OP_TEXT, b"ab" + text[:1], fin=False)
        + server_frame(OP_PING, b"mid")
        + server_frame(OP_CONT, text[1:], fin=False)
        + server_frame(OP_CONT, b"cd")
        + server_frame(OP_TEXT, b"next")
    )
    assert FrameParser(100).feed(stream) == [
        (OP_PING, b"mid"),
        (OP_TEXT, "abücd"),
        (OP_TEXT, "next"),
    ]


def test_close_payload_is_parsed() -> None:
    events = FrameParser(100).feed(server_frame(OP_CLOSE, frames.close_payload(1001, "bye")))
    assert events == [(OP_CLOSE, struct.pack("!H", 1001) + b"bye")]
    assert frames.parse_close(events[0][1]) == (1001, "bye")  # type: ignore[arg-type]
    assert frames.parse_close(b"") == (1005, "")
    for bad in (b"\x03", struct.pack("!H", 999), struct.pack("!H", 1005), b"\x03\xe8\xff"):
        with pytest.raises(ProtocolViolation):
            frames.parse_close(bad)


@pytest.mark.parametrize(
    "stream, code, why",
    [
        (server_frame(OP_TEXT, b"x", rsv=0x40), 1002, "reserved bits"),
        (b"\x81\x81abcdx", 1002, "masked"),
        (server_frame(0x3, b""), 1002, "unknown opcode"),
        (server_frame(OP_PING, b"", fin=False), 1002, "fragmented control"),
        (server_frame(OP_PING, b"p" * 126), 1002, "longer than 125"),
        (server_frame(OP_CONT, b"x"), 1002, "continuation"),
        (server_frame(OP_TEXT, b"a", fin=False) + server_frame(OP_TEXT, b"b"), 1002, "before"),
        (server_frame(OP_TEXT, b"\xff\xfe"), 1007, "UTF-8"),
        (server_frame(OP_TEXT, b"y" * 101), 1009, "larger than 100"),
        (
            server_frame(OP_TEXT, b"y" * 60, fin=False) + server_frame(OP_CONT, b"y" * 60),
            1009,
            "larger",
        ),
    ],
)
def test_violations_carry_the_close_code(stream: bytes, code: int, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why) as info:
        FrameParser(100).feed(stream)
    assert info.value.code == code


def test_an_oversized_frame_is_refused_from_its_header_alone() -> None:
    # 64-bit length of 2**62: refused before any of it arrives (no buffering).
    with pytest.raises(ProtocolViolation) as info:
        FrameParser(1 << 20).feed(b"\x81\x7f" + struct.pack("!Q", 1 << 62))
    assert info.value.code == 1009


def test_events_before_a_violation_are_kept() -> None:
    stream = server_frame(OP_TEXT, b"good") + server_frame(OP_TEXT, b"\xff")
    with pytest.raises(ProtocolViolation) as info:
        FrameParser(100).feed(stream)
    assert info.value.events == [(OP_TEXT, "good")]


def test_pong_and_binary_pass_through() -> None:
    stream = server_frame(OP_PONG, b"k") + server_frame(OP_BINARY, b"\xff")
    assert FrameParser(10).feed(stream) == [(OP_PONG, b"k"), (OP_BINARY, b"\xff")]


@settings(max_examples=300, deadline=None)
@given(junk=st.binary(max_size=400), split=st.integers(min_value=1, max_value=50))
def test_junk_only_ever_raises_protocol_violation(junk: bytes, split: int) -> None:
    parser = FrameParser(256)
    try:
        for i in range(0, len(junk), split):
            for opcode, payload in parser.feed(junk[i : i + split]):
                assert opcode in (OP_TEXT, OP_BINARY, OP_PING, OP_PONG, OP_CLOSE)
                assert isinstance(payload, str if opcode == OP_TEXT else bytes)
    except ProtocolViolation as exc:
        assert exc.code in (1002, 1007, 1009)


def test_the_parser_is_idle_only_between_messages() -> None:
    parser = FrameParser(1 << 20)
    assert parser.idle
    assert parser.feed(b"\x81\x03ab") == [] and not parser.idle  # half a frame
    assert parser.feed(b"c") == [(OP_TEXT, "abc")] and parser.idle
    assert parser.feed(b"\x01\x01a") == [] and not parser.idle  # half a message (fragments)
    assert parser.feed(b"\x80\x01b") == [(OP_TEXT, "ab")] and parser.idle


# ---------------------------------------------------- client frames (server mode)


def client_frame(opcode: int, payload: bytes, fin: bool = True, key: bytes = b"k3y!") -> bytes:
    """A frame as a client sends it: masked with ``key``."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, 0x80 | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", b0, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", b0, 0x80 | 127, n)
    return head + key + masking.python_mask(key, payload)


@pytest.fixture(params=["C", "Python"])
def server_parser(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Callable[[int], FrameParser]:
    """A server-mode parser factory, unmasking in C (when available) or in Python."""
    if request.param == "Python":
        monkeypatch.setattr(frames, "load_accelerator", lambda: None)
    elif masking.load_accelerator() is None:
        pytest.skip("this websockets install has no compiled speedups")
    return lambda max_size: FrameParser(max_size, server=True)


def test_server_mode_unmasks_client_frames_in_any_chunking(
    server_parser: Callable[[int], FrameParser],
) -> None:
    big = os.urandom(70_000)
    stream = (
        client_frame(OP_TEXT, "héllo".encode())
        + client_frame(OP_PING, b"p", key=os.urandom(4))
        + client_frame(OP_TEXT, b"x" * 126)
        + client_frame(OP_BINARY, big)
        + client_frame(OP_TEXT, b"")
        + client_frame(OP_CLOSE, frames.close_payload(1000))
    )
    expected = [
        (OP_TEXT, "héllo"),
        (OP_PING, b"p"),
        (OP_TEXT, "x" * 126),
        (OP_BINARY, big),
        (OP_TEXT, ""),
        (OP_CLOSE, struct.pack("!H", 1000)),
    ]
    assert server_parser(1 << 20).feed(stream) == expected
    parser = server_parser(1 << 20)
    pieces: List[frames.Event] = []
    for i in range(0, len(stream), 7):
        pieces += parser.feed(stream[i : i + 7])
    assert pieces == expected and parser.idle


def test_server_mode_reassembles_fragments_around_control_frames(
    server_parser: Callable[[int], FrameParser],
) -> None:
    text = "ü".encode()
    stream = (
        client_frame(OP_TEXT, b"ab" + text[:1], fin=False)
        + client_frame(OP_PONG, b"mid")
        + client_frame(OP_CONT, text[1:], fin=False)
        + client_frame(OP_CONT, b"cd")
    )
    parser = server_parser(100)
    assert parser.feed(stream[:-3]) == [(OP_PONG, b"mid")] and not parser.idle
    assert parser.feed(stream[-3:]) == [(OP_TEXT, "abücd")] and parser.idle


@pytest.mark.parametrize(
    "stream, code, why",
    [
        (server_frame(OP_TEXT, b"x"), 1002, "unmasked"),
        (client_frame(OP_TEXT, b"ok") + server_frame(OP_PING, b""), 1002, "unmasked"),
        (client_frame(OP_TEXT, b"\xff\xfe"), 1007, "UTF-8"),
        (client_frame(OP_TEXT, b"y" * 101), 1009, "larger than 100"),
        (client_frame(OP_PING, b"p", fin=False), 1002, "fragmented control"),
        (client_frame(OP_CONT, b"x"), 1002, "continuation"),
    ],
)
def test_server_mode_violations(stream: bytes, code: int, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why) as info:
        FrameParser(100, server=True).feed(stream)
    assert info.value.code == code


def test_server_mode_refuses_an_oversized_frame_from_its_header() -> None:
    with pytest.raises(ProtocolViolation) as info:
        FrameParser(1 << 20, server=True).feed(b"\x81\xff" + struct.pack("!Q", 1 << 62))
    assert info.value.code == 1009


@settings(max_examples=200, deadline=None)
@given(
    messages=st.lists(st.text(max_size=300), max_size=8),
    split=st.integers(min_value=1, max_value=64),
)
def test_server_mode_reads_what_our_client_writes(messages: List[str], split: int) -> None:
    stream = b"".join(frames.encode_frame(OP_TEXT, m.encode()) for m in messages)
    parser = FrameParser(1 << 20, server=True)
    events: List[frames.Event] = []
    for i in range(0, len(stream), split):
        events += parser.feed(stream[i : i + split])
    assert events == [(OP_TEXT, m) for m in messages]
