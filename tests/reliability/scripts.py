"""Hero scripts the fault tests run in real subprocesses (kept as source text).

Each script mirrors the state it builds in plain Python and prints it as
``state <json>`` at the end, so a test can compare the UI's final picture
with what the script built, cell by cell.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.procs import write_script

#: A 40x25 grid, a label and a button; BURST_UPDATES random cell changes
#: (color, text, reset, clear cell, one whole-grid clear half way), sleeping
#: 1 ms every BURST_PACE updates so faults can land in the middle of it.
BURST = """
import json, os, random, time
import sidekick

N = int(os.environ.get("BURST_UPDATES", "10000"))
PACE = int(os.environ.get("BURST_PACE", "5"))
W, H = 40, 25
grid = sidekick.Grid(W, H)
label = sidekick.Label("burst running")
button = sidekick.Button("ping")
clicks = 0


@button.click
def clicked(event):
    global clicks
    clicks += 1
    label.text = f"clicks {clicks}"


colors, texts = {}, {}
rng = random.Random(20261121)
sidekick.wait_for_connection(timeout=20)
print("connected", flush=True)
for i in range(N):
    x, y = rng.randrange(W), rng.randrange(H)
    r = rng.random()
    if i == N // 2:
        grid.clear()
        colors.clear()
        texts.clear()
    elif r < 0.6:
        color = "#%06x" % rng.randrange(1, 0xFFFFFF)
        grid.set_color(x, y, color)
        colors[(x, y)] = color
    elif r < 0.85:
        grid.set_text(x, y, f"t{i}")
        texts[(x, y)] = f"t{i}"
    elif r < 0.95:
        grid.set_color(x, y, None)
        colors.pop((x, y), None)
    else:
        grid.clear_cell(x, y)
        colors.pop((x, y), None)
        texts.pop((x, y), None)
    if PACE and i % PACE == 0:
        time.sleep(0.001)
    if i % 250 == 0:
        print(f"progress {i}", flush=True)
label.text = "burst done"
cells = [[x, y, colors.get((x, y)), texts.get((x, y))]
         for x in range(W) for y in range(H) if (x, y) in colors or (x, y) in texts]
print("state " + json.dumps(cells), flush=True)
sidekick.run_forever()
"""

#: A 100x100 grid updated for STREAM_SECONDS, sleeping STREAM_SLEEP_MS after
#: every 200 updates (as fast as the script can when 0), then the state line.
STREAM = """
import json, os, time
import sidekick

SECONDS = float(os.environ.get("STREAM_SECONDS", "8"))
PAUSE = float(os.environ.get("STREAM_SLEEP_MS", "0")) / 1000
grid = sidekick.Grid(100, 100)
label = sidekick.Label("streaming")
colors = {}
sidekick.wait_for_connection(timeout=20)
print("connected", flush=True)
end = time.monotonic() + SECONDS
n = 0
while time.monotonic() < end:
    for _ in range(200):
        x, y = n % 100, (n // 100) % 100
        color = "#%06x" % (n * 7919 % 0xFFFFFF)
        grid.set_color(x, y, color)
        colors[(x, y)] = color
        n += 1
    if PAUSE:
        time.sleep(PAUSE)
    if n % 20000 == 0:
        print(f"progress {n}", flush=True)
label.text = f"sent {n}"
print(f"count {n}", flush=True)
cells = [[x, y, c, None] for (x, y), c in colors.items()]
print("state " + json.dumps(cells), flush=True)
sidekick.run_forever()
"""

#: Shows a picture, delivers it, then dies from an unhandled exception.
CRASH = """
import sidekick

label = sidekick.Label("run 1")
grid = sidekick.Grid(4, 4)
grid.set_color(1, 2, "#123456")
for i in range(2000):
    label.text = f"run 1: {i}"
sidekick.wait_for_connection(timeout=20)
print("shown", flush=True)
raise RuntimeError("boom: the script crashed")
"""

#: Shows a picture and waits to be killed.
HANG = """
import time
import sidekick

label = sidekick.Label("run 1")
grid = sidekick.Grid(4, 4)
grid.set_color(1, 2, "#123456")
sidekick.wait_for_connection(timeout=20)
sidekick.flush(timeout=10)
print("shown", flush=True)
time.sleep(60)
"""

#: The next run of the program: a different picture.
NEXT = """
import sidekick

label = sidekick.Label("run 2")
sidekick.wait_for_connection(timeout=20)
print("shown", flush=True)
sidekick.run_forever()
"""


def write(tmp_path: Path, source: str, name: str) -> Path:
    return write_script(tmp_path, source, name)
