"""A long burst from a calling thread, through a real server: whole, in order,
mostly written by that thread, with few wake-ups of the library's loop, which
goes idle afterwards."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.peers import UIPeer
from tests.support.procs import Server, start_script, write_script

HERO = """
import json
import time

import sidekick
from sidekick.service import get_service
from sidekick.transport.websocket import WebSocketTransport

service = get_service()
counts = {"wakes": 0, "writes": 0}
wake, write = service.wake, WebSocketTransport.write

def counting_wake():
    counts["wakes"] += 1
    wake()

def counting_write(self, texts):
    counts["writes"] += 1
    write(self, texts)

service.wake = counting_wake
WebSocketTransport.write = counting_write
grid = sidekick.Grid(100, 100)
sidekick.wait_for_connection(10)
sidekick.flush(10)
sent_now = []  # frames written from this thread
send_now = service._send_now  # the connected transport's, held by the service

def counting_send_now(texts):
    ok = send_now(texts)
    if ok:
        sent_now.extend(texts)
    return ok

service._send_now = counting_send_now
time.sleep(0.1)  # the loop goes idle: the burst starts from quiet
counts["wakes"] = counts["writes"] = 0
for i in range(20000):
    grid.set_color(i % 100, i // 100 % 100, "#ff0000" if i % 3 else "#0000ff")
sidekick.flush(30)
burst = dict(counts, sent_now=len(sent_now))
# Afterwards the loop goes idle: a lone update leaves from this thread at once.
label = sidekick.Label("before")
time.sleep(0.1)
del sent_now[:]
label.text = "after"
burst["lone_sent_now"] = len(sent_now)
print(json.dumps(burst), flush=True)
"""


def grid_update(message: dict) -> bool:
    return message.get("type") == "update" and message.get("target") == "grid-1"


def test_a_burst_arrives_whole_in_order_with_few_wake_ups(server: Server, tmp_path: Path) -> None:
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, HERO), server.ws_url)
    try:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        counts = json.loads(out.strip().splitlines()[-1])
        ui.wait_for(
            lambda u: sum(grid_update(m) for m in u.messages) >= 20000,
            what="all 20,000 updates",
        )
        cells = [
            (m["payload"]["options"]["x"], m["payload"]["options"]["y"])
            for m in ui.messages
            if grid_update(m)
        ]
        assert cells == [(i % 100, i // 100 % 100) for i in range(20000)]
        # The calling thread writes each full batch itself (~2.7 MB in ~30 KB
        # frames) ...
        assert counts["sent_now"] >= 20, counts
        # ... and the loop, which writes the rest, is woken at most once per
        # write it makes, not per message: while a burst lasts it looks at the
        # queue again after each write (a wake-up costs both threads a GIL
        # hand-off each).
        assert counts["writes"] < 200 and counts["wakes"] <= counts["writes"] + 5, counts
        assert counts["lone_sent_now"] == 1, "the loop should have gone idle after the burst"
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "after", what="the lone update")
    finally:
        ui.close()
        proc.kill()
        proc.wait(5)
