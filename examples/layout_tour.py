"""A tour of every component, laid out with Row and Column.

python examples/layout_tour.py
"""

import logging

import sidekick

sidekick.Markdown(
    "## Layout tour\n"
    "Every component, side by side. *Markdown* is rendered safely, **never** as raw HTML."
)

# Left column: the input components and a console that logs what happens.
name_box = sidekick.Textbox(placeholder="Your name")
greet = sidekick.Button("Greet")
console = sidekick.Console("Events appear here.\n", show_input=True)
greeting = sidekick.Label("Nobody greeted yet")
left = sidekick.Column(sidekick.Label("Inputs"), sidekick.Row(name_box, greet), greeting, console)

# Right column: the visual components.
grid = sidekick.Grid(6, 6)
canvas = sidekick.Canvas(180, 120)
right = sidekick.Column(sidekick.Label("Pictures"), grid, canvas)

sidekick.Row(left, right)

# Below: a Viz showing live state.
state = sidekick.ObservableValue(
    {"clicks": sidekick.ObservableValue([]), "greeted": sidekick.ObservableValue([]), "lines": 0}
)
viz = sidekick.Viz()
viz.show("state", state)

log = logging.getLogger("tour")
capture = console.capture(stdout=False, stderr=False, logging=True)  # log records -> console


@greet.click
def on_greet(event: sidekick.ButtonClickEvent) -> None:
    who = name_box.value or "stranger"
    greeting.text = f"Hello, {who}!"
    state["greeted"].append(who)
    log.warning("greeted %s", who)


@name_box.submit
def on_name(event: sidekick.TextboxSubmitEvent) -> None:
    on_greet(sidekick.ButtonClickEvent(greet.instance_id, "click"))


@grid.click
def on_grid(event: sidekick.GridClickEvent) -> None:
    grid.set_color(event.x, event.y, "#3a86ff")
    state["clicks"].append((event.x, event.y))
    console.print(f"grid cell ({event.x}, {event.y})")


@canvas.click
def on_canvas(event: sidekick.CanvasClickEvent) -> None:
    canvas.draw_circle(event.x, event.y, 8, fill_color="#ff006e")
    console.print(f"canvas at ({event.x}, {event.y})")


@console.submit
def on_line(event: sidekick.ConsoleSubmitEvent) -> None:
    state["lines"] += 1
    console.print(f"you typed: {event.value}")


canvas.draw_rect(5, 5, 170, 110, line_color="#8338ec", line_width=2)
canvas.draw_text(15, 65, "click me", text_size=18, text_color="#8338ec")
for i in range(6):
    grid.set_color(i, i, "#ffbe0b")

sidekick.run_forever()
