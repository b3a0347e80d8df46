"""The demo: a grid you can paint, a label that counts, a button that resets.

Run it with `./dev demo` (or `python examples/demo.py`): a browser tab opens
with the picture; click the cells. Ctrl+C ends it.
"""

import sidekick

COLORS = ["#e63946", "#f4a261", "#2a9d8f", "#457b9d", "#8338ec"]

title = sidekick.Markdown("## Sidekick demo\nClick the cells to paint them.")
grid = sidekick.Grid(8, 8)
status = sidekick.Label("0 cells painted")
reset = sidekick.Button("Clear")
painted = set()


@grid.click
def paint(event: sidekick.GridClickEvent) -> None:
    painted.add((event.x, event.y))
    grid.set_color(event.x, event.y, COLORS[(event.x + event.y) % len(COLORS)])
    status.text = f"{len(painted)} cells painted"


@reset.click
def clear(event: sidekick.ButtonClickEvent) -> None:
    painted.clear()
    grid.clear()
    status.text = "0 cells painted"


sidekick.run_forever()
