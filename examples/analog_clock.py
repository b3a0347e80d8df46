"""An analog clock: a Canvas redrawn every second by sidekick.submit_interval.

python examples/analog_clock.py
"""

import math
import time

import sidekick

SIZE = 240
CENTER = SIZE / 2
RADIUS = SIZE / 2 - 10

canvas = sidekick.Canvas(SIZE, SIZE)
caption = sidekick.Label()


def hand(buf, angle: float, length: float, width: float, color: str) -> None:
    # angle 0 is 12 o'clock, growing clockwise
    x = CENTER + length * math.sin(angle)
    y = CENTER - length * math.cos(angle)
    buf.draw_line(CENTER, CENTER, x, y, line_color=color, line_width=width)


def draw() -> None:
    now = time.localtime()
    seconds = now.tm_sec
    minutes = now.tm_min + seconds / 60
    hours = now.tm_hour % 12 + minutes / 60
    with canvas.buffer() as buf:
        buf.draw_circle(
            CENTER, CENTER, RADIUS, fill_color="#fdfcdc", line_color="#333", line_width=3
        )
        for tick in range(60):
            angle = tick * math.pi / 30
            inner = RADIUS - (12 if tick % 5 == 0 else 5)
            buf.draw_line(
                CENTER + inner * math.sin(angle),
                CENTER - inner * math.cos(angle),
                CENTER + RADIUS * math.sin(angle),
                CENTER - RADIUS * math.cos(angle),
                line_color="#333",
                line_width=3 if tick % 5 == 0 else 1,
            )
        hand(buf, hours * math.pi / 6, RADIUS * 0.5, 6, "#222")
        hand(buf, minutes * math.pi / 30, RADIUS * 0.75, 4, "#222")
        hand(buf, seconds * math.pi / 30, RADIUS * 0.85, 1.5, "#d62828")
        buf.draw_circle(CENTER, CENTER, 4, fill_color="#d62828", line_width=0)
    caption.text = time.strftime("%H:%M:%S", now)


draw()
sidekick.submit_interval(draw, 1.0)
sidekick.run_forever()
