// The bridge alone (no Pyodide): queueing before registration, announces
// kept for later handlers and UIs, offline on the hero's behalf.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SidekickBridge, parseAnnounce } from "../src/bridge.js";

/** @param {string} role @param {string} peerId @param {string} [status] */
const announce = (role, peerId, status = "online") =>
  JSON.stringify({ id: 0, component: "system", type: "announce", payload: { peerId, role, status, version: "t", timestamp: 1 } });

const click = (src = "button-1") =>
  JSON.stringify({ id: 0, component: "button", type: "event", src, payload: { event: "click" } });

describe("SidekickBridge", () => {
  it("defines the two globals on a scope and removes them again", () => {
    /** @type {Record<string, unknown>} */
    const scope = {};
    const bridge = new SidekickBridge().install(scope);
    assert.equal(typeof scope.sendHeroMessage, "function");
    assert.equal(typeof scope.registerSidekickMessageHandler, "function");
    bridge.uninstall(scope);
    assert.deepEqual(Object.keys(scope), []);
  });

  it("queues UI frames until the handler registers, then delivers them in order", () => {
    /** @type {Record<string, any>} */
    const scope = {};
    const bridge = new SidekickBridge().install(scope);
    bridge.deliver(announce("sidekick", "ui-1"));
    bridge.deliver({ id: 0, component: "button", type: "event", src: "b", payload: { event: "click" } });
    /** @type {string[]} */
    const got = [];
    scope.registerSidekickMessageHandler((/** @type {string} */ frame) => got.push(frame));
    assert.equal(got.length, 2);
    assert.equal(parseAnnounce(got[0])?.peerId, "ui-1");
    assert.equal(JSON.parse(got[1]).src, "b"); // objects arrive as JSON text
    bridge.deliver(click());
    assert.equal(got.length, 3);
  });

  it("gives a handler registered later the announces of UIs still online", () => {
    const bridge = new SidekickBridge();
    /** @type {string[]} */
    const first = [];
    bridge.register((frame) => first.push(frame));
    bridge.deliver(announce("sidekick", "ui-1"));
    bridge.deliver(announce("sidekick", "ui-2"));
    bridge.deliver(announce("sidekick", "ui-2", "offline"));
    /** @type {string[]} */
    const second = [];
    bridge.register((frame) => second.push(frame)); // e.g. after sidekick.shutdown()
    assert.deepEqual(second.map((f) => parseAnnounce(f)?.peerId), ["ui-1"]);
    assert.equal(bridge.registrations, 2);
  });

  it("does not repeat an announce that is already queued", () => {
    const bridge = new SidekickBridge();
    bridge.register(() => {});
    bridge.deliver(announce("sidekick", "ui-1"));
    bridge.heroGone(); // the handler is forgotten: frames queue again
    bridge.deliver(announce("sidekick", "ui-1"));
    /** @type {string[]} */
    const got = [];
    bridge.register((frame) => got.push(frame));
    assert.equal(got.length, 1);
  });

  it("passes hero frames to the UI and tells a late UI which heroes are online", () => {
    const bridge = new SidekickBridge();
    bridge.fromHero(announce("hero", "hero-1"));
    bridge.fromHero(JSON.stringify({ id: 0, component: "global", type: "clearAll" })); // no UI: dropped
    /** @type {string[]} */
    const ui = [];
    bridge.connectUI((frame) => ui.push(frame));
    assert.deepEqual(ui.map((f) => parseAnnounce(f)?.peerId), ["hero-1"]);
    bridge.fromHero(click());
    assert.equal(ui.length, 2);
  });

  it("announces the hero offline on its behalf when the host stops Python", () => {
    /** @type {string[]} */
    const ui = [];
    const bridge = new SidekickBridge({ toUI: (frame) => ui.push(frame) });
    bridge.register(() => {});
    bridge.fromHero(announce("hero", "hero-1"));
    bridge.heroGone();
    const last = parseAnnounce(ui[ui.length - 1]);
    assert.equal(last?.peerId, "hero-1");
    assert.equal(last?.status, "offline");
    assert.equal(bridge.registered, false);
    bridge.heroGone(); // nothing left to announce
    assert.equal(ui.length, 2);
  });

  it("reports a handler that throws and keeps going", () => {
    /** @type {unknown[]} */
    const errors = [];
    const bridge = new SidekickBridge({ onError: (error) => errors.push(error) });
    let calls = 0;
    bridge.register(() => {
      calls += 1;
      throw new Error("boom");
    });
    bridge.deliver(click());
    bridge.deliver(click());
    assert.equal(calls, 2);
    assert.equal(errors.length, 2);
  });

  it("ignores frames that only look like announces", () => {
    assert.equal(parseAnnounce('{"type":"announce"'), null);
    assert.equal(parseAnnounce(JSON.stringify({ component: "label", type: "announce", payload: { peerId: "x" } })), null);
    assert.equal(parseAnnounce(click()), null);
  });
});
