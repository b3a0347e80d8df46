"""ConnectionService: the one object that moves messages between script and UI.

States and transitions::

    idle ──activate()──▶ activating ──connected──▶ active
                             │                      │  transport lost
                             │ first connect fails  ▼
                             ▼                   activating (reconnect with
                           failed                backoff 0.5 s doubling to 30 s)
    any ──shutdown()──▶ shutdown ──activate() (any component call)──▶ activating
    failed ──set_url() / activate_connection()──▶ activating

The send path runs on the caller's thread: a component encodes its message,
then, under :attr:`lock`, updates its own state and calls
:meth:`enqueue_locked`. Only while a UI is attached are messages queued; until
then the components' state *is* the buffer: whenever a ``sidekick`` peer
announces online the service sends ``clearAll`` plus every live component's
replay, so nothing is lost and nothing grows without bound. The master
coroutine on the library loop, woken by the first message of a burst, writes
the queue under the lock (in ``batch`` frames when every UI supports them) and
looks again every :data:`_LINGER` until it finds it empty. Two shortcuts skip
the loop: a message that finds the connection idle, and a burst's every
:data:`_BURST_BYTES`, are written by the calling thread itself
(``Transport.send_now``) when the socket has room.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple, Union

from . import protocol
from ._env import IN_PYODIDE
from ._log import logger
from ._version import __version__
from ._waits import ACTIVATING, ACTIVE, FAILED, IDLE, SHUTDOWN, Waits
from .callbacks import CallbackRunner
from .connector import ServerConnector
from .errors import SidekickConnectionError
from .task_manager import CPythonTaskManager, PyodideTaskManager, TaskManager
from .transport.base import Transport, TransportClosed

if TYPE_CHECKING:
    import asyncio

    from .transport.contact import Contact

__all__ = ["ConnectionService", "get_service", "IDLE", "ACTIVATING", "ACTIVE", "FAILED", "SHUTDOWN"]


_BACKOFF_START = 0.5
_BACKOFF_MAX = 30.0
#: A message that finds the connection idle this long leaves from the caller's
#: thread (Transport.send_now) instead of waking the loop: a click's answer
#: goes out at once, while a burst still goes through the queue in batches
#: (its messages come microseconds apart). Short enough for answers to clicks
#: that come back to back: at 1 ms, one within 1 ms of the last waited for the
#: loop's next look (_LINGER), and such round trips took 2.2 ms (p50), now 0.35.
_IDLE_BEFORE_DIRECT = 0.0002
#: When more than this much encoded text waits for a UI that is not keeping up
#: (a stalled relay or network), the queue is dropped and the UI gets the
#: components' current state instead (clearAll + replay): memory stays bounded
#: by the state, not by how long the stall lasts.
_MAX_QUEUED_BYTES = 8 * 1024 * 1024
#: After each write the loop looks at the queue again this much later, and goes
#: idle only when it finds it empty. Meanwhile callers queue without waking it:
#: a wake-up per message costs both threads a GIL hand-off each (a caller in a
#: burst then sends one message per ~0.1 ms), and a loop thread that wants the
#: GIL while a caller runs flat out gets it only after the 5 ms switch
#: interval. A 20,000-update burst went from ~65 % to ~80 % of the benchmark's
#: ceiling (1 and 4 ms measured about the same). The price: a message queued
#: right after a write may wait this long; an idle one still leaves at once.
_LINGER = 0.002
#: A burst's caller writes the queue itself, as one batch frame, once this
#: much is queued (just under protocol.MAX_BATCH_BYTES, so it is one frame).
_BURST_BYTES = 30 * 1024
#: How long the first contact waits for the server's answer to its ping
#: (what was there at once: the announces of UIs online) before the loop
#: thread goes on to load asyncio and reads the rest the usual way.
_FIRST_ANSWERS = 0.25
#: The first contact's connect and handshake, like the connector's.
_OPEN_TIMEOUT = 3.0


class ConnectionService(Waits):
    """Owns the connection, the outgoing queue, the peers and the live components."""

    def __init__(self, task_manager: Optional[TaskManager] = None) -> None:
        if task_manager is None:
            task_manager = PyodideTaskManager() if IN_PYODIDE else CPythonTaskManager()
        self._tm = task_manager
        self.callbacks = CallbackRunner(task_manager)
        #: Guards the queue, the peers and every component's replay state.
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.state = IDLE
        self._failure: Optional[BaseException] = None
        self._failure_seen = False
        self._stopping = False
        self._exit_code: Optional[int] = None

        self._queue: List[str] = []
        self._queued_user = 0  # messages in _queue that callers enqueued (not replay)
        self._queued_bytes = 0
        self._resync = False  # the queue overflowed: send a replay at the next drain
        self._enqueued = 0
        self._sent = 0
        self._forwarding = False  # transport up and at least one UI online
        self._wake_pending = False
        self._wake_event: Optional[asyncio.Event] = None
        self._contact: Optional[Contact] = None  # made by _first_contact, for _main
        # While a transport is attached:
        self._send_now: Optional[Callable[[List[str]], bool]] = None
        self._last_direct = 0.0
        # Queued bytes at which enqueue_locked looks at the queue: _BURST_BYTES
        # while a caller may write the burst itself; once the burst is the
        # loop's (socket busy, a UI without batch frames), only for an
        # overflow, until the loop has written.
        self._look_at = _BURST_BYTES
        self._last_burst = 0.0  # when a caller last wrote a burst frame itself

        self._ui_peers: Dict[str, Set[str]] = {}
        self._batch_ok = False
        self.components: Dict[str, Any] = {}
        self.replay_provider: Optional[Callable[[], List[str]]] = None
        self._global_handler: Optional[Callable[[Dict[str, Any]], Any]] = None
        self._async_waiters: List[Any] = []

        self.url: Optional[str] = None
        self.connector = ServerConnector(self._explicit_url)
        self.peer_id = "hero-" + os.urandom(8).hex()
        self._atexit_registered = False

    # ------------------------------------------------------------------ state

    def _explicit_url(self) -> Optional[str]:
        return self.url or os.environ.get("SIDEKICK_URL") or None

    def _set_state(self, state: str) -> None:
        with self._changed:
            self.state = state
            self._changed.notify_all()

    def activate(self) -> None:
        """Start connecting unless already connecting or connected."""
        with self.lock:
            if self.state in (ACTIVATING, ACTIVE):
                return
            self.state = ACTIVATING
            self._failure = None
            self._failure_seen = False
            self._stopping = False
            self._exit_code = None
            self._wake_event = None  # the last loop's, if any
            stale, self._contact = self._contact, None  # a prelude's, never adopted
        if stale is not None:
            stale.close()
        self._register_atexit()
        if self._tm.uses_threads:
            self._tm.start(self._main, prelude=self._first_contact)
        else:
            self._tm.submit(self._main())

    def forget_failure(self) -> None:
        """After a failed first connection, let the next component call try again."""
        with self._changed:
            if self.state == FAILED:
                self.state = IDLE
                self._changed.notify_all()

    def touch(self) -> None:
        """Called by every component call: (re)connect when idle or shut down."""
        if self.state is IDLE or self.state is SHUTDOWN:
            self.activate()

    def is_connected(self) -> bool:
        return self.state is ACTIVE and self._forwarding

    # -------------------------------------------------------------- send path

    def enqueue_locked(self, text: str) -> bool:
        """Queue an encoded message; call with :attr:`lock` held.

        Returns True when the caller must call :meth:`wake` (after releasing
        the lock): once per burst, however many messages it holds.
        """
        if not self._forwarding:
            return False  # the components' state is replayed when a UI arrives
        queue = self._queue
        # In a burst the queue is rarely empty: one check, no call.
        if not queue and self._send_now is not None and self._send_directly_locked(text):
            return False
        self._queued_user += 1
        self._enqueued += 1
        if not self._resync:
            queue.append(text)
            size = self._queued_bytes + len(text)
            self._queued_bytes = size
            # One comparison per call; the rest once per ~30 KB, or not at
            # all while the burst is the loop's.
            if size >= self._look_at and self._queue_full_locked():
                return False  # all of it is on the wire
        if self._wake_pending:
            return False
        self._wake_pending = True
        return True

    def _send_directly_locked(self, text: str) -> bool:
        """Write ``text`` from this thread when nothing is queued or being written.

        Called by :meth:`enqueue_locked` with an empty queue and a transport.

        Order holds: queued messages are written only under the lock, and
        the transport refuses while it still holds earlier ones. Once per idle
        period, so a burst after its first message is batched as usual.
        """
        send_now = self._send_now
        assert send_now is not None and not self._queue  # checked by the caller
        if self._wake_pending or self._resync or self._stopping:
            return False
        now = time.monotonic()
        if now - self._last_direct < _IDLE_BEFORE_DIRECT or not send_now([text]):
            return False
        self._last_direct = now
        self._enqueued += 1
        self._sent += 1  # already on the wire: flush() has nothing to wait for
        return True

    def _queue_full_locked(self) -> bool:
        """A frame's worth or more is queued: write it from here, or give up on a stalled UI.

        True when it was written (nothing is queued any more).
        """
        if self._queued_bytes > _MAX_QUEUED_BYTES and len(self._queue) > 1:
            self._queue = []
            self._queued_bytes = 0
            self._resync = True
            return False
        if self._look_at == _BURST_BYTES and self._send_burst_locked():
            return True
        # The loop writes this burst: until it has, look only for an overflow,
        # rather than try (and pack the queue) again at every call.
        self._look_at = _MAX_QUEUED_BYTES
        return False

    def _send_burst_locked(self) -> bool:
        """Write the queue as one batch frame from this thread, if the connection is idle.

        Called once a burst has queued a frame's worth. Left to the loop,
        the burst's first frame waited for the GIL: a loop thread gets it
        from a caller in a burst only at the caller's next system call or
        after the 5 ms switch interval, and the UI saw nothing for the first
        7-10 ms of a ~100 ms burst. The loop still writes what is left at
        the end of a burst, and everything while the socket is full (then
        this returns False and the queue grows). Benchmark, 60 interleaved
        rounds: 181k -> 201k updates/s, 82 -> 91 % of the ceiling (medians).
        """
        send_now = self._send_now
        if send_now is None or not self._batch_ok or self._stopping:
            return False
        if not send_now(protocol.pack_batches(self._queue)):
            return False  # busy, or a transport that cannot
        self._clear_queue_locked()
        self._last_burst = time.monotonic()
        self._changed.notify_all()
        return True

    def _callers_writing_locked(self) -> float:
        """Seconds the loop should leave the queue to callers writing a burst themselves.

        While callers write full frames (one within the last _LINGER), the
        loop's own writes in between only cut the burst into more, smaller
        frames, and cost the caller a hand-over of the GIL and of the lock
        each. The loop writes the rest _LINGER after the callers' last frame.
        Benchmark (20,000 updates, two interleaved series of 40 and 60
        rounds): 112 -> 90 frames, relay CPU 0.60 -> 0.50 us per update;
        updates/s moved within the machine's noise (-5 % and +7 %).
        """
        if self._look_at != _BURST_BYTES or self._stopping:
            return 0.0  # the burst is the loop's
        return self._last_burst + _LINGER - time.monotonic()

    def _write_queue_locked(self, transport: Union[Transport, Contact]) -> Optional[int]:
        """Hand what is queued to ``transport``, in batch frames if every UI takes them.

        The loop calls it with :attr:`lock` held, so callers wait for the lock
        meanwhile instead of taking the GIL from the loop at its first system
        call (it would get it back only after the 5 ms switch interval).
        Measured against taking the queue under the lock and writing outside
        it: ~80 % vs ~70 % of the benchmark's ceiling, for ~1 µs more per call
        in a burst. The write never waits for the network; the lock is held
        ~0.5 µs per queued message (a full 8 MiB queue: ~30 ms, once).
        Returns how many of the messages callers queued (None: nothing to write).
        """
        items = self._queue
        if self._resync:
            items = self._snapshot_locked()
        elif not items:
            return None
        transport.write(protocol.pack_batches(items) if self._batch_ok else items)
        self._look_at = _BURST_BYTES
        self._queue = []
        self._resync = False
        self._queued_bytes = 0
        count, self._queued_user = self._queued_user, 0
        return count

    def wake(self) -> None:
        # Before the loop runs (the first contact) nobody needs waking:
        # _serve looks at the queue when it starts.
        if self._tm.running:
            self._tm.call_soon(self._set_wake)

    def _set_wake(self) -> None:
        event = self._wake_event
        if event is not None:
            event.set()

    # -------------------------------------------------------------- registry

    def register(self, component: Any) -> None:
        """Record a live component; a duplicate id raises ``ValueError``."""
        instance_id = component.instance_id
        with self.lock:
            if instance_id in self.components:
                raise ValueError(f"a component with instance_id {instance_id!r} already exists")
            self.components[instance_id] = component

    def unregister(self, instance_id: str) -> None:
        with self.lock:
            self.components.pop(instance_id, None)

    def clear_all(self) -> None:
        """Remove every component, here and in the UI."""
        text = protocol.encode(protocol.clear_all())
        self.touch()
        with self.lock:
            components = list(self.components.values())
            self.components.clear()
            for component in components:
                component._mark_removed()
            wake = self.enqueue_locked(text)
        if wake:
            self.wake()

    def set_global_handler(self, handler: Optional[Callable[[Dict[str, Any]], Any]]) -> None:
        if handler is not None and not callable(handler):
            raise TypeError("the global message handler must be callable or None")
        self._global_handler = handler

    # ------------------------------------------------------ first contact

    def _first_contact(self) -> None:
        """The loop thread's prelude: the first connection, before asyncio loads.

        See :mod:`sidekick.transport.contact`. Announces online, handles the
        announces that come at once (UIs online: their replay is written
        right here) and leaves the connection in ``_contact`` for
        :meth:`_main`. Anything else read is left for the transport, in order.
        On any failure the loop connects the usual way.
        """
        url = self.connector.first_url()
        if url is None or self._stopping:
            return
        from .transport.contact import FAILURES, MAX_FRAME, open_contact

        # A failure of the network or the server is the loop's to retry, as
        # usual; anything else is a bug of ours, for the task manager to report.
        try:
            contact = open_contact(url, MAX_FRAME, _OPEN_TIMEOUT)
        except FAILURES as exc:  # refused, timeout, handshake rejected...
            logger.debug("sidekick: connecting to %s failed: %r", url, exc)
            self.connector.unreachable(url, exc)
            return
        if contact is None:
            return
        try:
            contact.write([protocol.encode(self._announce("online"))])
            contact.read_answers(_FIRST_ANSWERS)
            texts = contact.take_leading_texts()
            stopped = self._handle_while(texts, _is_announce)
            if stopped is not None:
                contact.give_back(texts[stopped[0] :])  # the loop's, in order
            with self._changed:
                written = self._write_queue_locked(contact)
                if written is not None:
                    self._sent += written
                    self._changed.notify_all()
        except BaseException as exc:
            contact.close()
            if not isinstance(exc, FAILURES):
                raise
            logger.debug("sidekick: the first contact with %s failed: %r", url, exc)
            return
        self._contact = contact

    # ---------------------------------------------------------- master loop

    async def _main(self) -> None:
        import asyncio

        self._wake_event = asyncio.Event()
        contact, self._contact = self._contact, None
        backoff = _BACKOFF_START
        first = True
        lost = False
        try:
            # With a contact, even a shutdown already asked for goes through
            # _serve: the UI gets our goodbye.
            while not self._stopping or contact is not None:
                try:
                    if first:
                        transport = await self.connector.connect(contact)
                        contact = None
                    else:
                        transport = await self.connector.reconnect()
                except SidekickConnectionError as exc:
                    if first:
                        self._fail(exc)
                        return
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, _BACKOFF_MAX)
                    continue
                first = False
                backoff = _BACKOFF_START
                self._set_state(ACTIVE)
                if lost:
                    logger.warning("sidekick: connection is back (%s)", transport.description)
                    lost = False
                try:
                    await self._serve(transport)
                finally:
                    self._detach()
                if self._stopping:
                    break
                if not lost:
                    logger.warning(
                        "sidekick: lost the connection to %s; reconnecting...",
                        transport.description,
                    )
                    lost = True
                self._set_state(ACTIVATING)
                await self._sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
        except Exception as exc:  # a bug of ours: make it loud, never silent
            logger.exception("sidekick: the connection service stopped unexpectedly")
            self._fail(SidekickConnectionError(f"internal error: {exc!r}", exc))
        finally:
            await self._finish()

    async def _sleep(self, seconds: float) -> None:
        import asyncio

        try:
            await asyncio.wait_for(self._stop_requested(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _stop_requested(self) -> None:
        event = self._wake_event
        assert event is not None
        while not self._stopping:
            event.clear()
            await event.wait()

    async def _serve(self, transport: Transport) -> None:
        """Announce, then write queued messages until the transport closes or we stop."""
        import asyncio

        if not transport.adopted:  # else the first contact announced us
            await transport.send(protocol.encode(self._announce("online")))
        with self.lock:
            self._send_now = transport.send_now
            self._look_at = _BURST_BYTES
        closed = asyncio.Event()
        reader = asyncio.ensure_future(self._read(transport, closed))
        event = self._wake_event
        assert event is not None
        event.set()  # callers may have queued before the loop ran (see wake)
        try:
            while True:
                await event.wait()
                event.clear()
                # Write, then look again a moment later, until a look finds
                # nothing: meanwhile callers queue without waking us again
                # (_wake_pending stays set). See _LINGER.
                while not closed.is_set():  # once closed, a reconnect replays what is left
                    with self._changed:
                        later = self._callers_writing_locked()
                        if later > 0:
                            written = None
                        else:
                            written = self._write_queue_locked(transport)
                            if written is None:
                                self._wake_pending = False
                                break
                    if written is None:  # callers write: look again once they may have stopped
                        await asyncio.sleep(later)
                        continue
                    try:
                        await transport.drain()
                    finally:
                        # Sent, or lost with the transport and rebuilt by the
                        # replay: either way flush() must not wait for them.
                        with self._changed:
                            self._sent += written
                            self._changed.notify_all()
                    if self._stopping:
                        break  # that was the last of the queue: goodbye
                    await asyncio.sleep(_LINGER)
                if self._stopping:
                    await transport.send(protocol.encode(self._announce("offline")))
                    await transport.close()
                    return
                if closed.is_set():
                    return
        except TransportClosed:
            return
        finally:
            reader.cancel()

    async def _read(self, transport: Transport, closed: asyncio.Event) -> None:
        import asyncio

        try:
            transport.set_receiver(self._handle_frame)  # if it pushes, recv() waits for the close
            self.callbacks.read_from(transport, lambda texts: self._handle_lent(transport, texts))
            while True:
                frame = await transport.recv()
                self._handle_frame(frame)
        except TransportClosed:
            pass
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("sidekick: error while reading from %s", transport.description)
        closed.set()
        self._set_wake()

    def _announce(self, status: str) -> Dict[str, Any]:
        script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
        extra = {"script": script} if script and script != "-c" else {}
        return protocol.announce(
            self.peer_id,
            "hero",
            status,
            __version__,
            (protocol.CAP_BATCH, protocol.CAP_REPLAY),
            **extra,
        )

    def _detach(self) -> None:
        """The transport is gone: no UI is reachable until we reconnect."""
        with self._changed:
            self._forwarding = False
            self._send_now = None
            self.callbacks.stop_reading()
            self._ui_peers.clear()
            self._clear_queue_locked()
            self._wake_pending = False
            self._changed.notify_all()

    def _clear_queue_locked(self) -> None:
        """Empty the queue, counting it as sent: it was written, or a replay rebuilds it.

        Either way flush() stops waiting for it.
        """
        self._queue = []
        self._sent += self._queued_user
        self._queued_user = 0
        self._queued_bytes = 0
        self._resync = False

    async def _finish(self) -> None:
        self._detach()
        try:
            await self.connector.close_server()
        except Exception:
            logger.debug("sidekick: closing the embedded server failed", exc_info=True)
        with self._changed:
            if self.state != FAILED:
                self.state = SHUTDOWN
            self._changed.notify_all()
        self._release_async_waiters()
        if self._tm.uses_threads and self._stopping:
            # Shutdown stops the loop thread (and the user's tasks on it); the
            # next activation starts a fresh one.
            self._tm.stop()

    def _fail(self, exc: BaseException) -> None:
        with self._changed:
            self._failure = exc
            self.state = FAILED
            self._changed.notify_all()
        logger.error("sidekick: %s", exc)
        self._release_async_waiters()

    # ---------------------------------------------------------------- inbound

    def _handle_frame(self, frame: Any) -> None:
        messages = self._decode(frame)
        if messages is not None:
            self._handle_messages(messages)

    @staticmethod
    def _decode(frame: Any) -> Optional[List[Dict[str, Any]]]:
        try:
            return protocol.decode(frame)
        except protocol.ProtocolError as exc:
            logger.warning("sidekick: dropped an invalid message from the UI: %s", exc)
            return None

    def _handle_lent(self, transport: Transport, texts: List[str]) -> None:
        """On the callback thread, which read ``texts`` itself (see CallbackRunner.read_from).

        Events and errors are queued for their callbacks right here; from the
        first message that is anything else (an announce) on, the loop
        handles the rest, in order. Should the loop be gone, so is the
        connection: a reconnect replays everything anyway.
        """
        stopped = self._handle_while(texts, _is_event)
        if stopped is not None:
            i, messages = stopped
            transport.call_soon(self._handle_on_loop, messages, texts[i + 1 :])

    def _handle_while(
        self, texts: List[str], here: Callable[[Dict[str, Any]], bool]
    ) -> Optional[Tuple[int, List[Dict[str, Any]]]]:
        """Handle ``texts`` in order while every message in them is ``here``'s.

        Stops at the first text with another message, and returns its index
        and its decoded messages (None when all were handled): the caller
        hands that text and the rest to whoever handles them, in order.
        """
        for i, text in enumerate(texts):
            messages = self._decode(text)
            if messages is None:
                continue
            if not all(here(m) for m in messages):
                return i, messages
            self._handle_messages(messages)
        return None

    def _handle_on_loop(self, messages: List[Dict[str, Any]], texts: List[str]) -> None:
        self._handle_messages(messages)
        for text in texts:
            self._handle_frame(text)

    def _handle_messages(self, messages: List[Dict[str, Any]]) -> None:
        for message in messages:
            try:
                self._handle(message)
            except Exception:
                logger.exception("sidekick: could not handle message %.200r", message)

    def _handle(self, message: Dict[str, Any]) -> None:
        handler = self._global_handler
        if handler is not None:
            self.callbacks.submit(handler, message, what="global message handler")
        mtype = message["type"]
        if message["component"] == "system" and mtype == "announce":
            self._on_announce(message.get("payload") or {})
        elif mtype == "event" or mtype == "error":
            src = message["src"]
            component = self.components.get(src)
            if component is None:
                logger.debug("sidekick: %s for unknown component %r dropped", mtype, src)
                return
            if component.component_type != message["component"]:
                logger.warning(
                    "sidekick: dropped a %s for %r that claims to come from a %r",
                    mtype,
                    src,
                    message["component"],
                )
                return
            self.callbacks.submit(component._dispatch, message, what=f"callback of {src!r}")

    def _on_announce(self, payload: Dict[str, Any]) -> None:
        if payload.get("role") != "sidekick":
            return
        peer_id = payload.get("peerId")
        if not isinstance(peer_id, str):
            logger.warning("sidekick: dropped a UI announce without a peerId")
            return
        status = payload.get("status")
        caps = payload.get("capabilities")
        capabilities = {c for c in caps if isinstance(c, str)} if isinstance(caps, list) else set()
        with self._changed:
            if status == "online":
                self._ui_peers[peer_id] = capabilities
                self._replay_locked()
            elif status == "offline":
                self._ui_peers.pop(peer_id, None)
                if not self._ui_peers:
                    self._forwarding = False
                    self._clear_queue_locked()
            else:
                return
            self._batch_ok = bool(self._ui_peers) and all(
                protocol.CAP_BATCH in c for c in self._ui_peers.values()
            )
            self._changed.notify_all()

    def _replay_locked(self) -> None:
        """A UI came online: queue clearAll plus the state of every live component."""
        self._clear_queue_locked()  # what was queued is part of the snapshot
        self._queue = self._snapshot_locked()
        # Counted like callers' messages, so flush() waits until the new UI has it.
        self._queued_user = len(self._queue)
        self._enqueued += len(self._queue)
        self._forwarding = True
        self._wake_pending = True
        self._set_wake()

    def _snapshot_locked(self) -> List[str]:
        """clearAll plus every live component's replay: the whole current picture."""
        replay = [protocol.encode(protocol.clear_all())]
        if self.replay_provider is not None:
            replay.extend(self.replay_provider())
        return replay

    # --------------------------------------------------------------- shutdown

    def shutdown(self, wait: bool = False, timeout: float = 2.0) -> None:
        """Announce offline, close the connection, release :meth:`run_forever`."""
        with self._changed:
            if self.state in (IDLE, SHUTDOWN):
                self.state = SHUTDOWN
                self._changed.notify_all()
                return
            self._stopping = True
            self._changed.notify_all()
            running = self.state != FAILED
        self._release_async_waiters()
        if not running:
            with self._changed:
                self.state = SHUTDOWN
                self._changed.notify_all()
            self._tm.stop()
            return
        if self._tm.running:  # else _serve sees _stopping when it starts
            self._tm.call_soon(self._set_wake)
        if wait and self._tm.uses_threads and not self._tm.in_loop_thread():
            with self._changed:
                self._wait_locked(lambda: self.state == SHUTDOWN, timeout)

    def request_exit(self, code: int) -> None:
        """``sys.exit(code)`` inside a callback: stop and make run_forever exit with it."""
        self._exit_code = code
        self.shutdown()


def _is_announce(message: Dict[str, Any]) -> bool:
    return message["type"] == "announce" and message["component"] == "system"


def _is_event(message: Dict[str, Any]) -> bool:
    return message["type"] in ("event", "error") and message["component"] != "system"


_service: Optional[ConnectionService] = None
_service_lock = threading.Lock()


def get_service() -> ConnectionService:
    """The process-wide service, created on first use."""
    global _service
    service = _service
    if service is None:
        with _service_lock:
            if _service is None:
                _service = ConnectionService()
            service = _service
    return service
