// The playground page: edit a script, run it in Pyodide in a Web Worker, see
// its components in this page, drawn by the same App as the normal UI (it
// only needs a `send` function and `receive()`, not a WebSocket).
//
// Served by `sidekick serve --pyodide PATH` at /playground: Pyodide's files
// at /playground/pyodide/, the library at /playground/sidekick.zip.

import { App } from "../../webui/src/app.ts";
import { StatusBar } from "../../webui/src/status.ts";
import "../../webui/src/styles.css";
import "./playground.css";
import { WorkerHost } from "../src/page.js";

const BASE = "/playground/";
const STORAGE_KEY = "sidekick-playground-script";
const FILENAME = "playground.py";
const SPARE_DELAY_MS = 2000;

const EXAMPLE = `import sidekick

grid = sidekick.Grid(5, 5)
label = sidekick.Label("Click a cell")
console = sidekick.Console()

@grid.click
def clicked(event):
    grid.set_color(event.x, event.y, "tomato")
    label.text = f"You clicked ({event.x}, {event.y})"
    console.print("clicked", event.x, event.y)

sidekick.run_forever()
`;

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function randomPeerId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `sidekick-playground-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** @param {"online" | "offline"} status */
function announce(status, peerId) {
  return JSON.stringify({
    id: 0,
    component: "system",
    type: "announce",
    payload: { peerId, role: "sidekick", status, version: "playground", timestamp: Date.now(), capabilities: ["batch"] },
  });
}

function start() {
  const statusBar = new StatusBar();
  const root = el("main", { class: "sk-root", "data-sidekick-role": "root" });
  const runButton = /** @type {HTMLButtonElement} */ (
    el("button", { type: "button", class: "pg-run", "data-playground-role": "run", title: "Run (Ctrl+Enter)" }, ["Run"])
  );
  const stopButton = /** @type {HTMLButtonElement} */ (
    el("button", { type: "button", "data-playground-role": "stop" }, ["Stop"])
  );
  const state = el("span", { class: "pg-state", "data-playground-role": "state", role: "status" });
  const editor = /** @type {HTMLTextAreaElement} */ (
    el("textarea", { class: "pg-editor", spellcheck: "false", "aria-label": "Python script", "data-playground-role": "editor" })
  );
  const output = el("pre", { class: "pg-output", "aria-label": "Output", "data-playground-role": "output" });
  document.body.replaceChildren(
    statusBar.el,
    el("div", { class: "pg" }, [
      el("section", { class: "pg-side" }, [el("div", { class: "pg-bar" }, [runButton, stopButton, state]), editor, output]),
      el("section", { class: "pg-ui" }, [root]),
    ]),
  );
  editor.value = localStorage.getItem(STORAGE_KEY) ?? EXAMPLE;

  /** @param {string} name  loading | ready | running | finished | error | stopped | failed */
  const setState = (name, text) => {
    document.documentElement.dataset.playgroundState = name;
    state.textContent = text;
    runButton.disabled = name === "loading";
    stopButton.disabled = !(name === "running" || name === "finished");
  };

  /**
   * @param {string} text
   * @param {"stdout" | "stderr" | "note"} kind
   */
  const print = (text, kind) => {
    const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    output.append(kind === "stdout" ? text : el("span", { class: `pg-${kind}` }, [text]));
    if (atBottom) output.scrollTop = output.scrollHeight;
  };

  /** @type {WorkerHost | null} */
  let host = null;
  /** @type {WorkerHost | null} a loaded worker kept ready for the next run */
  let spare = null;
  const peerId = randomPeerId();

  const app = new App(root, statusBar, (message) => {
    if (host === null) return false;
    host.deliver(message);
    return true;
  });

  const newHost = () => {
    const created = new WorkerHost({
      workerURL: `${BASE}worker.js`,
      indexURL: `${BASE}pyodide/`,
      archives: [{ url: `${BASE}sidekick.zip`, format: "zip" }],
      onOutput: (stream, text) => {
        if (created === host) print(text + "\n", stream);
      },
    });
    created.ready.catch(() => {});
    return created;
  };

  const stop = () => {
    if (host === null) return;
    host.terminate();
    host = null;
  };

  let runs = 0;
  const run = async () => {
    const run = ++runs;
    stop();
    localStorage.setItem(STORAGE_KEY, editor.value);
    output.replaceChildren(el("span", { class: "pg-note" }, [`Running ${FILENAME}; print() output appears here.\n`]));
    const current = spare ?? newHost();
    spare = null;
    host = current;
    current.connectUI((frame) => app.receive(JSON.parse(frame)));
    setState("loading", "Loading Python…");
    try {
      await current.ready;
    } catch (error) {
      if (run === runs) {
        setState("failed", "Could not load Pyodide");
        print(`Could not load Pyodide: ${error instanceof Error ? error.message : String(error)}\n`, "stderr");
      }
      return;
    }
    if (run !== runs) return;
    // Queued by the worker until the script's sidekick registers its handler.
    current.deliver(announce("online", peerId));
    app.socketOpened();
    setState("running", "Running");
    const finished = current.run(editor.value, FILENAME);
    // Warm up the next run's interpreter once this one has started.
    window.setTimeout(() => {
      if (spare === null && host !== null) spare = newHost();
    }, SPARE_DELAY_MS);
    const error = await finished;
    if (run !== runs) return;
    if (error === null) {
      setState("finished", "Script ended; callbacks keep running until Stop");
    } else if (error !== "stopped") {
      print(error.endsWith("\n") ? error : error + "\n", "stderr");
      setState("error", "Script raised an exception");
    }
  };

  runButton.addEventListener("click", () => void run());
  stopButton.addEventListener("click", () => {
    runs++;
    stop();
    print("Stopped.\n", "note");
    setState("stopped", "Stopped");
  });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end");
    }
  });
  window.addEventListener("pagehide", () => {
    host?.deliver(announce("offline", peerId));
  });

  // Load Pyodide right away so the first Run is quick.
  spare = newHost();
  setState("loading", "Loading Python…");
  spare.ready.then(
    () => {
      if (host === null && document.documentElement.dataset.playgroundState === "loading") setState("ready", "Ready");
    },
    (error) => {
      setState("failed", "Could not load Pyodide");
      print(`Could not load Pyodide: ${error instanceof Error ? error.message : String(error)}\n`, "stderr");
    },
  );
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
