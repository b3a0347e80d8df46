// With JavaScript Promise Integration (JSPI: recent Chromium, or Node with a
// flag) a script's top level may block: `sidekick.run_forever()` works in
// Pyodide as in CPython. Node 20 needs a flag, so this runs a child process.

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { it } from "node:test";

const FLAGS = ["--experimental-wasm-stack-switching", "--experimental-wasm-jspi"];
// V8 flags are not in process.allowedNodeEnvironmentFlags: ask Node itself.
const flag = FLAGS.find((f) => spawnSync(process.execPath, [f, "-e", "0"], { timeout: 10_000 }).status === 0);

it("run_forever() and Console.input() block at the top level", { timeout: 120_000, skip: flag ? false : "this Node has no JSPI flag" }, async () => {
  const child = fileURLToPath(new URL("./jspi-child.mjs", import.meta.url));
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, [/** @type {string} */ (flag), child], { timeout: 100_000 }, (error, out, err) => {
      if (error) reject(new Error(`${error.message}\n${err}`));
      else resolve(out);
    });
  });
  const result = JSON.parse(String(stdout).trim().split("\n").pop() ?? "{}");
  assert.equal(result.error, null);
  assert.deepEqual(result.out, ["can_run_sync True", "hello Ada", "clicked", "after run_forever"]);
  /** @type {any[]} */
  const messages = result.messages;
  const announces = messages.filter((m) => m.type === "announce").map((m) => m.payload.status);
  assert.deepEqual(announces, ["online", "offline"]); // offline: sys.exit() in the callback
  // The console's text: the prompt, then the submitted line echoed.
  let consoleText = "";
  for (const m of messages.filter((m) => m.target === "console-1")) {
    if (m.type === "spawn") consoleText = m.payload.text ?? "";
    else if (m.payload?.action === "append") consoleText += m.payload.options.text;
  }
  assert.equal(consoleText, "name? Ada\n");
  assert.ok(messages.some((m) => m.type === "spawn" && m.target === "console-1" && m.payload.showInput));
  assert.ok(messages.some((m) => m.type === "spawn" && m.target === "button-1"));
});
