// Every component kind inside real Pyodide: exact messages, events, replay.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPyodide, until } from "./harness.js";

/** @type {Awaited<ReturnType<typeof startPyodide>>} */
let py;

before(async () => {
  py = await startPyodide();
});

after(async () => {
  await py?.session();
});

describe("components in Pyodide", { timeout: 60_000 }, () => {
  it("Grid: colors, text, clicks and replay of its cells", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
grid = sidekick.Grid(3, 2)

@grid.click
def clicked(event):
    grid.set_color(event.x, event.y, "tomato")
    grid.set_text(event.x, event.y, f"{event.x},{event.y}")
`);
    const spawn = await ui.waitFor((m) => m.type === "spawn", "the grid");
    assert.deepEqual(spawn, {
      id: 0,
      component: "grid",
      type: "spawn",
      target: "grid-1",
      payload: { numColumns: 3, numRows: 2 },
    });
    ui.event("grid", "grid-1", { event: "click", x: 2, y: 1 });
    await ui.waitFor((m) => m.payload?.action === "setText", "the callback's updates");
    const updates = ui.messages.filter((m) => m.type === "update").map((m) => m.payload);
    assert.deepEqual(updates, [
      { action: "setColor", options: { x: 2, y: 1, color: "tomato" } },
      { action: "setText", options: { x: 2, y: 1, text: "2,1" } },
    ]);
    const start = ui.messages.length;
    ui.announce(); // a reload: the cells come back
    await ui.waitFor((m) => m.payload?.action === "setText", "the replayed cell", start);
    assert.deepEqual(ui.summary(start), ["clearAll", "spawn grid-1", "update grid-1 setColor", "update grid-1 setText"]);
    assert.equal(py.errors(), "");
  });

  it("Console: print, submit events, capture, and a clear message for input()", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
console = sidekick.Console(show_input=True)
console.print("hello", 42)
lines = []

@console.submit
def got(event):
    lines.append(event.value)
    console.print("you said", event.value)

with console.capture():
    print("captured")

try:
    console.input("name? ")
except sidekick.SidekickError as exc:
    input_error = str(exc)
`);
    // What the console shows: its spawn text plus every append since.
    const shown = () =>
      ui.messages
        .filter((m) => m.target === "console-1")
        .map((m) => (m.type === "spawn" ? m.payload.text ?? "" : m.payload?.options?.text ?? ""))
        .join("");
    await until(() => shown() === "hello 42\ncaptured\n", "the printed and captured text");
    const spawn = ui.messages.find((m) => m.type === "spawn");
    assert.equal(spawn.component, "console");
    assert.equal(spawn.payload.showInput, true);
    ui.event("console", "console-1", { event: "submit", value: "Ada" });
    await until(() => shown().endsWith("you said Ada\n"), "the echo");
    assert.deepEqual(py.pyodide.runPython("lines").toJs(), ["Ada"]);
    assert.match((await py.run("input_error")).toString(), /on_submit/);
    // print() to the real stdout still works while captured.
    assert.ok(py.stdout.includes("captured"));
  });

  it("Textbox, Markdown, Row and Column", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
row = sidekick.Row()
box = sidekick.Textbox(placeholder="type", parent=row)
note = sidekick.Markdown("**hi**", parent=row)
column = sidekick.Column()
values = []
box.on_submit(lambda event: values.append(event.value))
`);
    await ui.waitFor((m) => m.target === "column-1", "the column");
    const spawns = ui.messages.filter((m) => m.type === "spawn");
    assert.deepEqual(
      spawns.map((m) => [m.component, m.target, m.payload?.parent ?? null]),
      [
        ["row", "row-1", null],
        ["textbox", "textbox-1", "row-1"],
        ["markdown", "markdown-1", "row-1"],
        ["column", "column-1", null],
      ],
    );
    ui.event("textbox", "textbox-1", { event: "submit", value: "typed" });
    await until(() => py.pyodide.runPython("values == ['typed']"), "the submit callback");
  });

  it("Viz and ObservableValue: set, mutations as small updates, replay", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
viz = sidekick.Viz()
scores = sidekick.ObservableValue([1, 2])
viz.show("scores", scores)
viz.show("plain", {"a": 1})
`);
    const set = await ui.waitFor((m) => m.payload?.variableName === "plain", "the second variable");
    assert.equal(set.component, "viz");
    assert.equal(set.payload.action, "set");
    assert.equal(set.payload.options.valueRepresentation.type, "dict");
    const first = ui.messages.find((m) => m.payload?.variableName === "scores");
    const rep = first.payload.options.valueRepresentation;
    assert.equal(rep.type, "list");
    assert.equal(rep.observableTracked, true);
    assert.deepEqual(rep.value.map((/** @type {any} */ n) => n.value), [1, 2]);

    const start = ui.messages.length;
    await py.run(`
scores.append(3)
scores[0] = 10
del scores[1]
`);
    await ui.waitFor((m) => m.payload?.action === "delitem", "the delitem", start);
    const changes = ui.messages.slice(start).map((m) => [m.payload.action, m.payload.variableName, m.payload.options.path]);
    assert.deepEqual(changes, [
      ["append", "scores", [2]], // the new item's index
      ["setitem", "scores", [0]],
      ["delitem", "scores", [1]],
    ]);
    const appended = ui.messages[start].payload.options;
    assert.equal(appended.valueRepresentation.value, 3);
    assert.equal(appended.length, 3);

    const again = ui.messages.length;
    ui.announce();
    await ui.waitFor((m) => m.payload?.variableName === "plain", "the replayed variables", again);
    // The replay rebuilds the variable: its last full value, then the changes since.
    const replayed = ui.messages.slice(again).filter((m) => m.payload?.variableName === "scores");
    assert.deepEqual(
      replayed.map((m) => m.payload.action),
      ["set", "append", "setitem", "delitem"],
    );
    assert.equal(py.errors(), "");
  });

  it("Canvas: drawing messages and clicks", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
canvas = sidekick.Canvas(100, 50)
canvas.draw_line(0, 0, 10, 10)
clicks = []
canvas.on_click(lambda event: clicks.append((event.x, event.y)))
`);
    const line = await ui.waitFor((m) => m.payload?.action === "drawLine", "the line");
    assert.equal(line.payload.options.x1, 0);
    assert.equal(line.payload.options.y2, 10);
    ui.event("canvas", "canvas-1", { event: "click", x: 5, y: 6 });
    await until(() => py.pyodide.runPython("clicks == [(5, 6)]"), "the click callback");
  });
});
