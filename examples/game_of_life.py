"""Conway's Game of Life on a Grid, stepped by sidekick.submit_interval.

Click cells to bring them to life; Start/Pause runs the simulation.

    python examples/game_of_life.py
"""

import random

import sidekick

WIDTH, HEIGHT = 30, 20
ALIVE, DEAD = "#2a9d8f", None

alive = {(x, y) for x in range(WIDTH) for y in range(HEIGHT) if random.random() < 0.25}
running = True

grid = sidekick.Grid(WIDTH, HEIGHT)
status = sidekick.Label()
start = sidekick.Button("Pause")
randomize = sidekick.Button("Randomize")
sidekick.Row(start, randomize)
generation = 0


def show_all() -> None:
    grid.clear()
    for x, y in alive:
        grid.set_color(x, y, ALIVE)


def step() -> None:
    global alive, generation
    if not running:
        return
    counts = {}
    for x, y in alive:
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if dx or dy:
                    cell = ((x + dx) % WIDTH, (y + dy) % HEIGHT)
                    counts[cell] = counts.get(cell, 0) + 1
    new = {cell for cell, n in counts.items() if n == 3 or (n == 2 and cell in alive)}
    # Send only the cells that changed.
    for x, y in alive - new:
        grid.set_color(x, y, DEAD)
    for x, y in new - alive:
        grid.set_color(x, y, ALIVE)
    alive = new
    generation += 1
    status.text = f"Generation {generation}: {len(alive)} alive"


@grid.click
def toggle(event: sidekick.GridClickEvent) -> None:
    cell = (event.x, event.y)
    if cell in alive:
        alive.discard(cell)
        grid.set_color(event.x, event.y, DEAD)
    else:
        alive.add(cell)
        grid.set_color(event.x, event.y, ALIVE)


@start.click
def start_pause(event: sidekick.ButtonClickEvent) -> None:
    global running
    running = not running
    start.text = "Pause" if running else "Start"


@randomize.click
def reshuffle(event: sidekick.ButtonClickEvent) -> None:
    global alive
    alive = {(x, y) for x in range(WIDTH) for y in range(HEIGHT) if random.random() < 0.25}
    show_all()


show_all()
sidekick.submit_interval(step, 0.2)
sidekick.run_forever()
