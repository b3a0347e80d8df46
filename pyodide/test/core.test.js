// The library inside real Pyodide (npm `pyodide`, Python 3.14, no threads):
// handshake, component messages, callbacks, intervals, replay, shutdown.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPyodide, until, sleep } from "./harness.js";

/** @type {Awaited<ReturnType<typeof startPyodide>>} */
let py;

before(async () => {
  py = await startPyodide();
});

after(async () => {
  await py?.session();
});

describe("sidekick in Pyodide", { timeout: 60_000 }, () => {
  it("detects Pyodide and imports no sockets, server or threads", async () => {
    await py.session();
    const report = (
      await py.run(`
import sys, threading, json
import sidekick
from sidekick._env import IN_PYODIDE
from sidekick.service import get_service
svc = get_service()
json.dumps({
    "platform": sys.platform,
    "in_pyodide": IN_PYODIDE,
    "task_manager": type(svc._tm).__name__,
    "loaded": sorted(m for m in sys.modules
                     if m.split(".")[0] == "websockets"
                     or m.startswith(("sidekick.server", "sidekick.transport.websocket", "sidekick.cli"))),
    "threads": threading.active_count(),
})
`)
    ).toString();
    const r = JSON.parse(report);
    assert.equal(r.platform, "emscripten");
    assert.equal(r.in_pyodide, true);
    assert.equal(r.task_manager, "PyodideTaskManager");
    assert.deepEqual(r.loaded, []);
    assert.equal(r.threads, 1);
  });

  it("handshake: the UI announces before Python registers its handler", async () => {
    const { bridge, ui } = await py.session();
    ui.announce(); // queued by the bridge: no handler yet
    assert.equal(bridge.registered, false);
    await py.run(`
import sidekick
label = sidekick.Label("early bird")
`);
    await ui.waitFor((m) => m.type === "spawn", "the label's spawn");
    assert.equal(ui.heroAnnounces().length, 1);
    assert.deepEqual(ui.summary(), ["clearAll", "spawn label-1"]);
    assert.deepEqual(ui.messages.find((m) => m.type === "spawn").payload, { text: "early bird" });
    const hero = ui.heroAnnounces()[0].payload;
    assert.deepEqual(hero.capabilities, ["batch", "replay"]);
    assert.equal(py.errors(), "");
  });

  it("handshake: the UI announces after Python registered its handler", async () => {
    const { bridge, ui } = await py.session();
    await py.run(`
import sidekick
label = sidekick.Label("patient")
`);
    await until(() => ui.heroAnnounces().length === 1, "the hero's announce");
    assert.equal(bridge.registered, true);
    await sleep(50);
    // The hero holds component messages until a UI is online.
    assert.deepEqual(ui.summary(), []);
    await py.run(`label.text = "changed while alone"`);
    await sleep(20);
    assert.deepEqual(ui.summary(), []);
    ui.announce();
    await ui.waitFor((m) => m.type === "spawn", "the label's spawn");
    assert.deepEqual(ui.summary(), ["clearAll", "spawn label-1"]);
    assert.equal(ui.messages.find((m) => m.type === "spawn").payload.text, "changed while alone");
    assert.equal(py.errors(), "");
  });

  it("sends component messages in order", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
label = sidekick.Label("a")
button = sidekick.Button("press")
`);
    await ui.waitFor((m) => m.target === "button-1", "the button");
    const start = ui.messages.length;
    await py.run(`
label.text = "b"
button.text = "pressed"
label.remove()
`);
    await ui.waitFor((m) => m.type === "remove", "the remove", start);
    assert.deepEqual(ui.summary(start), ["update label-1 setText", "update button-1 setText", "remove label-1"]);
    const updates = ui.messages.slice(start).filter((m) => m.type === "update");
    assert.deepEqual(updates[0].payload, { action: "setText", options: { text: "b" } });
    assert.equal(updates[0].component, "label");
    assert.equal(updates[1].component, "button");
  });

  it("a UI without `batch` gets one message per frame", async () => {
    const { ui } = await py.session({ capabilities: [] });
    ui.announce();
    await py.run(`
import sidekick
labels = [sidekick.Label(str(i)) for i in range(5)]
`);
    await ui.waitFor((m) => m.target === "label-5", "the fifth label");
    assert.ok(ui.frames.every((f) => JSON.parse(f).type !== "batch"));
    assert.deepEqual(ui.summary(), ["clearAll", ...[1, 2, 3, 4, 5].map((i) => `spawn label-${i}`)]);
  });

  it("dispatches events to sync and async callbacks on the page loop", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import asyncio, sys, threading
import sidekick
log = sidekick.Label("")
sync_button = sidekick.Button("sync")
async_button = sidekick.Button("async")
seen = []

@sync_button.click
def on_sync(event):
    seen.append(("sync", threading.current_thread() is threading.main_thread()))
    log.text = "sync clicked"

@async_button.click
async def on_async(event):
    await asyncio.sleep(0.01)
    seen.append(("async", event.instance_id))
    log.text = "async clicked"
`);
    await ui.waitFor((m) => m.target === "button-2", "the buttons");
    ui.event("button", "button-1", { event: "click" });
    await ui.waitFor((m) => m.payload?.options?.text === "sync clicked", "the sync callback's update");
    ui.event("button", "button-2", { event: "click" });
    await ui.waitFor((m) => m.payload?.options?.text === "async clicked", "the async callback's update");
    const seen = (await py.run("import json; json.dumps(seen)")).toString();
    assert.deepEqual(JSON.parse(seen), [["sync", true], ["async", "button-2"]]);
    assert.equal(py.errors(), "");
  });

  it("a raising callback prints its traceback and later callbacks still run", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
count = sidekick.Label("0")
button = sidekick.Button("boom")
clicks = 0

@button.click
def on_click(event):
    global clicks
    clicks += 1
    count.text = str(clicks)
    if clicks == 1:
        raise ValueError("first click fails")
`);
    await ui.waitFor((m) => m.target === "button-1", "the button");
    ui.event("button", "button-1", { event: "click" });
    ui.event("button", "button-1", { event: "click" });
    await ui.waitFor((m) => m.payload?.options?.text === "2", "the second click");
    await until(() => py.errors().includes("ValueError: first click fails"), "the traceback");
    assert.match(py.errors(), /Exception in sidekick callback of 'button-1'/);
    assert.match(py.errors(), /Traceback/);
  });

  it("drops events for unknown components and junk frames with a warning", async () => {
    const { bridge, ui } = await py.session();
    ui.announce();
    await py.run(`import sidekick\nlabel = sidekick.Label("x")`);
    await ui.waitFor((m) => m.type === "spawn", "the spawn");
    ui.event("button", "nope", { event: "click" });
    bridge.deliver("this is not json");
    await until(() => py.errors().includes("invalid message"), "the warning");
    await py.run(`label.text = "still fine"`);
    await ui.waitFor((m) => m.payload?.options?.text === "still fine", "a later update");
  });

  it("submit_interval calls back on the page loop until cancelled", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
ticks = sidekick.Label("0")
n = 0
def tick():
    global n
    n += 1
    ticks.text = str(n)
handle = sidekick.submit_interval(tick, 0.02)
`);
    await ui.waitFor((m) => m.payload?.options?.text === "3", "three ticks");
    await py.run("handle.cancel()");
    await sleep(30);
    const stopped = Number((await py.run("n")).toString());
    await sleep(100);
    assert.equal(Number((await py.run("n")).toString()), stopped);
  });

  it("submit_task runs a coroutine on the page loop", async () => {
    const { ui } = await py.session();
    ui.announce();
    await py.run(`
import asyncio, sidekick
status = sidekick.Label("waiting")
async def work():
    await asyncio.sleep(0.01)
    status.text = "done"
    return 42
task = sidekick.submit_task(work())
`);
    await ui.waitFor((m) => m.payload?.options?.text === "done", "the task's update");
    assert.equal(Number((await py.run("await task")).toString()), 42);
  });

  it("replays the whole picture when a second UI (or a reload) announces", async () => {
    const { bridge, ui } = await py.session();
    ui.announce();
    await py.run(`
import sidekick
a = sidekick.Label("one")
b = sidekick.Button("two")
a.text = "one, changed"
`);
    await ui.waitFor((m) => m.payload?.options?.text === "one, changed" || m.payload?.text === "one, changed", "the state");
    const start = ui.messages.length;
    ui.peerId = "sidekick-second";
    ui.announce();
    await ui.waitFor((m) => m.target === "button-1", "the replayed button", start);
    assert.deepEqual(ui.summary(start), ["clearAll", "spawn label-1", "spawn button-1"]);
    const spawn = ui.messages.slice(start).find((m) => m.target === "label-1");
    assert.equal(spawn.payload.text, "one, changed");
    assert.equal(bridge.registrations, 1);
  });

  it("shutdown announces offline, ends run_forever_async, and a later call reconnects", async () => {
    const { bridge, ui } = await py.session();
    ui.announce();
    await py.run(`
import asyncio, sidekick
label = sidekick.Label("before")
runner = asyncio.ensure_future(sidekick.run_forever_async())
`);
    await ui.waitFor((m) => m.type === "spawn", "the spawn");
    await py.run(`
sidekick.shutdown()
await asyncio.wait_for(runner, 2)
`);
    await until(() => ui.heroAnnounces("offline").length === 1, "the offline announce");
    assert.equal(await py.run("runner.done() and runner.exception() is None"), true);
    // The UI stays online; the restarted hero must learn that from the bridge.
    const start = ui.messages.length;
    await py.run(`again = sidekick.Label("after")`);
    await ui.waitFor((m) => m.target === "label-2", "the new label", start);
    assert.equal(bridge.registrations, 2);
    assert.deepEqual(ui.summary(start), ["clearAll", "spawn label-1", "spawn label-2"]);
    assert.equal(py.errors(), "");
  });

  it("a failing sendHeroMessage counts as a lost connection: it reconnects and replays", async () => {
    const { bridge, ui } = await py.session();
    ui.announce();
    await py.run(`import sidekick\nlabel = sidekick.Label("one")`);
    await ui.waitFor((m) => m.type === "spawn", "the spawn");
    // The host fails once (say, its UI side was torn down).
    const receive = ui.receive.bind(ui);
    let failed = false;
    ui.receive = (frame) => {
      if (!failed) {
        failed = true;
        throw new Error("host unavailable");
      }
      receive(frame);
    };
    const start = ui.messages.length;
    await py.run(`label.text = "two"`);
    await until(() => failed, "the failing send");
    await ui.waitFor((m) => m.type === "spawn", "the replay after reconnecting", start);
    assert.equal(bridge.registrations, 2);
    const spawn = ui.messages.slice(start).find((m) => m.type === "spawn");
    assert.equal(spawn.payload.text, "two");
    await until(() => py.errors().includes("connection is back"), "the reconnect notice");
  });

  it("without the host's globals the error says how to load sidekick", async () => {
    const { bridge } = await py.session();
    bridge.uninstall();
    const message = (
      await py.run(`
import sidekick
sidekick.Label("nowhere to go")
try:
    await sidekick.run_forever_async()
except sidekick.SidekickConnectionError as exc:
    result = str(exc)
else:
    result = "no error"
result
`)
    ).toString();
    assert.match(message, /registerSidekickMessageHandler/);
    assert.match(message, /pyodide\/README.md/);
    bridge.install();
  });

  it("run_forever() without JSPI says to await run_forever_async()", async () => {
    await py.session();
    const message = (
      await py.run(`
import sidekick
try:
    sidekick.run_forever()
except sidekick.SidekickError as exc:
    result = str(exc)
else:
    result = "returned"
result
`)
    ).toString();
    assert.match(message, /run_forever_async/);
  });
});
