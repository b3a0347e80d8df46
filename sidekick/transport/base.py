"""The one interface every transport offers to the connection service."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Union

__all__ = ["Transport", "TransportClosed"]


class TransportClosed(Exception):
    """The peer or the network closed the transport."""


class Transport:
    """A bidirectional stream of text frames (one JSON message or batch each).

    ``send`` and ``recv`` are coroutines run on the library loop; ``recv``
    raises :class:`TransportClosed` when the other side goes away.
    """

    #: Where this transport leads, for messages to the user.
    description: str = ""
    #: Opened before the loop by the first contact, which announced us already.
    adopted: bool = False

    def write(self, frames: List[str]) -> None:
        """Hand ``frames`` to the connection, in order, without waiting.

        Raises :class:`TransportClosed` once the connection is gone; what the
        network cannot take yet is buffered (see :meth:`drain`).
        """
        raise NotImplementedError

    async def drain(self) -> None:
        """Wait while the transport holds too much unsent (flow control)."""

    async def send(self, frame: str) -> None:
        self.write([frame])
        await self.drain()

    def send_now(self, texts: List[str]) -> bool:
        """From any thread: write ``texts`` at once if the connection is idle.

        False means nothing was written and the texts must be queued for
        :meth:`write`; transports that cannot write from other threads say so.
        """
        return False

    def set_receiver(self, receiver: Callable[[Union[str, bytes]], None]) -> None:
        """Let the transport hand each message to ``receiver`` as it arrives.

        Transports that can push do so from then on, and :meth:`recv` only waits
        for the close; the others ignore this and keep delivering through recv.
        """

    async def recv(self) -> str:
        raise NotImplementedError

    # Lending reading to another thread (the callback runner); see
    # sidekick.transport.websocket. Transports that cannot say so here.

    @property
    def can_lend(self) -> bool:
        """Whether :meth:`lend_reading` may ever succeed."""
        return False

    @property
    def lent(self) -> bool:
        """True while another thread has the reading."""
        return False

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """From any thread: run ``fn(*args)`` on this transport's loop (dropped once closed)."""
        raise NotImplementedError

    def lend_reading(self, wake: Callable[[], None]) -> Optional[int]:
        """On the loop: stop reading and lend it; the descriptor to wait on, or None."""
        return None

    def read_lent(self, deliver: Callable[[List[str]], None]) -> Optional[List[str]]:
        """On the borrowing thread, once readable: ``deliver`` the texts read, and return them.

        None: the loan is over (nothing was read).
        """
        return None

    def give_back(self, wake: bool = False) -> None:
        """From any thread: the loop reads again; ``wake`` a borrower that may be waiting."""

    async def close(self) -> None:
        raise NotImplementedError
