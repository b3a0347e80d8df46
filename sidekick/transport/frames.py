"""The client side of RFC 6455 (WebSocket), pure: bytes in, bytes and messages out.

No sockets and no loop here, so every rule can be tested directly; the
asyncio adapter in :mod:`sidekick.transport.websocket` does the I/O. We
offer no extensions and no subprotocol, so a server frame with RSV bits set
is an error, as is a masked one. ``FrameParser(..., server=True)`` reads the
other direction (masked client frames) for the relay, which parses its peers'
frames itself (see :mod:`sidekick.server.connection`).

Why our own client instead of the ``websockets`` one: importing
``websockets`` costs about 35 ms (its version module imports
``importlib.metadata``), a third of a script's time to its first picture.
The relay server still uses ``websockets``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from typing import Dict, List, Optional, Tuple, Union

from .masking import load_accelerator, mask

__all__ = [
    "OP_CONT",
    "OP_TEXT",
    "OP_BINARY",
    "OP_CLOSE",
    "OP_PING",
    "OP_PONG",
    "ProtocolViolation",
    "HandshakeError",
    "handshake_request",
    "check_handshake",
    "split_response",
    "encode_frame",
    "encode_texts",
    "leading_texts",
    "frame_parts",
    "mask",
    "close_payload",
    "FrameParser",
]

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_DATA_OPS = (OP_CONT, OP_TEXT, OP_BINARY)
_CONTROL_OPS = (OP_CLOSE, OP_PING, OP_PONG)

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: A handshake response larger than this is not a WebSocket server talking.
MAX_HANDSHAKE = 16 * 1024

#: What ``FrameParser.feed`` yields: (opcode, payload) where the payload of a
#: text message is already decoded.
Event = Tuple[int, Union[str, bytes]]


class ProtocolViolation(Exception):
    """The server broke the protocol; ``code`` is the close code to answer with."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.events: List[Event] = []


class HandshakeError(Exception):
    """The server did not upgrade the connection (``status`` is its HTTP status, if any)."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------- handshake


def handshake_request(host: str, resource: str) -> Tuple[bytes, str]:
    """The HTTP upgrade request for ``resource`` on ``host``, and the key it carries."""
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    request = (
        f"GET {resource} HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "\r\n"
    )
    return request.encode("latin-1"), key


def check_handshake(head: bytes, key: str) -> None:
    """Check the server's response head (up to the blank line); raises :class:`HandshakeError`."""
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/"):
        raise HandshakeError(f"not an HTTP response: {lines[0][:80]!r}")
    try:
        status = int(status_line[1])
    except ValueError:
        raise HandshakeError(f"not an HTTP response: {lines[0][:80]!r}") from None
    if status != 101:
        raise HandshakeError(f"server rejected WebSocket connection: HTTP {status}", status)
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HandshakeError(f"malformed header line in the handshake: {line[:80]!r}")
        name = name.strip().lower()
        # Repeated headers are joined as HTTP allows; only Connection may repeat here.
        headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
    if headers.get("upgrade", "").lower() != "websocket":
        raise HandshakeError("the server did not upgrade to WebSocket")
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    if "upgrade" not in tokens:
        raise HandshakeError("the server did not upgrade the connection")
    expected = base64.b64encode(hashlib.sha1(key.encode("ascii") + _GUID).digest()).decode()
    if headers.get("sec-websocket-accept") != expected:
        raise HandshakeError("the server answered with a wrong Sec-WebSocket-Accept")
    for offered_none in ("sec-websocket-extensions", "sec-websocket-protocol"):
        if offered_none in headers:
            raise HandshakeError(f"the server chose a {offered_none} we did not offer")


def split_response(head: bytearray, key: str) -> Optional[bytes]:
    """The bytes after the response head once ``head`` holds all of it (None until then).

    Those bytes are frames already. Raises :class:`HandshakeError` when the
    head is refused, or too large to be a WebSocket server's.
    """
    end = head.find(b"\r\n\r\n")
    if end < 0:
        if len(head) > MAX_HANDSHAKE:
            raise HandshakeError("handshake response too large")
        return None
    check_handshake(bytes(head[:end]), key)
    return bytes(head[end + 4 :])


# ------------------------------------------------------------------ framing


def encode_frame(opcode: int, payload: bytes, key: Optional[bytes] = None) -> bytes:
    """One final, masked client frame (``key`` is random unless given, for tests)."""
    return b"".join(frame_parts(opcode, payload, key))


def encode_texts(texts: List[str]) -> bytes:
    """Text frames for ``texts``, in order, as one block to write."""
    parts: List[bytes] = []
    for text in texts:
        parts += frame_parts(OP_TEXT, text.encode("utf-8"))
    return b"".join(parts)


def leading_texts(events: List[Event]) -> List[str]:
    """The payloads of the text messages at the head of ``events``, up to anything else."""
    texts: List[str] = []
    for opcode, payload in events:
        if opcode != OP_TEXT:
            break
        texts.append(payload)  # type: ignore[arg-type]  # a text message is a str
    return texts


