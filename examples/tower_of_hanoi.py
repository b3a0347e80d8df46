"""Tower of Hanoi, watched live in a Viz through ObservableValues.

The three pegs are ObservableValue lists inside an ObservableValue dict, so
every move shows up in the Viz as it happens (with the full path, e.g.
``pegs['C'][2]``). "Step" makes one move, "Run" plays the whole solution.

    python examples/tower_of_hanoi.py
"""

import sidekick

DISKS = 4

pegs = sidekick.ObservableValue(
    {
        "A": sidekick.ObservableValue(list(range(DISKS, 0, -1))),
        "B": sidekick.ObservableValue([]),
        "C": sidekick.ObservableValue([]),
    }
)
moves = sidekick.ObservableValue(0)


def solve(n: int, source: str, target: str, spare: str, out: list) -> None:
    if n:
        solve(n - 1, source, spare, target, out)
        out.append((source, target))
        solve(n - 1, spare, target, source, out)


plan: list = []
solve(DISKS, "A", "C", "B", plan)

sidekick.Markdown(f"### Tower of Hanoi ({DISKS} disks, {len(plan)} moves)")
viz = sidekick.Viz()
viz.show("pegs", pegs)
viz.show("moves", moves)
status = sidekick.Label("Ready")
step_button = sidekick.Button("Step")
run_button = sidekick.Button("Run")
sidekick.Row(step_button, run_button)
running = False


def step() -> None:
    done = moves.get()
    if done >= len(plan):
        status.text = "Solved!"
        return
    source, target = plan[done]
    disk = pegs[source].pop()
    pegs[target].append(disk)
    moves.set(done + 1)
    status.text = f"Moved disk {disk} from {source} to {target}"


@step_button.click
def on_step(event: sidekick.ButtonClickEvent) -> None:
    step()


@run_button.click
def on_run(event: sidekick.ButtonClickEvent) -> None:
    global running
    running = not running
    run_button.text = "Pause" if running else "Run"


def tick() -> None:
    if running:
        step()


sidekick.submit_interval(tick, 0.5)
sidekick.run_forever()
