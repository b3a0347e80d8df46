"""The ceiling: a library-free hero that sends pre-encoded batch frames.

It speaks the wire protocol by hand (websockets client, announce, spawns),
builds every frame before the clock starts, then sends batch frames of
BENCH_BATCH updates each: the same updates, in the same order, that the
throughput hero makes, through the same relay to the same UI peer. What it
reaches is what the machine allows for this relay and peer.
"""

import asyncio
import json
import os
import time

import websockets
from _bench import URL, int_arg, peak_rss_kib, report

COLUMNS = ROWS = 100
PALETTE = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#808080"]
GRID, LABEL = "grid-1", "label-2"


def message(**fields):
    return json.dumps(dict(id=0, **fields), separators=(",", ":"))


def batch(messages):
    return (
        '{"id":0,"component":"global","type":"batch","payload":{"messages":['
        + ",".join(messages)
        + "]}}"
    )


def frames(count, size):
    updates = [
        message(
            component="grid",
            type="update",
            target=GRID,
            payload={
                "action": "setColor",
                "options": {
                    "x": i % COLUMNS,
                    "y": (i // COLUMNS) % ROWS,
                    "color": PALETTE[i % len(PALETTE)],
                },
            },
        )
        for i in range(count)
    ]
    return [batch(updates[i : i + size]) for i in range(0, count, size)]


async def main():
    count = int_arg("BENCH_UPDATES", 20000)
    size = int_arg("BENCH_BATCH", 100)
    payload = frames(count, size)
    sentinel = message(
        component="label",
        type="update",
        target=LABEL,
        payload={"action": "setText", "options": {"text": "done"}},
    )
    loop = asyncio.get_running_loop()
    async with websockets.connect(URL, compression=None, max_size=None) as ws:
        await ws.send(
            message(
                component="system",
                type="announce",
                payload={
                    "peerId": f"ceiling-{os.getpid()}",
                    "role": "hero",
                    "status": "online",
                    "version": "0",
                    "timestamp": int(time.time() * 1000),
                },
            )
        )
        while True:  # the relay hands us the stored announce of the UI peer
            msg = json.loads(await ws.recv())
            p = msg.get("payload") or {}
            if (
                msg.get("type") == "announce"
                and p.get("role") == "sidekick"
                and p.get("status") == "online"
            ):
                break
        await ws.send(message(component="global", type="clearAll"))
        await ws.send(
            message(
                component="grid",
                type="spawn",
                target=GRID,
                payload={"numColumns": COLUMNS, "numRows": ROWS},
            )
        )
        await ws.send(
            message(component="label", type="spawn", target=LABEL, payload={"text": "running"})
        )
        report(ready=True)
        await loop.run_in_executor(None, input)
        cpu0 = time.process_time()
        mono0 = time.monotonic()
        epoch0 = time.time()
        t0 = time.perf_counter()
        for frame in payload:
            await ws.send(frame)
        await ws.send(sentinel)
        t1 = time.perf_counter()
        report(t0_monotonic=mono0, t0_epoch=epoch0, caller_us=(t1 - t0) / count * 1e6)
        await loop.run_in_executor(None, input)
        report(cpu_us=(time.process_time() - cpu0) / count * 1e6, rss_kib=peak_rss_kib())


asyncio.run(main())
