// Test support: one Pyodide per test file (loading takes ~3 s), a fresh
// bridge and Python-side service per test, and a scripted stand-in for the UI.

import assert from "node:assert/strict";
import { loadSidekickPyodide } from "../src/node.js";
import { SidekickBridge } from "../src/bridge.js";

export const TIMEOUT_MS = 5000;

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Poll `probe` until it returns something truthy (the Python loop runs on
 * JS timers, so waiting here is what lets it make progress).
 * @template T
 * @param {() => T} probe
 * @param {string} what  for the failure message
 * @param {number} [timeout]
 * @returns {Promise<T>}
 */
export async function until(probe, what, timeout = TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A JS stand-in for the browser UI: records what the hero sends. */
export class FakeUI {
  /**
   * @param {SidekickBridge} bridge
   * @param {{peerId?: string, capabilities?: string[]}} [options]
   */
  constructor(bridge, options = {}) {
    this.bridge = bridge;
    this.peerId = options.peerId ?? "sidekick-test";
    this.capabilities = options.capabilities ?? ["batch"];
    /** @type {string[]} raw frames */
    this.frames = [];
    /** @type {any[]} messages, batches unpacked */
    this.messages = [];
  }

  /** @param {string} frame */
  receive(frame) {
    this.frames.push(frame);
    const message = JSON.parse(frame);
    if (message.component === "global" && message.type === "batch") {
      assert.ok(this.capabilities.includes("batch"), "the hero batched for a UI without `batch`");
      this.messages.push(...message.payload.messages);
    } else {
      this.messages.push(message);
    }
  }

  /** @param {"online" | "offline"} [status] */
  announce(status = "online") {
    this.bridge.deliver({
      id: 0,
      component: "system",
      type: "announce",
      payload: {
        peerId: this.peerId,
        role: "sidekick",
        status,
        version: "test",
        timestamp: Date.now(),
        capabilities: this.capabilities,
      },
    });
  }

  /**
   * @param {string} component
   * @param {string} src
   * @param {object} payload
   */
  event(component, src, payload) {
    this.bridge.deliver({ id: 0, component, type: "event", src, payload });
  }

  /** Messages other than announces, as `type target` strings, for compact asserts. */
  summary(from = 0) {
    return this.messages
      .slice(from)
      .filter((m) => m.type !== "announce")
      .map((m) => `${m.type}${m.target ? ` ${m.target}` : ""}${m.payload?.action ? ` ${m.payload.action}` : ""}`);
  }

  /**
   * Wait for a message matching `predicate` at index >= from.
   * @param {(m: any) => boolean} predicate
   * @param {string} what
   * @param {number} [from]
   */
  waitFor(predicate, what, from = 0) {
    return until(() => this.messages.slice(from).find(predicate), what);
  }

  heroAnnounces(status = "online") {
    return this.messages.filter(
      (m) => m.type === "announce" && m.payload.role === "hero" && m.payload.status === status,
    );
  }
}

/**
 * Load Pyodide with sidekick once; `session()` gives each test a fresh bridge,
 * UI and library service.
 */
export async function startPyodide() {
  /** @type {string[]} */
  const stdout = [];
  /** @type {string[]} */
  const stderr = [];
  /** @type {FakeUI | null} */
  let ui = null;
  const { pyodide, bridge: first } = await loadSidekickPyodide({
    toUI: (frame) => ui?.receive(frame),
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  });
  first.uninstall();
  // Deprecation warnings from our code would become errors here.
  await pyodide.runPythonAsync("import warnings\nwarnings.simplefilter('error')\nimport sidekick");

  /** @param {string} code */
  const run = (code) => pyodide.runPythonAsync(code);

  return {
    pyodide,
    stdout,
    stderr,
    run,
    /**
     * Stop the previous test's service, forget its components and give a new
     * bridge and UI. Nothing is announced yet.
     * @param {{peerId?: string, capabilities?: string[]}} [options]
     */
    async session(options = {}) {
      await run(RESET);
      const bridge = new SidekickBridge({
        toUI: (frame) => ui?.receive(frame),
        onError: (error) => stderr.push(`bridge: ${String(error)}`),
      });
      bridge.install();
      ui = new FakeUI(bridge, options);
      stdout.length = 0;
      stderr.length = 0;
      return { bridge, ui };
    },
    /** Python's stderr since the session started, for "no errors" asserts. */
    errors() {
      return stderr.join("\n");
    },
  };
}

// Shut the service down (waiting for its offline announce), then start over
// with a new service and fresh component ids.
const RESET = `
import asyncio
import sidekick.service as _svc_mod
import sidekick.components.base as _base_mod
_old = _svc_mod._service
if _old is not None:
    _old.shutdown()
    for _ in range(200):
        if _old.state in ("idle", "shutdown", "failed"):
            break
        await asyncio.sleep(0.01)
    assert _old.state in ("idle", "shutdown", "failed"), _old.state
_svc_mod._service = None
_base_mod._id_counters.clear()
for _task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
    _task.cancel()
await asyncio.sleep(0)
`;
