"""The relay: sessions, peer announces and message routing.

Each WebSocket connection is a peer in one session (``?session=<id>``, or the
default session). Frames are forwarded as the exact bytes received; the relay
parses them only to spot ``system/announce`` and to drop junk. A ``batch``
frame (recognised by its exact envelope, as heroes write it) is forwarded
without being parsed: it cannot be an announce, parsing its hundreds of
messages would cost the relay more than everything else it does, and the UI
checks each message inside it anyway. Each peer has
its own bounded outbound queue drained by a writer task, so a peer that stops
reading delays nobody else and is disconnected once it falls too far behind.

A message is routed as soon as its bytes arrive (:class:`RelayConnection`
calls :meth:`Relay.route` from ``data_received``), and written at the end of
that same read to each peer whose socket takes it: no task switch on the way
through, and one write per peer for all the messages one read brought.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import time
from typing import Any, Deque, Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import OPEN  # State.OPEN would cost 0.1 µs a lookup

from .connection import Message, RelayConnection, text_frame, text_head
from .logs import RateLimitedLog, logger

__all__ = ["DEFAULT_SESSION", "Relay"]


#: Session joined by connections that name none.
DEFAULT_SESSION = ""

_HERO = "hero"
_SIDEKICK = "sidekick"
_ROLES = frozenset({_HERO, _SIDEKICK})
_STATUSES = frozenset({"online", "offline"})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


# Strict JSON, as the protocol demands: NaN and Infinity make a frame junk.
# One shared decoder, so the per-frame path builds nothing.
_decoder = json.JSONDecoder(parse_constant=_reject_constant)
_decode_padded = _decoder.decode
_decode_value = _decoder.raw_decode


def _decode(frame: str) -> Any:
    """The JSON value ``frame`` holds (ValueError if it holds anything else).

    A frame written as one object, ``{`` to ``}`` (what peers write), skips
    the decoder's two scans for surrounding white space: ~0.8 µs of ~3.
    """
    if frame[:1] == "{" and frame[-1:] == "}":
        value, end = _decode_value(frame)
        if end != len(frame):
            raise ValueError("extra data after the JSON value")
        return value
    return _decode_padded(frame)


# A batch frame as heroes write it. Only frames that start with exactly this
# envelope (and end by closing it) take the unparsed fast path; anything else,
# including a batch spelled differently, is parsed and checked as usual.
_BATCH_HEAD = '{"id":0,"component":"global","type":"batch","payload":{"messages":['
_BATCH_TAIL = "]}}"

# Close code 1013 ("try again later"): the peer may reconnect and will get a
# fresh replay from its hero.
_CLOSE_TOO_SLOW = 1013
_TOO_SLOW_REASON = "peer too slow: outbound queue full"


class _Peer:
    """One connection: its session, announce and outbound queue."""

    __slots__ = (
        "announce",
        "closing",
        "conn",
        "name",
        "outbox",
        "peer_id",
        "queue",
        "queued_bytes",
        "relay",
        "role",
        "session",
        "version",
        "wakeup",
        "writer",
    )

    def __init__(self, relay: Relay, conn: ServerConnection, session: _Session) -> None:
        self.relay = relay
        self.conn = conn
        self.session = session
        self.role: Optional[str] = None
        self.peer_id: Optional[str] = None
        self.version: Any = None
        #: The stored online announce frame, or None when not online.
        self.announce: Optional[bytes] = None
        self.queue: Deque[bytes] = collections.deque()
        self.queued_bytes = 0
        #: Messages routed to this peer during the current read (see forward).
        self.outbox: List[bytes] = []
        self.wakeup = asyncio.Event()
        self.closing = False
        self.writer: Optional[asyncio.Task[None]] = None
        address = conn.remote_address
        self.name = f"{address[0]}:{address[1]}" if address else "?"

    def enqueue(self, data: bytes) -> None:
        if self.closing:
            return
        queue = self.queue
        queue.append(data)
        self.queued_bytes += len(data)
        relay = self.relay
        if self.queued_bytes > relay.max_queue_bytes or len(queue) > relay.max_queue_frames:
            self.drop_too_slow()
            return
        if len(queue) == 1:
            self.wakeup.set()

    def forward(self, data: bytes) -> None:
        """Send ``data`` to this peer when the relay next flushes (the end of this read).

        A read can bring many messages (a hero that does not batch, a burst
        of events): held until then, they reach this peer in one write, not
        one system call each (~7.5 µs a message, a third of relaying one).
        """
        if self.closing:
            return
        outbox = self.outbox
        outbox.append(data)
        if len(outbox) == 1:
            self.relay.dirty.append(self)

    def flush(self) -> None:
        """Write what :meth:`forward` held now if the socket takes it, else queue it.

        Written at once only when nothing waits in the queue (order) and the
        socket's buffer is empty (otherwise the writer task's flow control is
        in charge): that skips a loop iteration of the writer task, about a
        tenth of a click's round trip.
        """
        outbox = self.outbox
        if not outbox or self.closing:
            outbox.clear()
            return
        self.outbox = []
        if not self.queue:
            conn = self.conn
            transport = conn.transport
            if (
                transport.get_write_buffer_size() == 0
                and not transport.is_closing()
                and conn.protocol.state is OPEN
            ):
                if len(outbox) == 1:
                    transport.write(text_frame(outbox[0]))
                else:  # heads and payloads as they are: copied once at most
                    parts: List[bytes] = []
                    for data in outbox:
                        parts.append(text_head(len(data)))
                        parts.append(data)
                    transport.writelines(parts)
                return
        for data in outbox:
            self.enqueue(data)

    def drop_too_slow(self) -> None:
        logger.warning(
            "disconnecting %s peer %s: it fell behind by %d frames (%d bytes)",
            self.role or "unannounced",
            self.name,
            len(self.queue),
            self.queued_bytes,
        )
        self.closing = True
        self.queue.clear()
        self.queued_bytes = 0
        if self.writer is not None:
            self.writer.cancel()
        task = asyncio.ensure_future(
            self.relay.close_connection(self.conn, _CLOSE_TOO_SLOW, _TOO_SLOW_REASON)
        )
        self.relay.background.add(task)
        task.add_done_callback(self.relay.background.discard)

    async def write_loop(self) -> None:
        queue = self.queue
        send = self.conn.send
        wakeup = self.wakeup
        try:
            while True:
                while queue:
                    data = queue.popleft()
                    self.queued_bytes -= len(data)
                    await send(data, text=True)
                wakeup.clear()
                await wakeup.wait()
        except ConnectionClosed:
            pass


class _Session:
    """The peers sharing one session id, indexed by role for routing."""

    __slots__ = ("heroes", "id", "peers", "sidekicks")

    def __init__(self, session_id: str) -> None:
        self.id = session_id
        # Dicts used as ordered sets: delivery order follows connection order.
        self.peers: Dict[_Peer, None] = {}
        self.heroes: Dict[_Peer, None] = {}
        self.sidekicks: Dict[_Peer, None] = {}

    def set_role(self, peer: _Peer, role: str) -> None:
        self.heroes.pop(peer, None)
        self.sidekicks.pop(peer, None)
        (self.heroes if role == _HERO else self.sidekicks)[peer] = None

    def remove(self, peer: _Peer) -> None:
        self.peers.pop(peer, None)
        self.heroes.pop(peer, None)
        self.sidekicks.pop(peer, None)


class Relay:
    """Route frames between the peers of each session.

    ``max_queue_bytes`` and ``max_queue_frames`` bound what may wait for one
    slow peer before it is disconnected.
    """

    def __init__(
        self,
        *,
        max_queue_bytes: int = 64 * 1024 * 1024,
        max_queue_frames: int = 50_000,
        close_timeout: float = 2.0,
    ) -> None:
        self.max_queue_bytes = max_queue_bytes
        self.max_queue_frames = max_queue_frames
        self.close_timeout = close_timeout
        self.sessions: Dict[str, _Session] = {}
        self.background: set[asyncio.Future[None]] = set()
        self._junk_log = RateLimitedLog()
        #: Peers whose outbox holds messages: written by the next flush().
        self.dirty: List[_Peer] = []

    # -- introspection (tests, diagnostics) ---------------------------------

    def peer_count(self, session: Optional[str] = None) -> int:
        """Number of connected peers, in one session or in all."""
        if session is not None:
            found = self.sessions.get(session)
            return len(found.peers) if found else 0
        return sum(len(s.peers) for s in self.sessions.values())

    # -- connection lifecycle -------------------------------------------------

    async def handle(self, conn: ServerConnection) -> None:
        """Serve one accepted WebSocket connection until it closes."""
        session_id = session_from_path(conn.request.path if conn.request else "/")
        session = self.sessions.get(session_id)
        if session is None:
            session = self.sessions[session_id] = _Session(session_id)
        peer = _Peer(self, conn, session)
        # The newcomer learns who is online before anything else reaches it:
        # its queue is filled before it joins the routing tables.
        for other in session.peers:
            if other.announce is not None:
                peer.enqueue(other.announce)
        session.peers[peer] = None
        peer.writer = asyncio.ensure_future(peer.write_loop())
        logger.debug("peer %s joined session %r", peer.name, session_id)
        route = functools.partial(self.route, peer)
        if isinstance(conn, RelayConnection):
            # From now on, messages are routed as they arrive, and written at
            # the end of each read.
            conn.attach(route, self.flush)
        try:
            # With a RelayConnection, recv() returns only what websockets parsed
            # itself (frames sent before the handshake's end), and tells of the
            # close; with another connection, every message comes this way.
            while not peer.closing:
                route(await conn.recv())
                self.flush()
        except ConnectionClosed:
            pass
        finally:
            self._leave(peer)
            self.flush()

    def flush(self) -> None:
        """Write what was routed since the last flush: one write per peer."""
        dirty = self.dirty
        if dirty:
            self.dirty = []
            for peer in dirty:
                peer.flush()

    def route(self, peer: _Peer, frame: Message) -> None:
        """Forward one message from ``peer`` to the peers it is for, in arrival order."""
        if peer.closing:
            return  # leaving, or dropped as too slow: what it still sends is moot
        if not isinstance(frame, str):
            self._junk_log.warning(
                "dropped a binary frame from %s (the protocol is JSON text)", peer.name
            )
            return
        if not (frame.startswith(_BATCH_HEAD) and frame.endswith(_BATCH_TAIL)):
            try:
                message = _decode(frame)
            except (ValueError, RecursionError):  # deep nesting: RecursionError
                self._junk_log.warning("dropped a frame that is not JSON from %s", peer.name)
                return
            if type(message) is not dict:
                self._junk_log.warning("dropped a non-object JSON frame from %s", peer.name)
                return
            if message.get("type") == "announce" and message.get("component") == "system":
                self._on_announce(peer, message, frame.encode())
                return
        data = frame.encode()
        role = peer.role
        session = peer.session
        if role == _HERO:
            targets = session.sidekicks
        elif role == _SIDEKICK:
            targets = session.heroes
        else:
            targets = session.peers
        # No copy of ``targets``: nothing here yields, and forwarding only
        # holds the message for the flush at the end of this read.
        for target in targets:
            if target is not peer:
                target.forward(data)

    def _on_announce(self, peer: _Peer, message: Dict[str, Any], data: bytes) -> None:
        payload = message.get("payload")
        if not (
            isinstance(payload, dict)
            and isinstance(payload.get("peerId"), str)
            and payload.get("role") in _ROLES
            and payload.get("status") in _STATUSES
        ):
            self._junk_log.warning("dropped a malformed announce from %s", peer.name)
            return
        session = peer.session
        role = payload["role"]
        if role != peer.role:
            peer.role = role
            session.set_role(peer, role)
        peer.peer_id = payload["peerId"]
        peer.version = payload.get("version")
        peer.announce = data if payload["status"] == "online" else None
        logger.debug("%s %s is %s in session %r", role, peer.peer_id, payload["status"], session.id)
        for other in session.peers:
            if other is not peer:
                other.forward(data)  # after what this read routed to it before

    def _leave(self, peer: _Peer) -> None:
        peer.closing = True
        if peer.writer is not None:
            peer.writer.cancel()
        session = peer.session
        session.remove(peer)
        if peer.announce is not None:
            # The peer vanished without saying goodbye; say it for them so
            # the others do not wait for it.
            payload: Dict[str, Any] = {
                "peerId": peer.peer_id,
                "role": peer.role,
                "status": "offline",
                "timestamp": int(time.time() * 1000),
            }
            if peer.version is not None:
                payload["version"] = peer.version
            goodbye = json.dumps(
                {"id": 0, "component": "system", "type": "announce", "payload": payload},
                separators=(",", ":"),
            ).encode()
            for other in session.peers:
                other.forward(goodbye)
            peer.announce = None
        if not session.peers and self.sessions.get(session.id) is session:
            del self.sessions[session.id]
        logger.debug("peer %s left session %r", peer.name, session.id)

    async def close_connection(
        self, conn: ServerConnection, code: int, reason: str, timeout: Optional[float] = None
    ) -> None:
        """Close ``conn``, aborting it when the peer does not cooperate in time.

        ``close()`` waits for the write buffer to drain first, which never
        happens with a peer that stopped reading.
        """
        if timeout is None:
            timeout = self.close_timeout
        try:
            await asyncio.wait_for(conn.close(code, reason), timeout)
        except (asyncio.TimeoutError, ConnectionClosed, OSError):
            pass
        finally:
            if conn.transport is not None and not conn.transport.is_closing():
                conn.transport.abort()

    async def close_all(
        self,
        code: int = 1001,
        reason: str = "server shutting down",
        timeout: Optional[float] = None,
    ) -> None:
        """Close every peer's connection (used on server shutdown)."""
        conns = [peer.conn for session in self.sessions.values() for peer in session.peers]
        if conns:
            await asyncio.gather(
                *(self.close_connection(conn, code, reason, timeout) for conn in conns),
                return_exceptions=True,
            )
        for task in list(self.background):
            task.cancel()


def session_from_path(path: str) -> str:
    """The session named by a request path's ``session`` query parameter."""
    query = urlsplit(path).query
    if not query:
        return DEFAULT_SESSION
    values = parse_qs(query).get("session")
    return values[0] if values else DEFAULT_SESSION
