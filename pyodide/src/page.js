// The page side of worker.js: start a worker, feed it the UI's frames, get
// the hero's frames back. When the worker is stopped without a goodbye (a
// new run, a runaway script), the UI is told the hero went offline.

import { PeerTracker } from "./bridge.js";

/**
 * @typedef {object} WorkerHostOptions
 * @property {string | URL} workerURL   the built worker.js (a module worker)
 * @property {string} indexURL          the folder of the pyodide package, ending in "/"
 * @property {{url: string, format?: "wheel" | "zip"}[]} [archives]  packages to install (sidekick, ...)
 * @property {(frame: string) => void} [toUI]  hero frames (JSON strings)
 * @property {(stream: "stdout" | "stderr", text: string) => void} [onOutput]
 */

export class WorkerHost {
  /** @param {WorkerHostOptions} options */
  constructor(options) {
    this._toUI = options.toUI ?? null;
    this._onOutput = options.onOutput ?? (() => {});
    this._heroes = new PeerTracker("hero");
    /** @type {((error: string | null) => void) | null} */
    this._finished = null;
    this.worker = new Worker(options.workerURL, { type: "module", name: "sidekick-pyodide" });
    /** Resolves once Pyodide is loaded in the worker; rejects if it cannot load. */
    this.ready = new Promise((resolve, reject) => {
      this._ready = resolve;
      this._failed = reject;
    });
    this.running = false;
    this.worker.addEventListener("message", (event) => this._onMessage(event.data));
    this.worker.addEventListener("error", (event) => {
      this._failed?.(new Error(event.message || "the Pyodide worker failed to start"));
    });
    this.worker.postMessage({ type: "init", indexURL: options.indexURL, archives: options.archives ?? [] });
  }

  /**
   * Attach the UI (or replace it); it first learns about heroes already online.
   * @param {(frame: string) => void} toUI
   */
  connectUI(toUI) {
    this._toUI = toUI;
    for (const { frame } of this._heroes.online.values()) toUI(frame);
  }

  /**
   * A frame from the UI (JSON string or object); the worker queues it until
   * the script's sidekick registers its handler.
   * @param {string | object} frame
   */
  deliver(frame) {
    this.worker.postMessage({ type: "ui", frame: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /**
   * Run a script; resolves with its top level's error (a traceback) or null.
   * Callbacks keep running after that, until `terminate()`.
   * @param {string} code
   * @param {string} [filename]
   * @returns {Promise<string | null>}
   */
  async run(code, filename = "main.py") {
    await this.ready;
    this.running = true;
    return new Promise((resolve) => {
      this._finished = resolve;
      this.worker.postMessage({ type: "run", code, filename });
    });
  }

  /** Stop the worker now; heroes it ran are announced offline to the UI. */
  terminate() {
    this.worker.terminate();
    this.running = false;
    for (const frame of this._heroes.takeOfflines()) this._toUI?.(frame);
    this._finished?.("stopped");
    this._finished = null;
    this._failed?.(new Error("stopped"));
  }

  /** @param {any} message */
  _onMessage(message) {
    switch (message?.type) {
      case "hero":
        this._heroes.see(message.frame);
        this._toUI?.(message.frame);
        break;
      case "output":
        this._onOutput(message.stream, message.text);
        break;
      case "ready":
        this._ready?.(undefined);
        break;
      case "failed":
        this._failed?.(new Error(message.message));
        break;
      case "finished": {
        const finished = this._finished;
        this._finished = null;
        finished?.(message.error ?? null);
        break;
      }
      default:
        break;
    }
  }
}
