"""The first connection, made with a plain blocking socket before asyncio loads.

A script's first picture waits for its first connection, and ``asyncio`` is
the heaviest import of the library (~35 ms of ~100 ms from process start to
the first spawn at the UI, on this project's VM). So the loop thread first
opens the connection here, with :mod:`.frames` and a blocking socket: it
sends the hero's announce, takes what the server sends at once (the
announces of UIs already online) and writes the replay they call for. Only
then does it import asyncio and hand the socket, with whatever it read
beyond that, to :class:`~sidekick.transport.websocket.WebSocketTransport`.

Plain ``ws://`` only: ``wss://`` needs :mod:`ssl` (another import as heavy),
and goes the asyncio way.
"""

from __future__ import annotations

import os
import socket
import time
from typing import List, Optional, Tuple
from urllib.parse import urlsplit

from ..urls import display_url
from . import frames

__all__ = ["Contact", "FAILURES", "MAX_FRAME", "open_contact", "ws_target"]

#: What a contact raises when the network or the server fails it (anything
#: else is a bug).
FAILURES = (OSError, ValueError, frames.HandshakeError, frames.ProtocolViolation)

# Large enough for any frame the UI sends (events are tiny) and for replays
# from other heroes relayed to us; bounded so junk cannot exhaust memory.
MAX_FRAME = 16 * 1024 * 1024


def ws_target(url: str) -> Tuple[str, int, str, str, bool]:
    """(hostname, port, Host header, resource, secure) of a ``ws://``/``wss://`` URL."""
    parts = urlsplit(url)
    hostname = parts.hostname
    if parts.scheme not in ("ws", "wss") or not hostname:
        raise ValueError(f"not a WebSocket URL: {display_url(url)}")
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    resource = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]  # as written, with [brackets] and :port
    return hostname, port, host, resource, secure


class Contact:
    """An open WebSocket on a blocking socket, until the transport adopts it.

    ``events`` holds what was read and not yet handled, in order; the
    parser keeps any partial frame. Both go to the transport.
    """

    def __init__(self, url: str, max_size: int, timeout: float) -> None:
        hostname, port, host, resource, _ = ws_target(url)  # ws:// (see open_contact)
        self.url = url
        self.parser = frames.FrameParser(max_size)
        self.events: List[frames.Event] = []
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout
        self.sock = socket.create_connection((hostname, port), timeout=timeout)
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request, key = frames.handshake_request(host, resource)
            self.sock.sendall(request)
            self._handshake(key)
        except BaseException:
            self.sock.close()
            raise

    def _handshake(self, key: str) -> None:
        head = bytearray()
        while True:
            chunk = self._recv(self._deadline)
            if not chunk:
                raise ConnectionError("the server closed the connection during the handshake")
            head += chunk
            rest = frames.split_response(head, key)
            if rest is not None:
                self.events += self.parser.feed(rest)
                return

    def _recv(self, deadline: float) -> bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out")
        self.sock.settimeout(remaining)
        return self.sock.recv(65536)

    def write(self, texts: List[str]) -> None:
        """Send ``texts`` as text frames, blocking until the socket took them."""
        self.sock.settimeout(self._timeout)
        self.sock.sendall(frames.encode_texts(texts))

    def read_answers(self, wait: float) -> None:
        """Read into :attr:`events` until the server answered a ping, or ``wait`` s.

        The server sends the announces of peers already online as soon as we
        join, before it reads anything of ours; its pong to a ping sent now
        comes after them. So the pong marks "everything there was at once".
        """
        token = os.urandom(8)
        self.sock.settimeout(wait)
        self.sock.sendall(frames.encode_frame(frames.OP_PING, token))
        deadline = time.monotonic() + wait
        events = self.events
        checked = 0
        while True:
            for i in range(checked, len(events)):
                opcode, payload = events[i]
                if opcode == frames.OP_PONG and payload == token:
                    del events[i]  # our own: nobody else wants it
                    return
                if opcode == frames.OP_CLOSE:
                    return
            checked = len(events)
            try:
                chunk = self._recv(deadline)
            except (socket.timeout, BlockingIOError):
                return  # a slow server: the transport reads the rest
            if not chunk:
                return  # the end of the stream: the transport finds it too
            events += self.parser.feed(chunk)

    def take_leading_texts(self) -> List[str]:
        """Remove and return the text messages at the head of :attr:`events`."""
        texts = frames.leading_texts(self.events)
        del self.events[: len(texts)]
        return texts

    def give_back(self, texts: List[str]) -> None:
        """Put ``texts`` back at the head of :attr:`events` (for the transport)."""
        self.events[:0] = [(frames.OP_TEXT, text) for text in texts]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def open_contact(url: str, max_size: int, timeout: float) -> Optional[Contact]:
    """A :class:`Contact` for ``url``, or None for ``wss://`` (not made this way)."""
    if urlsplit(url).scheme != "ws":
        return None
    return Contact(url, max_size, timeout)
