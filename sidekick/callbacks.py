"""Running user callbacks off the I/O loop, in order, with visible errors.

In CPython one daemon thread runs every callback in the order events arrived,
so a slow callback never stalls network I/O. In Pyodide callbacks run on the
page loop. A raising callback prints its traceback to stderr, like an uncaught
exception in a thread, and the next callback still runs. ``async def``
callbacks are scheduled on the library loop and their errors reported alike.

While it has nothing to run, the callback thread borrows the reading of the
connection from the loop (:meth:`CallbackRunner.read_from`): it waits on the
socket itself, so a click's callback starts without a hand-over between
threads, and it goes back to the socket when done. Should callbacks keep it
busy for :data:`_LOAN_CHECK`, the loop takes the reading back.
"""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
import time
from typing import Any, Callable, List, Optional, Tuple

from ._log import logger
from .task_manager import TaskManager
from .transport.base import Transport

__all__ = ["CallbackRunner", "report_callback_error", "in_callback_thread"]

_local = threading.local()


def report_callback_error(what: str, exc: BaseException) -> None:
    """Print a callback's exception the way Python prints a thread's."""
    try:
        import traceback  # here: most programs never need it (~3 ms to import)

        sys.stderr.write(f"Exception in sidekick {what}:\n")
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        sys.stderr.flush()
    except Exception:  # stderr gone at interpreter exit: nowhere left to report
        pass


def in_callback_thread() -> bool:
    """True while running inside a sidekick callback (where blocking would deadlock)."""
    return bool(getattr(_local, "active", False))


# sched_yield releases the GIL for the syscall; Windows has no sched_yield,
# and sleep(0) does the same there.
_yield = getattr(os, "sched_yield", None) or (lambda: time.sleep(0))

_Loan = Tuple[Transport, Callable[[List[str]], None], int]  # transport, deliver, descriptor
#: While the runner is busy this long after reading, the loop takes reading
#: back (checked this often while lent): a long callback must not keep pings,
#: announces and later events waiting in the socket.
_LOAN_CHECK = 0.2


def _call_later(delay: float, fn: Callable[..., Any], *args: Any) -> None:
    """On the loop: ``fn(*args)`` in ``delay`` seconds."""
    import asyncio  # loaded by then: this runs on the loop

    asyncio.get_running_loop().call_later(delay, fn, *args)


def _isawaitable(value: Any) -> bool:
    import inspect  # not at import time (see task_manager): asyncio loads it anyway

    return inspect.isawaitable(value)


