"""The latency floor: a library-free hero that answers each click at once.

It speaks the wire protocol by hand (websockets client): a button and a
label, and for each click event on the button a ``setText`` of the label
with ``pong <n>``, sent from the reading coroutine itself. Its round trip is
what the relay, the UI peer and one asyncio WebSocket client cost together.
"""

import asyncio
import json
import os
import time

import websockets
from _bench import URL, report

BUTTON, LABEL = "button-1", "label-2"


def message(**fields):
    return json.dumps(dict(id=0, **fields), separators=(",", ":"))


async def main():
    loop = asyncio.get_running_loop()
    async with websockets.connect(URL, compression=None, max_size=None) as ws:
        await ws.send(
            message(
                component="system",
                type="announce",
                payload={
                    "peerId": f"echo-{os.getpid()}",
                    "role": "hero",
                    "status": "online",
                    "version": "0",
                    "timestamp": int(time.time() * 1000),
                },
            )
        )
        online = False
        clicks = 0
        stdin = loop.run_in_executor(None, input)
        async for frame in ws:
            msg = json.loads(frame)
            p = msg.get("payload") or {}
            if msg.get("type") == "announce" and p.get("role") == "sidekick" and not online:
                online = p.get("status") == "online"
                if online:
                    await ws.send(message(component="global", type="clearAll"))
                    await ws.send(
                        message(
                            component="label", type="spawn", target=LABEL, payload={"text": "0"}
                        )
                    )
                    await ws.send(
                        message(
                            component="button",
                            type="spawn",
                            target=BUTTON,
                            payload={"text": "ping"},
                        )
                    )
                    report(ready=True)
            elif msg.get("type") == "event" and msg.get("src") == BUTTON:
                clicks += 1
                await ws.send(
                    message(
                        component="label",
                        type="update",
                        target=LABEL,
                        payload={"action": "setText", "options": {"text": f"pong {clicks}"}},
                    )
                )
            if stdin.done():
                break
    report(clicks=clicks)


asyncio.run(main())
