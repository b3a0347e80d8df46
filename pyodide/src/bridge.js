// The two globals of protocol.md A ("Pyodide"), and the little relay behind
// them. No I/O and no Pyodide import: it works in Node, a page or a worker.
//
// Python calls `registerSidekickMessageHandler(handler)` once per connection
// and `sendHeroMessage(json)` for each outgoing frame. The UI side hands its
// frames to `deliver()`. Like the WebSocket relay, the bridge
//  - queues what the UI says before Python registered a handler and delivers
//    it, in order, on registration (so the handshake has no race);
//  - remembers the announces of UI peers that are online and gives them to a
//    handler registered later (a restart after `sidekick.shutdown()`), and
//    the hero's announce to a UI attached later;
//  - can announce the hero offline on its behalf when the host stops Python.

/** @typedef {(frame: string) => void} FrameSink */

/**
 * @typedef {object} Announce
 * @property {string} peerId
 * @property {string} role      "hero" | "sidekick"
 * @property {string} status    "online" | "offline"
 * @property {Record<string, unknown>} payload
 */

/**
 * The announce carried by one frame, or null when it is anything else.
 * @param {string} frame
 * @returns {Announce | null}
 */
export function parseAnnounce(frame) {
  // Cheap test first: most frames are component updates.
  if (!frame.includes('"announce"')) return null;
  let message;
  try {
    message = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!message || message.component !== "system" || message.type !== "announce") return null;
  const payload = message.payload;
  if (!payload || typeof payload.peerId !== "string") return null;
  return { peerId: payload.peerId, role: String(payload.role), status: String(payload.status), payload };
}

/**
 * An `offline` announce for a peer that went away without saying so.
 * @param {Announce} online
 * @returns {string}
 */
export function offlineAnnounce(online) {
  return JSON.stringify({
    id: 0,
    component: "system",
    type: "announce",
    payload: { ...online.payload, status: "offline", timestamp: Date.now() },
  });
}

/**
 * Tracks which peers of one role are online, from the frames they send.
 */
export class PeerTracker {
  /** @param {string} role */
  constructor(role) {
    this.role = role;
    /** @type {Map<string, {announce: Announce, frame: string}>} */
    this.online = new Map();
  }

  /**
   * Look at one frame; returns its announce (of any role) or null.
   * @param {string} frame
   */
  see(frame) {
    const announce = parseAnnounce(frame);
    if (announce && announce.role === this.role) {
      if (announce.status === "online") this.online.set(announce.peerId, { announce, frame });
      else if (announce.status === "offline") this.online.delete(announce.peerId);
    }
    return announce;
  }

  /** Offline announces for every peer still online; forgets them. */
  takeOfflines() {
    const frames = [...this.online.values()].map(({ announce }) => offlineAnnounce(announce));
    this.online.clear();
    return frames;
  }
}

/**
 * @param {unknown} frame
 * @returns {string}
 */
function asText(frame) {
  if (typeof frame === "string") return frame;
  return JSON.stringify(frame);
}

export class SidekickBridge {
  /**
   * @param {object} [options]
   * @param {FrameSink} [options.toUI]  receives every frame the hero sends
   *   (a JSON string: one message or a `batch`); set later with `connectUI`.
   * @param {(error: unknown) => void} [options.onError]  a handler call that threw
   */
  constructor(options = {}) {
    /** @type {FrameSink | null} */
    this._toUI = options.toUI ?? null;
    this._onError = options.onError ?? ((error) => console.error("sidekick bridge:", error));
    /** @type {((frame: string) => void) | null} */
    this._handler = null;
    /** @type {string[]} UI frames waiting for Python's handler */
    this._pending = [];
    this.uiPeers = new PeerTracker("sidekick");
    this.heroPeers = new PeerTracker("hero");
    /** How many times Python registered a handler (one per connection). */
    this.registrations = 0;
  }

  /** True once Python registered its handler. */
  get registered() {
    return this._handler !== null;
  }

  /**
   * Define `sendHeroMessage` and `registerSidekickMessageHandler` on `scope`
   * (Pyodide's `js` module is the global scope of its realm).
   * @param {Record<string, unknown>} [scope]
   */
  install(scope = globalThis) {
    scope.sendHeroMessage = (/** @type {unknown} */ frame) => this.fromHero(asText(frame));
    scope.registerSidekickMessageHandler = (/** @type {(frame: string) => void} */ handler) =>
      this.register(handler);
    return this;
  }

  /**
   * Remove the globals again (only if they are still ours).
   * @param {Record<string, unknown>} [scope]
   */
  uninstall(scope = globalThis) {
    delete scope.sendHeroMessage;
    delete scope.registerSidekickMessageHandler;
  }

  /**
   * Python's handler: each call replaces the previous one. Delivers, in
   * order, the announces of UIs already online (when they are not among the
   * queued frames) and then everything queued.
   * @param {(frame: string) => void} handler
   */
  register(handler) {
    if (typeof handler !== "function") throw new TypeError("registerSidekickMessageHandler needs a function");
    this._handler = handler;
    this.registrations += 1;
    const pending = this._pending;
    this._pending = [];
    const announced = new Set();
    for (const frame of pending) {
      const announce = parseAnnounce(frame);
      if (announce) announced.add(announce.peerId);
    }
    /** @type {string[]} */
    const first = [];
    for (const [peerId, { frame }] of this.uiPeers.online) {
      if (!announced.has(peerId)) first.push(frame);
    }
    for (const frame of [...first, ...pending]) this._call(frame);
  }

  /**
   * A frame from the UI to the hero (a JSON string or a plain object).
   * @param {string | object} frame
   */
  deliver(frame) {
    const text = asText(frame);
    this.uiPeers.see(text);
    if (this._handler === null) this._pending.push(text);
    else this._call(text);
  }

  /**
   * A frame from the hero (what `sendHeroMessage` does).
   * @param {string} frame
   */
  fromHero(frame) {
    this.heroPeers.see(frame);
    if (this._toUI !== null) this._toUI(frame);
    // Without a UI, only the hero's announce matters: a UI attached later
    // gets it from connectUI, and everything else from the hero's replay.
  }

  /**
   * Attach (or replace) the UI side; it first gets the announces of heroes
   * already online.
   * @param {FrameSink} toUI
   */
  connectUI(toUI) {
    this._toUI = toUI;
    for (const { frame } of this.heroPeers.online.values()) toUI(frame);
  }

  /** Detach the UI side; hero frames are dropped until `connectUI`. */
  disconnectUI() {
    this._toUI = null;
  }

  /**
   * The host stopped Python without a goodbye: tell the UI the hero is
   * offline, forget the handler, and queue UI frames again.
   */
  heroGone() {
    const frames = this.heroPeers.takeOfflines();
    this._handler = null;
    if (this._toUI !== null) for (const frame of frames) this._toUI(frame);
  }

  /** @param {string} frame */
  _call(frame) {
    const handler = this._handler;
    if (handler === null) return;
    try {
      handler(frame);
    } catch (error) {
      this._onError(error);
    }
  }
}