def frame_parts(
    opcode: int, payload: bytes, key: Optional[bytes] = None
) -> Tuple[bytes, bytes, bytes]:
    """:func:`encode_frame` in three pieces, for callers that join many frames at once."""
    if key is None:
        key = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head, key, mask(key, payload)


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


def parse_close(payload: bytes) -> Tuple[int, str]:
    """(code, reason) of a close frame; 1005 when it carries no code."""
    if not payload:
        return 1005, ""
    if len(payload) == 1:
        raise ProtocolViolation(1002, "close frame with a one-byte payload")
    (code,) = struct.unpack("!H", payload[:2])
    if not (1000 <= code < 5000) or code in (1004, 1005, 1006, 1015):
        raise ProtocolViolation(1002, f"close frame with invalid code {code}")
    try:
        return code, payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolViolation(1007, "close reason is not valid UTF-8") from None


class FrameParser:
    """Reassembles server frames into messages; raises :class:`ProtocolViolation`.

    ``feed`` takes whatever bytes arrived and returns the complete events in
    order: ``(OP_TEXT, str)``, ``(OP_BINARY, bytes)``, ``(OP_PING, bytes)``,
    ``(OP_PONG, bytes)`` and ``(OP_CLOSE, bytes)`` (the raw close payload).
    A violation raises with the events complete before it in ``exc.events``;
    the parser must not be fed again after that.

    With ``server=True`` it reads client frames instead, as a server does:
    every frame must be masked (RFC 6455 section 5.1), and is unmasked.
    """

    def __init__(self, max_size: int, *, server: bool = False) -> None:
        self.max_size = max_size
        self.server = bool(server)
        self._mask_error = (
            "the client sent an unmasked frame" if server else "the server masked a frame"
        )
        # A server process has websockets (and its C masking loop) loaded
        # anyway, and unmasks every message it gets: C pays off at any size.
        self._unmask = load_accelerator() if server else None
        self._buf = bytearray()
        self._parts: List[bytes] = []
        self._part_op: Optional[int] = None  # opcode of the message being reassembled
        self._part_size = 0

    @property
    def idle(self) -> bool:
        """True between messages: nothing buffered, no fragmented message under way."""
        return not self._buf and self._part_op is None

    def feed(self, data: Union[bytes, bytearray, memoryview]) -> List[Event]:
        buf = self._buf
        buf += data
        events: List[Event] = []
        try:
            pos = self._parse(buf, events)
        except ProtocolViolation as exc:
            exc.events = events
            raise
        if pos:
            del buf[:pos]
        return events

    def _parse(self, buf: bytearray, events: List[Event]) -> int:
        """Append every complete event in ``buf`` to ``events``; return the bytes used."""
        pos = 0
        end = len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            fin, opcode, length = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if b0 & 0x70:
                raise ProtocolViolation(1002, "reserved bits set without an extension")
            masked = b1 & 0x80
            if bool(masked) is not self.server:
                raise ProtocolViolation(1002, self._mask_error)
            start = pos + 2
            if length == 126:
                if end - start < 2:
                    break
                (length,) = struct.unpack_from("!H", buf, start)
                start += 2
            elif length == 127:
                if end - start < 8:
                    break
                (length,) = struct.unpack_from("!Q", buf, start)
                start += 8
            self._check_header(fin, opcode, length)
            if masked:
                if end - start < length + 4:
                    break
                key = bytes(buf[start : start + 4])
                start += 4
                pos = start + length
                unmask = self._unmask
                if unmask is not None:  # C, which takes any buffer: no copy to bytes first
                    payload = unmask(buf[start:pos], key)  # type: ignore[arg-type]
                else:
                    payload = mask(key, bytes(buf[start:pos]))
            else:
                if end - start < length:
                    break
                payload = bytes(buf[start : start + length])
                pos = start + length
            event = self._frame(fin, opcode, payload)
            if event is not None:
                events.append(event)
        return pos

    def _check_header(self, fin: int, opcode: int, length: int) -> None:
        if opcode in _CONTROL_OPS:
            if not fin:
                raise ProtocolViolation(1002, "fragmented control frame")
            if length > 125:
                raise ProtocolViolation(1002, "control frame longer than 125 bytes")
        elif opcode not in _DATA_OPS:
            raise ProtocolViolation(1002, f"unknown opcode {opcode:#x}")
        elif self._part_size + length > self.max_size:
            raise ProtocolViolation(1009, f"message larger than {self.max_size} bytes")

    def _frame(self, fin: int, opcode: int, payload: bytes) -> Optional[Event]:
        if opcode in _CONTROL_OPS:
            return opcode, payload
        if opcode == OP_CONT:
            if self._part_op is None:
                raise ProtocolViolation(1002, "continuation frame without a message to continue")
            opcode = self._part_op
        elif self._part_op is not None:
            raise ProtocolViolation(1002, "new message before the last one was finished")
        if not fin:
            self._part_op = opcode
            self._parts.append(payload)
            self._part_size += len(payload)
            return None
        if self._parts:
            self._parts.append(payload)
            payload = b"".join(self._parts)
            self._parts = []
            self._part_op = None
            self._part_size = 0
        if opcode == OP_BINARY:
            return opcode, payload
        try:
            return opcode, payload.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolViolation(1007, "text message is not valid UTF-8") from None
