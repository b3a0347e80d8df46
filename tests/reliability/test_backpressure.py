"""The hero's outbound queue stays bounded while its link is stalled.

Over the in-memory transport, writes block (a stalled relay or network) while
the script keeps updating a grid. The queue must not hold every update: past
its bound it is dropped and the UI gets the current state instead (clearAll
plus replay). When the link resumes, the UI ends with exactly the script's
grid, and flush() still completes.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, Tuple

import sidekick
from tests.support.uimodel import UIModel
from tests.unit.memory import Harness

from ._util import model_cells

MIB = 1024 * 1024


def stall(transport: Any) -> threading.Event:
    """Make ``transport`` hold back its sender (a stalled link) until the event is set.

    As over a real socket: what was written is buffered, and ``drain()`` waits.
    """
    gate = threading.Event()

    async def stalled() -> None:
        while not gate.is_set():
            await asyncio.sleep(0.005)

    transport.drain = stalled
    return gate


def test_stalled_link_keeps_the_queue_bounded_and_converges(harness: Harness) -> None:
    transport = harness.connected()
    harness.ui_online(transport)
    grid = sidekick.Grid(100, 100, instance_id="grid-1")
    sidekick.flush(timeout=5)

    gate = stall(transport)
    expected: Dict[Tuple[int, int], Dict[str, Any]] = {}
    service = harness.service
    largest = 0
    try:
        for n in range(300_000):  # ~27 MB of updates while nothing can be written
            x, y = n % 100, (n // 100) % 100
            color = f"#{n * 7919 % 0xFFFFFF:06x}"
            grid.set_color(x, y, color)
            expected[(x, y)] = {"color": color}
            if n % 1000 == 0:
                with service.lock:
                    largest = max(largest, sum(len(text) for text in service._queue))
    finally:
        gate.set()
    assert largest <= 9 * MIB, f"the queue held {largest / MIB:.1f} MiB"

    sidekick.flush(timeout=60)
    model = UIModel()
    for message in transport.messages():
        model.apply(message)
    assert model_cells(model) == expected
    clears = sum(m.get("type") == "clearAll" for m in transport.messages())
    assert clears >= 2, "the overflow should have been replaced by a replay"


def test_a_slow_but_moving_link_loses_nothing(harness: Harness) -> None:
    """Below the bound nothing is dropped: every update arrives, in order."""
    transport = harness.connected()
    harness.ui_online(transport)
    label = sidekick.Label("0", instance_id="label-1")

    async def slow() -> None:
        await asyncio.sleep(0.001)

    transport.drain = slow  # type: ignore[method-assign]
    for n in range(20_000):
        label.text = str(n)
    sidekick.flush(timeout=30)
    texts = [
        m["payload"]["options"]["text"]
        for m in transport.messages()
        if m.get("type") == "update" and m.get("target") == "label-1"
    ]
    assert texts == [str(n) for n in range(20_000)]


def test_flush_after_connecting_waits_for_the_replay(harness: Harness) -> None:
    """Components made before a UI attached reach it as a replay; flush() must
    not return before that replay is written (a script killed right after
    `wait_for_connection(); flush()` would otherwise show nothing)."""
    from sidekick import SidekickTimeoutError

    transport = harness.connected()
    label = sidekick.Label("made before the UI", instance_id="label-1")
    gate = stall(transport)
    from tests.support.peers import announce

    harness.inject(transport, announce("ui-1", "sidekick", caps=["batch"]))
    sidekick.wait_for_connection(timeout=5)
    try:
        try:
            sidekick.flush(timeout=0.5)
        except SidekickTimeoutError:
            pass
        else:
            raise AssertionError("flush() returned before the replay was written")
    finally:
        gate.set()
    sidekick.flush(timeout=5)
    spawns = [m for m in transport.messages() if m.get("type") == "spawn"]
    assert [m["target"] for m in spawns] == ["label-1"]
    assert label.text == "made before the UI"
