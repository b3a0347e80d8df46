"""WebSocket transport: :mod:`.frames` driven by an asyncio protocol.

Sending is a plain ``transport.write`` from the service's sender coroutine;
besides, :meth:`WebSocketTransport.send_now` lets any thread put a message on
an idle connection itself, sparing the loop's wake-up (a click's answer
leaves from the callback thread, a burst's full batches from the calling
thread). Every write, from either side, holds one
lock, so frames never interleave. Received messages wait in a small inbox;
reading pauses when the service falls behind, so a flood cannot grow memory.

Reading can be lent the same way (:meth:`WebSocketTransport.lend_reading`):
while the callback thread has nothing to run, the loop stops reading and
that thread waits on the socket itself, so a click reaches its callback
without a hand-over between threads (on this project's 2-core VM a thread
hand-over cost ~80 µs of a ~0.6 ms round trip). The borrower takes only
complete text messages; anything else (control frames, a partial frame, a
protocol error, the end of the stream) ends the loan, and the loop handles it
and reads again.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import threading
from typing import Any, Callable, Deque, List, Optional, Sequence, Tuple, Union

from .._log import logger
from ..urls import display_url
from . import frames
from .base import Transport, TransportClosed
from .contact import MAX_FRAME, Contact, ws_target

__all__ = ["WebSocketTransport", "connect_websocket", "adopt_websocket", "display_url"]


#: Keepalive: a ping this often, and the connection is dead if its pong takes longer.
PING_INTERVAL = 20.0
PING_TIMEOUT = 20.0
#: How long close() waits for the server to finish the closing handshake.
CLOSE_TIMEOUT = 1.0
# Write buffer: room for a few batch frames before send() waits for the socket.
_WRITE_HIGH = 256 * 1024
# Bytes taken from the socket per read (asyncio's own default).
_READ_BUFFER = 256 * 1024
# Inbox bounds (messages): pause reading above, resume below.
_INBOX_HIGH, _INBOX_LOW = 256, 64


class WebSocketTransport(Transport, asyncio.BufferedProtocol):
    """One client connection; create it with :func:`connect_websocket`."""

    def __init__(
        self,
        url: str,
        sock: Optional[socket.socket],
        parser: frames.FrameParser,
        handshake: Optional[Tuple[bytes, str]] = None,
        unhandled: Sequence[frames.Event] = (),
    ) -> None:
        """``handshake`` is the (request, key) that opens the connection.

        Without one the connection is open already: a first contact's (see
        :mod:`.contact`), with the events it read and did not handle.
        """
        self.description = display_url(url)
        # The plain TCP socket, for send_now (None over TLS: only asyncio may write).
        self._sock = sock
        self._write_lock = threading.Lock()
        self._handoff: Optional[bytes] = None  # the rest of a partial send_now, for the loop
        self._loop = asyncio.get_running_loop()
        self._handshake = handshake
        self._head = bytearray()
        self.opened: asyncio.Future[None] = self._loop.create_future()
        self._parser = parser
        self.adopted = handshake is None
        self._unhandled = list(unhandled)
        if handshake is None:
            self.opened.set_result(None)
        self._read_buffer = memoryview(bytearray(_READ_BUFFER))
        self._tr: Optional[asyncio.Transport] = None
        self._inbox: Deque[Union[str, bytes]] = collections.deque()
        self._receiver: Optional[Callable[[Union[str, bytes]], None]] = None
        self._reader: Optional[asyncio.Future[None]] = None
        self._drain: Optional[asyncio.Future[None]] = None
        self._paused_reading = False
        self._closed: Optional[str] = None  # why, once no more may be sent
        self._close_sent = False
        self._lost: asyncio.Future[None] = self._loop.create_future()
        self._ping_timer: Optional[asyncio.TimerHandle] = None
        self._pong_timer: Optional[asyncio.TimerHandle] = None
        # Lending reading (see the module docstring): _lent is True from the
        # loop's lend_reading until _end_loan; the borrower reads only while
        # it is, under _loan_lock, so it never touches a closed socket.
        self._loan_lock = threading.Lock()
        self._lent = False
        self._loan_ending = False  # the borrower read what only the loop handles
        self._stream_ended = False  # the borrower found the end of the stream (or an error)
        self._loan_wake: Optional[Callable[[], None]] = None
        self._loan_rest: Optional[Tuple[List[frames.Event], Optional[BaseException]]] = None

    # ------------------------------------------------------- the Transport API

    def write(self, texts: List[str]) -> None:
        # One write for all: each socket write releases the GIL, and a busy
        # calling thread may then keep it for the whole switch interval (5 ms)
        # before the loop gets it back. (120 KiB groups measured the same
        # within noise; one write is simpler.)
        if self._closed is not None:
            raise TransportClosed(self._closed)
        if texts:
            self._write_data(frames.encode_texts(texts))

    async def drain(self) -> None:
        while self._drain is not None and self._closed is None:
            await asyncio.shield(self._drain)
        if self._closed is not None:
            raise TransportClosed(self._closed)

    def send_now(self, texts: List[str]) -> bool:
        """From any thread: write ``texts`` at once if nothing waits to be written.

        Returns False (nothing written) when the connection is busy, closed or
        TLS; the caller then queues the texts for :meth:`write` as usual.
        """
        sock, tr = self._sock, self._tr
        if sock is None or tr is None or self._closed is not None:
            return False
        data = frames.encode_texts(texts)
        with self._write_lock:
            # An empty asyncio buffer means asyncio is not writing: the socket is ours.
            # _close_sent too: nothing may follow our close frame on the wire.
            busy = self._handoff is not None or tr.get_write_buffer_size()
            if busy or self._closed is not None or self._close_sent:
                return False
            try:
                sent = sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                return False  # the loop's next write reports the broken connection
            if sent < len(data):
                # The socket is full: asyncio writes the rest, before any other
                # write (see _write), so frames never interleave.
                self._handoff = data[sent:]
                self._loop.call_soon_threadsafe(self._finish_handoff)
        return True

    def _finish_handoff(self) -> None:
        with self._write_lock:
            self._write_handoff_locked()

    def _write_handoff_locked(self) -> None:
        rest, self._handoff = self._handoff, None
        if rest is not None and self._tr is not None and not self._tr.is_closing():
            self._tr.write(rest)

    # ------------------------------------------------------ lending reading

    @property
    def can_lend(self) -> bool:
        return self._sock is not None

    @property
    def lent(self) -> bool:
        return self._lent and not self._loan_ending

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            pass  # the loop is closed: so is the connection

    def lend_reading(self, wake: Callable[[], None]) -> Optional[int]:
        """On the loop: stop reading and let another thread read; its file descriptor, or None.

        The borrower waits until the descriptor is readable, calls
        :meth:`read_lent`, and then :meth:`give_back`. ``wake`` is called (on
        the loop) if the loan ends otherwise: the connection closing.
        """
        tr, sock = self._tr, self._sock
        if (
            sock is None
            or tr is None
            or self._lent
            or self._stream_ended
            or self._receiver is None
            or self._inbox
            or self._paused_reading
            or self._closed is not None
            or not self.opened.done()
            or not self._parser.idle
        ):
            return None
        tr.pause_reading()
        with self._loan_lock:
            self._lent = True
            self._loan_wake = wake
        return sock.fileno()

    def read_lent(self, deliver: Callable[[List[str]], None]) -> Optional[List[str]]:
        """On the borrowing thread: read, and ``deliver`` the text messages that arrived.

        Returns them (None when the loan has ended: nothing was read).
        ``deliver`` runs under the loan's lock, so the loop cannot take the
        reading back between the read and the delivery and deliver a later
        message first. Whatever else arrived (control frames, a partial or
        broken frame, the end of the stream) ends the loan: :attr:`lent`
        turns False, and the borrower must then :meth:`give_back`, so the
        loop takes that over and reads again.
        """
        with self._loan_lock:
            if not self._lent or self._loan_ending:
                return None
            assert self._sock is not None
            try:
                nbytes = self._sock.recv_into(self._read_buffer)
            except (BlockingIOError, InterruptedError):
                return []
            except OSError as exc:
                self._stream_ended = True
                self._end_loan_soon([], exc)
                return []
            if nbytes == 0:
                # The end of the stream: the loop reads it again (not lending
                # any more: that read is what ends the connection).
                self._stream_ended = True
                self._end_loan_soon([], None)
                return []
            failure: Optional[BaseException] = None
            try:
                events = self._parser.feed(self._read_buffer[:nbytes])
            except frames.ProtocolViolation as exc:
                events, failure = exc.events, exc
            texts = frames.leading_texts(events)
            if failure is not None or len(texts) < len(events) or not self._parser.idle:
                self._end_loan_soon(events[len(texts) :], failure)
            if texts:
                deliver(texts)
            return texts

    def _end_loan_soon(self, rest: List[frames.Event], failure: Optional[BaseException]) -> None:
        """Borrower, under the loan lock: the loop takes ``rest`` over, with the reading.

        The borrower calls give_back once it has queued the texts it kept,
        so what the loop delivers from ``rest`` comes after them.
        """
        self._loan_rest = (rest, failure)
        self._loan_ending = True

    def give_back(self, wake: bool = False) -> None:
        """From any thread: the loop reads again; ``wake`` a borrower that may be waiting."""
        self.call_soon(self._end_loan, wake)

    def _end_loan(self, wake_borrower: bool = True) -> None:
        """On the loop: take what the borrower left, and read again."""
        with self._loan_lock:
            if not self._lent:
                return
            self._lent = False
            self._loan_ending = False
            wake, self._loan_wake = self._loan_wake, None
            rest, self._loan_rest = self._loan_rest, None
        tr = self._tr
        if tr is not None and not tr.is_closing() and not self._paused_reading:
            tr.resume_reading()
        if rest is not None:
            # Only what the borrower left: the texts before it are its own.
            events, failure = rest
            self._deliver(events)
            if isinstance(failure, frames.ProtocolViolation):
                self._violated(failure)
            elif failure is not None and tr is not None:
                self._set_closed(f"connection lost ({failure})")  # as connection_lost says it
                tr.abort()
        if wake is not None and wake_borrower:
            wake()  # a borrower still waiting finds the loan over

    def set_receiver(self, receiver: Callable[[Union[str, bytes]], None]) -> None:
        """Hand each message to ``receiver`` as it arrives, on the loop.

        This spares the loop iteration that resuming a ``recv()`` costs; after
        it, ``recv()`` only waits for the close (and returns what came before).
        """
        self._receiver = receiver

    async def recv(self) -> str:
        inbox = self._inbox
        while not inbox:
            if self._closed is not None:
                raise TransportClosed(self._closed)
            self._reader = self._loop.create_future()
            try:
                await self._reader
            finally:
                self._reader = None
        message = inbox.popleft()
        if self._paused_reading and len(inbox) < _INBOX_LOW and self._tr is not None:
            self._paused_reading = False
            self._tr.resume_reading()
        # bytes (a binary frame) go on: protocol.decode() reports them as junk.
        return message  # type: ignore[return-value]

    async def close(self) -> None:
        """Closing handshake, bounded by :data:`CLOSE_TIMEOUT`; never raises."""
        if self._tr is None:
            return
        if not self._close_sent and not self._lost.done():
            self._send_close(1000)
        self._set_closed("closed by us")
        try:
            await asyncio.wait_for(asyncio.shield(self._lost), CLOSE_TIMEOUT)
        except asyncio.TimeoutError:
            pass  # aborted below
        if not self._lost.done():
            self._tr.abort()

    def abort(self) -> None:
        """Drop the connection without a handshake (a failed open)."""
        if self._tr is not None:
            self._tr.abort()

    # -------------------------------------------------- asyncio.Protocol side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        tr = transport
        assert isinstance(tr, asyncio.Transport)
        self._tr = tr
        tr.set_write_buffer_limits(high=_WRITE_HIGH)
        if self._handshake is not None:
            tr.write(self._handshake[0])
            return
        self._ping_timer = self._loop.call_later(PING_INTERVAL, self._ping)
        unhandled, self._unhandled = self._unhandled, []
        self._deliver(unhandled)

    # Reads land in one buffer of ours (BufferedProtocol): a plain Protocol
    # makes asyncio allocate a fresh 256 KiB bytes object per read, which
    # costs a click's round trip ~25 µs of mmap/munmap and page faults.
    def get_buffer(self, sizehint: int) -> memoryview:
        return self._read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        self._received(self._read_buffer[:nbytes])

    def _received(self, data: Union[bytes, memoryview]) -> None:
        # ``data`` is only valid during this call: the parser copies what it keeps.
        if self._tr is None or self._tr.is_closing():
            return  # failed already: the rest is noise
        if not self.opened.done():
            data = self._handshake_data(data)
            if not data:
                return
        try:
            events = self._parser.feed(data)
        except frames.ProtocolViolation as exc:
            self._deliver(exc.events)  # what came before the violation
            self._violated(exc)
            return
        self._deliver(events)

    def _violated(self, exc: frames.ProtocolViolation) -> None:
        logger.warning("sidekick: %s broke the WebSocket protocol: %s", self.description, exc)
        self._fail(exc.code, f"protocol error: {exc.reason}")

    def eof_received(self) -> Optional[bool]:
        return False  # close our side too

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._set_closed(f"connection lost ({exc})" if exc else "connection closed")
        for timer in (self._ping_timer, self._pong_timer):
            if timer is not None:
                timer.cancel()
        if not self.opened.done():
            self.opened.set_exception(
                ConnectionError(f"the server closed the connection during the handshake ({exc})")
            )
        if not self._lost.done():
            self._lost.set_result(None)
        self._wake_writer()

    def pause_writing(self) -> None:
        if self._drain is None:
            self._drain = self._loop.create_future()

    def resume_writing(self) -> None:
        self._wake_writer()

    # ------------------------------------------------------------- internals

    def _handshake_data(self, data: Union[bytes, memoryview]) -> bytes:
        """Collect the response head; return what follows it (already frames)."""
        assert self._handshake is not None
        head = self._head
        head += data
        try:
            rest = frames.split_response(head, self._handshake[1])
        except frames.HandshakeError as exc:
            self._open_failed(exc)
            return b""
        if rest is None:
            return b""
        self._head = bytearray()
        self.opened.set_result(None)
        self._ping_timer = self._loop.call_later(PING_INTERVAL, self._ping)
        return rest

    def _open_failed(self, exc: BaseException) -> None:
        self.opened.set_exception(exc)
        assert self._tr is not None
        self._tr.abort()

    def _deliver(self, events: List[frames.Event]) -> None:
        for opcode, payload in events:
            if opcode == frames.OP_TEXT or opcode == frames.OP_BINARY:
                if self._closed is not None:
                    # The connection is ending (a close frame either way, a
                    # protocol failure or a dead keepalive): RFC 6455 allows no
                    # data after a close, and the service stops reading.
                    continue
                if self._receiver is not None and not self._inbox:
                    try:
                        self._receiver(payload)
                    except Exception:
                        logger.exception("sidekick: error while handling a message")
                else:
                    self._inbox.append(payload)
            elif opcode == frames.OP_PING:
                if not self._close_sent:
                    self._write(frames.OP_PONG, payload)  # type: ignore[arg-type]
            elif opcode == frames.OP_PONG:
                if self._pong_timer is not None:
                    self._pong_timer.cancel()
                    self._pong_timer = None
            elif opcode == frames.OP_CLOSE:
                self._on_close(payload)  # type: ignore[arg-type]
        reader = self._reader
        if reader is not None and not reader.done() and (self._inbox or self._closed):
            reader.set_result(None)
        if len(self._inbox) > _INBOX_HIGH and not self._paused_reading and self._tr is not None:
            self._paused_reading = True
            self._tr.pause_reading()

    def _on_close(self, payload: bytes) -> None:
        try:
            code, reason = frames.parse_close(payload)
        except frames.ProtocolViolation as exc:
            self._fail(exc.code, f"protocol error: {exc.reason}")
            return
        if not self._close_sent:
            self._send_close(1000 if code == 1005 else code)
        detail = f"code {code}" + (f", {reason}" if reason else "")
        self._set_closed(f"the server closed the connection ({detail})")
        # The server closes TCP next; abort if it lingers.
        self._loop.call_later(CLOSE_TIMEOUT, self.abort)

    def _fail(self, code: int, why: str) -> None:
        if not self._close_sent and self._tr is not None and not self._tr.is_closing():
            self._send_close(code)
        self._set_closed(why)
        if self._tr is not None:
            self._tr.close()  # after the close frame is written

    def _set_closed(self, why: str) -> None:
        if self._closed is None:
            self._closed = why
        self._end_loan()  # the closing handshake has to be read by the loop
        reader = self._reader
        if reader is not None and not reader.done():
            reader.set_result(None)

    def _send_close(self, code: int) -> None:
        self._close_sent = True
        self._write(frames.OP_CLOSE, frames.close_payload(code))

    def _write(self, opcode: int, payload: bytes) -> None:
        self._write_data(frames.encode_frame(opcode, payload))

    def _write_data(self, data: bytes) -> None:
        assert self._tr is not None
        with self._write_lock:
            if self._handoff is not None:
                self._write_handoff_locked()
            self._tr.write(data)

    def _wake_writer(self) -> None:
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    def _ping(self) -> None:
        if self._closed is not None or self._tr is None:
            return
        self._write(frames.OP_PING, os.urandom(4))
        if self._pong_timer is None:
            self._pong_timer = self._loop.call_later(PING_TIMEOUT, self._keepalive_timeout)
        self._ping_timer = self._loop.call_later(PING_INTERVAL, self._ping)

    def _keepalive_timeout(self) -> None:
        self._pong_timer = None
        logger.debug("sidekick: no pong from %s: dropping the connection", self.description)
        self._set_closed("keepalive ping timeout")
        if self._tr is not None:
            self._tr.abort()


async def connect_websocket(
    url: str, open_timeout: Optional[float] = 5.0, max_size: int = MAX_FRAME
) -> WebSocketTransport:
    """Open a WebSocket to ``url`` (``ws://`` or ``wss://``).

    Raises ``OSError`` (refused, unreachable), ``asyncio.TimeoutError``, or
    :class:`~sidekick.transport.frames.HandshakeError` when the server does
    not upgrade the connection.
    """
    hostname, port, host, resource, secure = ws_target(url)
    ssl_context: Any = None
    if secure:
        import ssl  # only for wss://: it costs import time

        ssl_context = ssl.create_default_context()
    handshake = frames.handshake_request(host, resource)
    made: List[WebSocketTransport] = []
    sock: Optional[socket.socket] = None

    def factory() -> WebSocketTransport:
        # send_now writes to the socket itself: only where asyncio does the same
        # (plain TCP under a selector loop; not TLS, not Windows' proactor).
        loop = asyncio.get_running_loop()
        direct = not secure and isinstance(loop, asyncio.SelectorEventLoop)
        parser = frames.FrameParser(max_size)
        made.append(WebSocketTransport(url, sock if direct else None, parser, handshake))
        return made[-1]

    async def open_() -> WebSocketTransport:
        nonlocal sock
        loop = asyncio.get_running_loop()
        sock = await _connect_socket(hostname, port)
        server_hostname = hostname if secure else None
        await loop.create_connection(
            factory, sock=sock, ssl=ssl_context, server_hostname=server_hostname
        )
        await made[0].opened
        return made[0]

    try:
        return await asyncio.wait_for(open_(), open_timeout)
    except BaseException:
        if made and made[0]._tr is not None:
            made[0].abort()  # closes the socket too
        elif sock is not None:
            sock.close()
        raise


async def adopt_websocket(contact: Contact) -> WebSocketTransport:
    """The transport of a connection opened before the loop (see :mod:`.contact`)."""
    loop = asyncio.get_running_loop()
    sock = contact.sock
    sock.setblocking(False)
    direct = isinstance(loop, asyncio.SelectorEventLoop)  # as in connect_websocket
    transport = WebSocketTransport(
        contact.url, sock if direct else None, contact.parser, unhandled=contact.events
    )
    try:
        await loop.create_connection(lambda: transport, sock=sock)
    except BaseException:
        sock.close()
        raise
    return transport


async def _connect_socket(host: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket; each address of ``host`` in turn.

    We make the socket ourselves (asyncio's own is hidden behind a wrapper)
    so :meth:`WebSocketTransport.send_now` can write to it.
    """
    loop = asyncio.get_running_loop()
    try:  # an IP address needs no lookup (and no executor thread)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except RuntimeError:
            # At interpreter exit (Python 3.9) the executor takes no new
            # threads; the exit flush still has to connect.
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    error: Optional[OSError] = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
        except BaseException:
            sock.close()
            raise
    raise error or OSError(f"no address found for {host}")
