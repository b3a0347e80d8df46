"""The one interface every transport offers to the connection service."""

from __future__ import annotations

from typing import List

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

    async def send(self, frame: str) -> None:
        raise NotImplementedError

    async def send_many(self, frames: List[str]) -> None:
        """Send ``frames`` in order; transports that can write them at once do."""
        for frame in frames:
            await self.send(frame)

    async def recv(self) -> str:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError
