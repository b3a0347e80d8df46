"""Color-click grid: click a cell to cycle its color; the label counts clicks.

python examples/color_grid.py
"""

import sidekick

PALETTE = [None, "#ffbe0b", "#fb5607", "#ff006e", "#8338ec", "#3a86ff"]
SIZE = 10

sidekick.Markdown("### Click the cells\nEach click moves a cell to the next color.")
grid = sidekick.Grid(SIZE, SIZE)
label = sidekick.Label("No clicks yet")
colors = {}  # (x, y) -> index into PALETTE
clicks = 0


@grid.click
def on_click(event: sidekick.GridClickEvent) -> None:
    global clicks
    clicks += 1
    index = (colors.get((event.x, event.y), 0) + 1) % len(PALETTE)
    colors[(event.x, event.y)] = index
    grid.set_color(event.x, event.y, PALETTE[index])
    grid.set_text(event.x, event.y, str(index) if index else None)
    label.text = f"{clicks} click{'s' if clicks != 1 else ''}, last at ({event.x}, {event.y})"


sidekick.run_forever()