class CallbackRunner:
    """Runs callbacks in arrival order on one thread (or the page loop)."""

    def __init__(self, task_manager: TaskManager) -> None:
        self._tm = task_manager
        self._queue: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        # Counts, not a flag, so no thread needs a lock: the runner is idle
        # when it has finished all it was given (a race costs one yield).
        # Each count has one writer: other threads (in practice the loop)
        # count in _submitted, the runner its own submits and what it finished.
        self._submitted = 0
        self._self_submitted = 0
        self._finished = 0
        # Borrowing the connection's reading (see read_from). The loop lends
        # it with a queue item; only the runner sets and drops _loan.
        self._source: Optional[Tuple[Transport, Callable[[List[str]], None]]] = None
        self._loan: Optional[_Loan] = None
        # A loan was asked for, and neither refused nor ended (or reading
        # for the callbacks failed: not asked again on this connection).
        self._asked = False
        self._waiting = False  # the runner waits on the socket, not on the queue
        self._busy_since: Optional[float] = None  # when it last left the socket for work
        self._watched: Optional[_Loan] = None  # the loop's latest loan: _check_loan's
        self._wake_pipe: Optional[Tuple[int, int]] = None
        self._poller: Any = None  # select.poll() on the loan's socket and the wake pipe

    def read_from(self, transport: Transport, deliver: Callable[[List[str]], None]) -> None:
        """On the loop: while idle, the runner reads ``transport`` itself (texts to ``deliver``).

        ``deliver`` runs on the runner's thread and must only queue work
        (:meth:`submit`) or pass it to the loop. A transport that cannot
        lend its reading (TLS, Pyodide) is read by the loop as before.
        """
        if not (self._tm.uses_threads and transport.can_lend and hasattr(select, "poll")):
            return
        if self._wake_pipe is None:
            r, w = os.pipe()
            os.set_blocking(r, False)
            os.set_blocking(w, False)
            self._wake_pipe = (r, w)
        self._source = (transport, deliver)
        if self._thread is not None and self._loan is None:
            # (An offer still on its way would be refused: lending twice fails.)
            self._asked = True
            self._offer()

    def stop_reading(self) -> None:
        """On the loop: the transport is gone (a loan of its reading ends with it)."""
        self._source = None

    def submit(self, fn: Callable[..., Any], *args: Any, what: str = "callback") -> None:
        if not self._tm.uses_threads:
            self._tm.call_soon(self._call, fn, args, what)
            return
        if self._thread is None:
            self._start()
        if getattr(_local, "active", False):
            # From the runner itself (an event it read): it takes it next.
            self._self_submitted += 1
            self._queue.put((fn, args, what))
            return
        idle = self._idle()
        self._submitted += 1
        self._queue.put((fn, args, what))
        if self._waiting:
            self._wake()  # it waits on the socket: make it look at the queue
        if idle:
            # Let the runner we just woke take the GIL now, while this thread
            # (the I/O loop) is in the syscall: otherwise it waits for the
            # loop to go back to select, then wakes a second time: a click's
            # answer left ~25 µs later (measured with the latency benchmark).
            _yield()

    def _idle(self) -> bool:
        return self._finished >= self._submitted + self._self_submitted

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(
                    target=self._worker, name="sidekick-callbacks", daemon=True
                )
                thread.start()
                self._thread = thread

    def _worker(self) -> None:
        _local.active = True
        while True:  # a daemon thread: it ends with the interpreter
            if self._queue.empty():
                loan = self._loan
                if loan is not None and loan[0].lent:
                    try:
                        self._wait_on(loan)
                    except Exception:  # a bug of ours: loud, and the loop reads again
                        logger.exception("sidekick: error while reading for the callbacks")
                        loan[0].give_back()
                        # Not waited on again while the loop takes it back,
                        # nor asked for again on this connection: a bug that
                        # repeats must not spin between the two threads.
                        self._loan = None
                        self._asked = True
                    continue
                if loan is not None:  # the loop took reading back
                    self._loan = None
                    self._asked = False
                source = self._source
                if source is not None and not self._asked:
                    self._asked = True
                    source[0].call_soon(self._offer)
            fn, args, what = self._queue.get()
            if fn is None:  # a loan from the loop (see _offer)
                self._loan = args
                self._poller = self._poller_for(args[2])
                continue
            self._call(fn, args, what)
            self._finished += 1

    def _offer(self) -> None:
        """On the loop: lend the reading to the runner if it is still idle."""
        source = self._source
        fd = None
        if source is not None and self._idle() and self._queue.empty():
            fd = source[0].lend_reading(self._wake)
        if source is None or fd is None:
            self._asked = False  # asked again once the runner is next idle
            return
        loan = (source[0], source[1], fd)
        self._watched = loan  # an earlier loan's checks stop
        self._busy_since = time.monotonic()  # until the runner waits on the socket
        _call_later(_LOAN_CHECK, self._check_loan, loan)
        self._queue.put((None, loan, "loan"))

    def _check_loan(self, loan: _Loan) -> None:
        """On the loop, every _LOAN_CHECK while lent: a long callback must not hold up reading."""
        if loan is not self._watched or not loan[0].lent:
            return  # (a later loan of the same transport has checks of its own)
        since = self._busy_since
        if since is not None and time.monotonic() - since >= _LOAN_CHECK:
            # Woken too, in case it went back to the socket meanwhile.
            loan[0].give_back(wake=True)
            return
        _call_later(_LOAN_CHECK, self._check_loan, loan)

    def _poller_for(self, fd: int) -> Any:
        assert self._wake_pipe is not None
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        poller.register(self._wake_pipe[0], select.POLLIN)
        return poller

    def _wait_on(self, loan: _Loan) -> None:
        """Wait on the socket (and the wake pipe) until there is work or the loan is over."""
        transport, deliver, fd = loan
        assert self._wake_pipe is not None
        wake_fd = self._wake_pipe[0]
        poller = self._poller
        self._busy_since = None
        self._waiting = True
        try:
            while self._queue.empty() and transport.lent:
                for ready, _ in poller.poll():
                    if ready == wake_fd:
                        try:
                            os.read(wake_fd, 512)
                        except BlockingIOError:
                            pass
                    elif ready == fd:
                        # read_lent delivers what it read. Should it have read
                        # what only the loop handles, the loan is over: the
                        # loop's turn, after the texts just queued. (Should
                        # delivering fail, _worker gives the reading back.)
                        read = transport.read_lent(deliver) is not None
                        if read and not transport.lent:
                            transport.give_back()
        finally:
            self._waiting = False
            self._busy_since = time.monotonic()

    def _wake(self) -> None:
        pipe = self._wake_pipe
        if pipe is not None:
            try:
                os.write(pipe[1], b"!")
            except BlockingIOError:
                pass  # full: it is woken already

    def _call(self, fn: Callable[..., Any], args: tuple, what: str) -> None:
        try:
            result = fn(*args)
            if result is not None and _isawaitable(result):
                self._await(result, what)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                # sys.exit() in a callback means "stop the program", as in the main thread.
                from . import lifecycle

                lifecycle._exit_from_callback(exc)
                return
            report_callback_error(what, exc)

    def _await(self, awaitable: Any, what: str) -> None:
        async def run() -> None:
            try:
                await awaitable
            except Exception as exc:
                report_callback_error(what, exc)

        self._tm.submit(run())
