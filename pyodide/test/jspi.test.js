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

it("run_forever() blocks at the top level until a callback calls sys.exit()", { timeout: 60_000, skip: flag ? false : "this Node has no JSPI flag" }, async () => {
  const child = fileURLToPath(new URL("./jspi-child.mjs", import.meta.url));
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, [/** @type {string} */ (flag), child], { timeout: 50_000 }, (error, out, err) => {
      if (error) reject(new Error(`${error.message}\n${err}`));
      else resolve(out);
    });
  });
  const result = JSON.parse(String(stdout).trim().split("\n").pop() ?? "{}");
  assert.equal(result.error, null);
  assert.deepEqual(result.out, ["can_run_sync True", "clicked", "after run_forever"]);
  assert.deepEqual(result.types, ["announce", "clearAll", "spawn", "announce"]);
});
