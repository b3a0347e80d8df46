"""The scripted UI peer: a WebSocket client that plays the browser UI.

It announces itself as a ``sidekick`` peer with the ``batch`` capability
(sidekick-py 0.0.7 ignores capabilities and never batches; this library
batches only because the peer lists it), unpacks batch frames, tracks the
components spawned, and hands every message to the current *watcher* with
the ``time.monotonic()`` at which its frame arrived. ``time.monotonic()``
is the system-wide CLOCK_MONOTONIC on Linux, so it compares with the
heroes' own readings.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Dict, List, Optional

import websockets
from rawpeer import announce

__all__ = ["UIPeer", "GridOrderWatcher", "expected_color"]

COLUMNS = ROWS = 100
PALETTE = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#808080"]


def expected_color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


Watcher = Callable[[Dict[str, Any], float], None]


class UIPeer:
    def __init__(self, url: str, peer_id: str, capabilities: List[str]) -> None:
        self.url = url
        self.peer_id = peer_id
        self.capabilities = capabilities
        self.ws: Any = None
        self.reader: Optional[asyncio.Task[None]] = None
        #: instance id -> component type, from spawns (reset by clearAll)
        self.components: Dict[str, str] = {}
        self.first_spawn: Optional[float] = None
        self.hero_online = asyncio.Event()
        self.spawned = asyncio.Event()
        self.watcher: Optional[Watcher] = None
        self.frames = 0
        self.messages = 0

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.url, compression=None, max_size=None, ping_interval=None
        )
        await self.ws.send(announce(self.peer_id, "sidekick", self.capabilities))
        self.reader = asyncio.ensure_future(self._read())

    async def send(self, message: Dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message, separators=(",", ":")))

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 2)
            except Exception:
                pass

    async def wait_for(self, ctype: str, timeout: float = 20.0) -> str:
        """The id of the first live component of type ``ctype`` (waits for its spawn)."""
        deadline = time.monotonic() + timeout
        while True:
            for cid, kind in self.components.items():
                if kind == ctype:
                    return cid
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {ctype} spawned within {timeout} s")
            self.spawned.clear()
            try:
                await asyncio.wait_for(self.spawned.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def _read(self) -> None:
        loads = json.loads
        monotonic = time.monotonic
        try:
            async for frame in self.ws:
                now = monotonic()
                self.frames += 1
                msg = loads(frame)
                if msg.get("type") == "batch" and msg.get("component") == "global":
                    items = msg["payload"]["messages"]
                else:
                    items = (msg,)
                self.messages += len(items)
                watcher = self.watcher
                for m in items:
                    mtype = m["type"]
                    if mtype == "update":
                        if watcher is not None:
                            watcher(m, now)
                    else:
                        self._control(m, now)
        except websockets.ConnectionClosed:
            pass

    def _control(self, m: Dict[str, Any], now: float) -> None:
        mtype = m["type"]
        if mtype == "spawn":
            if self.first_spawn is None:
                self.first_spawn = now
            self.components[m["target"]] = m["component"]
            self.spawned.set()
        elif mtype == "remove":
            self.components.pop(str(m.get("target")), None)
        elif mtype == "clearAll":
            self.components.clear()
        elif mtype == "announce":
            p = m.get("payload") or {}
            if p.get("role") == "hero":
                if p.get("status") == "online":
                    self.hero_online.set()
                else:
                    self.hero_online.clear()
        if self.watcher is not None:
            self.watcher(m, now)


class GridOrderWatcher:
    """Checks that the grid's setColor updates arrive complete and in order.

    Update ``i`` must color cell ``(i % 100, (i // 100) % 100)`` with
    ``expected_color(i)``. Records when the sentinel (the label's text
    ``"done"``) arrives.
    """

    def __init__(self, grid_id: str, label_id: str, count: int) -> None:
        self.grid_id = grid_id
        self.label_id = label_id
        self.count = count
        self.seen = 0
        self.wrong = 0
        self.first_wrong: Optional[str] = None
        self.done_at: Optional[float] = None
        self.done = asyncio.Event()

    def __call__(self, m: Dict[str, Any], now: float) -> None:
        target = m.get("target")
        if target == self.grid_id and m["type"] == "update":
            payload = m["payload"]
            if payload["action"] != "setColor":
                return
            o = payload["options"]
            i = self.seen
            self.seen = i + 1
            if (
                o["x"] != i % COLUMNS
                or o["y"] != (i // COLUMNS) % ROWS
                or o["color"] != PALETTE[i % len(PALETTE)]
            ):
                self.wrong += 1
                if self.first_wrong is None:
                    self.first_wrong = f"update {i}: {o}"
        elif target == self.label_id and m["type"] == "update":
            options = m["payload"].get("options") or {}
            if options.get("text") == "done":
                self.done_at = now
                self.done.set()

    @property
    def ok(self) -> bool:
        return self.seen == self.count and self.wrong == 0
