"""Bouncing ball: one frame per tick drawn with canvas.buffer(), for the fps figure."""

import time

from _bench import URL, int_arg, report, wait_for_harness

import sidekick

WIDTH, HEIGHT, RADIUS = 400, 300, 15
fps = int_arg("BENCH_FPS", 60)
seconds = int_arg("BENCH_SECONDS", 4)

sidekick.set_url(URL)
canvas = sidekick.Canvas(WIDTH, HEIGHT)
sidekick.wait_for_connection()
report(ready=True)
wait_for_harness()

x, y, dx, dy = 50.0, 60.0, 7.0, 5.0
period = 1.0 / fps
frames = 0
start = time.monotonic()
deadline = start + seconds
next_tick = start
while True:
    now = time.monotonic()
    if now >= deadline:
        break
    with canvas.buffer() as frame:
        frame.clear()
        frame.draw_rect(0, 0, WIDTH, HEIGHT, fill_color="#f4f4f4")
        frame.draw_circle(int(x), int(y), RADIUS, fill_color="tomato", line_color="black")
    frames += 1
    x += dx
    y += dy
    if x < RADIUS or x > WIDTH - RADIUS:
        dx = -dx
    if y < RADIUS or y > HEIGHT - RADIUS:
        dy = -dy
    next_tick += period
    delay = next_tick - time.monotonic()
    if delay > 0:
        time.sleep(delay)
report(frames=frames, seconds=time.monotonic() - start)
wait_for_harness()
