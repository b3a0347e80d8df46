"""An in-memory transport and connector, so the service can be tested without a network."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Dict, List, Optional

from sidekick.errors import SidekickConnectionRefusedError
from sidekick.service import ConnectionService
from sidekick.transport.base import Transport, TransportClosed


class MemoryTransport(Transport):
    description = "memory"

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[Optional[str]] = asyncio.Queue()
        self.frames: List[str] = []
        self.closed = False

    def write(self, frames: List[str]) -> None:
        if self.closed:
            raise TransportClosed("closed")
        self.frames.extend(frames)

    async def recv(self) -> str:
        item = await self.inbox.get()
        if item is None:
            raise TransportClosed("closed")
        return item

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.inbox.put_nowait(None)

    def messages(self) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        for frame in list(self.frames):
            m = json.loads(frame)
            if m.get("component") == "global" and m.get("type") == "batch":
                out.extend(m["payload"]["messages"])
            else:
                out.append(m)
        return out


class DirectMemoryTransport(MemoryTransport):
    """Also offers ``send_now``: frames written from the caller's thread are noted."""

    def __init__(self) -> None:
        super().__init__()
        self.accept_direct = True
        self.direct: List[str] = []
        self.attempts = 0

    def send_now(self, texts: List[str]) -> bool:
        self.attempts += 1
        if self.closed or not self.accept_direct:
            return False
        self.frames.extend(texts)
        self.direct.extend(texts)
        return True


class MemoryConnector:
    def __init__(self) -> None:
        #: Make transports with send_now (as the WebSocket transport has).
        self.direct = False
        self.transports: List[MemoryTransport] = []
        self.refuse_first = False
        self.refuse_reconnect = 0
        self.endpoint = None

    def first_url(self) -> None:
        return None  # no first contact: there is no socket to make one with

    async def connect(self, contact: object = None) -> MemoryTransport:
        if self.refuse_first:
            raise SidekickConnectionRefusedError("no server at memory://", url="memory://")
        return self._new()

    async def reconnect(self) -> MemoryTransport:
        if self.refuse_reconnect:
            self.refuse_reconnect -= 1
            raise SidekickConnectionRefusedError("still down", url="memory://")
        return self._new()

    def _new(self) -> MemoryTransport:
        t = DirectMemoryTransport() if self.direct else MemoryTransport()
        self.transports.append(t)
        return t

    async def close_server(self) -> None:
        pass

    @property
    def current(self) -> MemoryTransport:
        return self.transports[-1]


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.005)


class Harness:
    """A fresh service with a memory connector, installed as the process singleton."""

    def __init__(self, service: ConnectionService, connector: MemoryConnector) -> None:
        self.service = service
        self.connector = connector

    def connected(self) -> MemoryTransport:
        self.service.activate()
        wait_until(
            lambda: self.connector.transports and self.service.state == "active", what="active"
        )
        t = self.connector.current
        wait_until(lambda: t.frames, what="hero announce")
        return t

    def inject(self, transport: MemoryTransport, message: Any) -> None:
        text = message if isinstance(message, (str, bytes)) else json.dumps(message)
        self.service._tm.call_soon(transport.inbox.put_nowait, text)

    def click(self, transport: MemoryTransport, button: Any) -> None:
        """The UI reports a click on ``button``."""
        self.inject(
            transport,
            {
                "id": 0,
                "component": "button",
                "type": "event",
                "src": button.instance_id,
                "payload": {"event": "click"},
            },
        )

    def ui_online(
        self, transport: MemoryTransport, peer_id: str = "ui-1", caps: Any = ("batch",)
    ) -> None:
        from tests.support.peers import announce

        clears = self.clears(transport)
        self.inject(transport, announce(peer_id, "sidekick", caps=list(caps)))
        wait_until(lambda: self.clears(transport) > clears, what="replay after UI announce")

    @staticmethod
    def clears(transport: MemoryTransport) -> int:
        return sum(m.get("type") == "clearAll" for m in transport.messages())

    def drop(self, transport: MemoryTransport) -> None:
        self.service._tm.call_soon(transport.inbox.put_nowait, None)
