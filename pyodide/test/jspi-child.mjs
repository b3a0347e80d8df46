// Run by jspi.test.js in a Node with JavaScript Promise Integration turned
// on: a CPython-style script whose top level blocks in run_forever().
// Prints one JSON line with what happened.

import { loadSidekickPyodide } from "../src/node.js";
import { runScript } from "../src/install.js";

/** @type {any[]} */
const messages = [];
const { pyodide, bridge } = await loadSidekickPyodide({
  toUI: (frame) => {
    const message = JSON.parse(frame);
    if (process.env.DEBUG_CHILD) console.error("UI<", frame.slice(0, 200));
    if (message.type === "batch") messages.push(...message.payload.messages);
    else messages.push(message);
    // Answer input() once the console shows its input line.
    const inputShown = messages.some((m) => m.type === "spawn" && m.target === "console-1" && m.payload.showInput);
    if (inputShown && !answered) {
      answered = true;
      setTimeout(() => bridge.deliver({ id: 0, component: "console", type: "event", src: "console-1", payload: { event: "submit", value: "Ada" } }), 10);
    }
    // Click the button as soon as it exists.
    if (messages.some((m) => m.type === "spawn" && m.target === "button-1") && !clicked) {
      clicked = true;
      setTimeout(() => bridge.deliver({ id: 0, component: "button", type: "event", src: "button-1", payload: { event: "click" } }), 10);
    }
  },
  stdout: (line) => out.push(line),
  stderr: (line) => out.push(`stderr: ${line}`),
});
let clicked = false;
let answered = false;
/** @type {string[]} */
const out = [];
bridge.deliver({
  id: 0,
  component: "system",
  type: "announce",
  payload: { peerId: "ui", role: "sidekick", status: "online", version: "test", timestamp: Date.now(), capabilities: ["batch"] },
});
let error = null;
const started = Date.now();
try {
  await runScript(
    pyodide,
    `
import sys
import sidekick
from pyodide.ffi import can_run_sync
print("can_run_sync", can_run_sync())
console = sidekick.Console()
name = console.input("name? ")
print("hello", name)
button = sidekick.Button("stop")

@button.click
def stop(event):
    print("clicked")
    sys.exit(0)  # like in CPython: ends run_forever()

sidekick.run_forever()
print("after run_forever")
`,
    { filename: "blocking.py" },
  );
} catch (e) {
  error = String(e);
}
process.stdout.write(
  JSON.stringify({ out, error, ms: Date.now() - started, messages }) + "\n",
);
