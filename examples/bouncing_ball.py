"""A ball bouncing in a box, drawn one frame at a time with canvas.buffer().

Each frame is drawn off screen and replaces the previous one in one step, so
the animation never flickers. Click the canvas to move the ball there.

    python examples/bouncing_ball.py
"""

import sidekick

WIDTH, HEIGHT, RADIUS = 400, 250, 15
FPS = 30

canvas = sidekick.Canvas(WIDTH, HEIGHT)
info = sidekick.Label("Click the canvas to move the ball")
ball = {"x": 60.0, "y": 80.0, "dx": 4.3, "dy": 3.1}


def frame() -> None:
    ball["x"] += ball["dx"]
    ball["y"] += ball["dy"]
    if not RADIUS <= ball["x"] <= WIDTH - RADIUS:
        ball["dx"] = -ball["dx"]
        ball["x"] = min(max(ball["x"], RADIUS), WIDTH - RADIUS)
    if not RADIUS <= ball["y"] <= HEIGHT - RADIUS:
        ball["dy"] = -ball["dy"]
        ball["y"] = min(max(ball["y"], RADIUS), HEIGHT - RADIUS)
    with canvas.buffer() as buf:
        buf.draw_rect(0, 0, WIDTH, HEIGHT, fill_color="#f1faee", line_color="#1d3557", line_width=2)
        # a soft shadow, then the ball (float coordinates are kept as they are)
        buf.draw_ellipse(ball["x"], HEIGHT - 8, RADIUS * 0.9, 4, fill_color="#a8dadc", line_width=0)
        buf.draw_circle(ball["x"], ball["y"], RADIUS, fill_color="#e63946", line_color="#1d3557")


@canvas.click
def move(event: sidekick.CanvasClickEvent) -> None:
    ball["x"], ball["y"] = float(event.x), float(event.y)
    info.text = f"Moved to ({event.x}, {event.y})"


sidekick.submit_interval(frame, 1 / FPS)
sidekick.run_forever()
