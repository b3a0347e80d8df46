"""The one interface every transport offers to the connection service."""

from __future__ import annotations

from typing import Callable, List, Union

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

    def send_now(self, frame: str) -> bool:
        """From any thread: write ``frame`` at once if the connection is idle.

        False means nothing was written and the frame must be queued for
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

    async def close(self) -> None:
        raise NotImplementedError
