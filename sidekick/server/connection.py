"""The relay's WebSocket connection: messages handled as their bytes arrive.

With websockets alone, a message goes from ``data_received`` through its
generator parser, its message assembler and a task wake-up before ``recv()``
returns it: about 58 µs, a quarter of a click's hop through the relay. So once
the connection is open, :class:`RelayConnection` parses the bytes itself
(:class:`~sidekick.transport.frames.FrameParser` in server mode) and hands
each message to the relay right there, synchronously. websockets still does
everything else: HTTP, the handshake (with the server's access checks),
keepalive pings and the closing handshake. It gets every control frame we
parse, re-encoded, so it answers pings, sees its pongs and closes as before.
"""

from __future__ import annotations

import struct
import sys
from typing import Any, Callable, List, Optional, Union

from websockets.asyncio.server import ServerConnection
from websockets.protocol import CONNECTING, OPEN

from ..transport.frames import (
    OP_BINARY,
    OP_CLOSE,
    Event,
    FrameParser,
    ProtocolViolation,
    encode_frame,
)

__all__ = ["Message", "RelayConnection", "text_frame", "text_head"]

#: A data message: ``str`` for text, ``bytes`` for binary.
Message = Union[str, bytes]

# The request is kept until the connection opens, to check that nothing came
# after it; a head this large is not a browser's, and stays with websockets.
_MAX_HEAD = 64 * 1024

# Control frames handed to websockets never touch the wire: any key will do,
# and this one makes unmasking them a no-op.
_NO_KEY = b"\0\0\0\0"

_TEXT_HEADS = [bytes((0x81, n)) for n in range(126)]


def _nothing() -> None:
    pass


def text_head(n: int) -> bytes:
    """The head of a server's (unmasked) text frame of ``n`` bytes."""
    if n < 126:
        return _TEXT_HEADS[n]
    if n < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, n)
    return struct.pack("!BBQ", 0x81, 127, n)


def text_frame(data: bytes) -> bytes:
    """A server's (unmasked) text frame carrying ``data``, already UTF-8."""
    return text_head(len(data)) + data


class RelayConnection(ServerConnection):
    """A server connection that hands its messages to a callback synchronously.

    Messages that arrive before :meth:`attach` wait, in order. ``recv()`` only
    returns messages websockets parsed itself (see :meth:`_take_over`), and
    raises ``ConnectionClosed`` once the connection is closed, as usual.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everything received during the handshake, until we decide who parses.
        self._head: Optional[bytearray] = bytearray()
        self._parser: Optional[FrameParser] = None
        self._on_message: Optional[Callable[[Message], None]] = None
        self._on_read_end: Callable[[], None] = _nothing
        self._pending: List[Message] = []

    def attach(
        self, on_message: Callable[[Message], None], on_read_end: Callable[[], None]
    ) -> None:
        """Call ``on_message`` with each message, from now on and those waiting,
        and ``on_read_end`` after the messages of each read."""
        self._on_message = on_message
        self._on_read_end = on_read_end
        pending, self._pending = self._pending, []
        try:
            for message in pending:
                on_message(message)
        finally:
            on_read_end()

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:
            parser = self._take_over(data)
            if parser is None:
                super().data_received(data)
                return
        try:
            events = parser.feed(data)
        except ProtocolViolation as exc:
            self._parser = None  # websockets' parser discards whatever follows
            if self._deliver(exc.events):
                # As websockets fails a connection: close frame, then half-close;
                # the client's close is awaited so it surely reads our code.
                self.protocol.fail(exc.code, exc.reason)
                self.send_data()
            return
        self._deliver(events)

    def _deliver(self, events: List[Event]) -> bool:
        """Hand ``events`` on, then end the read; False when a close frame ended the input."""
        try:
            return self._hand_on(events)
        finally:
            self._on_read_end()

    def _take_over(self, data: bytes) -> Optional[FrameParser]:
        """Our parser, if the bytes are ours to parse from now on; else None."""
        head = self._head
        if head is None:
            return None  # decided: websockets parses this connection
        state = self.protocol.state
        if state is CONNECTING:
            head += data
            if len(head) > _MAX_HEAD:
                self._head = None
            return None
        self._head = None
        # Control frames go on to websockets, so its parser must have stopped
        # exactly at the end of the request. A client that sent frames before
        # our 101 (RFC 6455 says it must wait) keeps websockets' parser, and
        # its messages come out of recv() instead; slower, just as correct.
        if state is not OPEN or head.find(b"\r\n\r\n") != len(head) - 4:
            return None
        # websockets 17 renamed the protocol's max_size to max_message_size.
        protocol = self.protocol
        max_size = getattr(protocol, "max_message_size", getattr(protocol, "max_size", None))
        self._parser = FrameParser(sys.maxsize if max_size is None else max_size, server=True)
        return self._parser

    def _hand_on(self, events: List[Event]) -> bool:
        """Hand ``events`` on; False when a close frame ended the connection's input."""
        on_message = self._on_message
        # After a close frame, sent or received, data messages are ignored.
        open_ = self.protocol.state is OPEN
        for opcode, payload in events:
            if isinstance(payload, str) or opcode == OP_BINARY:
                if not open_:
                    continue
                if on_message is not None:
                    on_message(payload)
                else:
                    self._pending.append(payload)
                continue
            super().data_received(encode_frame(opcode, payload, _NO_KEY))
            if opcode == OP_CLOSE:  # websockets answers it and discards what follows
                self._parser = None
                return False
        return True
