"""Throughput hero: Grid(100, 100), N set_color calls, then a sentinel label text.

Reports the caller's cost per call (measured here, around the loop), then,
once the harness says the UI peer saw everything, the process CPU time (all
threads) per update and the peak RSS.
"""

import time

from _bench import URL, int_arg, peak_rss_kib, report, wait_for_harness

import sidekick

COLUMNS = ROWS = 100
PALETTE = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#00ffff", "#ff00ff", "#808080"]

count = int_arg("BENCH_UPDATES", 20000)
sidekick.set_url(URL)
grid = sidekick.Grid(COLUMNS, ROWS)
label = sidekick.Label("running")
sidekick.wait_for_connection()
report(ready=True)
wait_for_harness()  # the peer has seen the spawns: start from a quiet state

set_color = grid.set_color
palette = PALETTE
n_colors = len(palette)
cpu0 = time.process_time()
thread0 = time.thread_time()
mono0 = time.monotonic()
epoch0 = time.time()
t0 = time.perf_counter()
for i in range(count):
    set_color(i % COLUMNS, (i // COLUMNS) % ROWS, palette[i % n_colors])
t1 = time.perf_counter()
thread1 = time.thread_time()
label.text = "done"
report(
    t0_monotonic=mono0,
    t0_epoch=epoch0,
    caller_us=(t1 - t0) / count * 1e6,
    caller_cpu_us=(thread1 - thread0) / count * 1e6,
)
wait_for_harness()  # the UI peer has seen the sentinel
cpu1 = time.process_time()
report(cpu_us=(cpu1 - cpu0) / count * 1e6, rss_kib=peak_rss_kib())
