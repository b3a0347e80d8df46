// A module Web Worker that runs sidekick scripts in Pyodide; the page talks
// to it with postMessage (see page.js, which wraps this protocol).
//
// page → worker
//   {type: "init", indexURL, archives: [{url, format}], scriptName?}
//   {type: "ui", frame}                 a frame from the UI (JSON string)
//   {type: "run", code, filename}       run a script (top-level await allowed)
// worker → page
//   {type: "ready", version}            Pyodide loaded, archives installed
//   {type: "failed", message}           could not load
//   {type: "hero", frame}               a frame for the UI (JSON string)
//   {type: "output", stream, text}      stdout / stderr, line by line
//   {type: "finished", error}           the script's top level ended (error: string | null)

import { SidekickBridge } from "./bridge.js";
import { installArchive, runScript } from "./install.js";

/** @type {any} */
const scope = globalThis;

/** @param {object} message */
const post = (message) => scope.postMessage(message);

const bridge = new SidekickBridge({
  toUI: (frame) => post({ type: "hero", frame }),
  onError: (error) => post({ type: "output", stream: "stderr", text: `sidekick bridge: ${String(error)}` }),
});
bridge.install(scope);

const NO_STDIN =
  "input() has no terminal to read from here; use a sidekick Console: " +
  'console = sidekick.Console(); name = console.input("Name? ")';

/** @type {any} */
let pyodide = null;
/** @type {Promise<void> | null} */
let loading = null;

/**
 * @param {{indexURL: string, archives?: {url: string, format?: "wheel" | "zip"}[]}} options
 */
async function init(options) {
  const indexURL = new URL(options.indexURL, scope.location.href).href;
  // Fetch the packages while Pyodide compiles.
  const archives = (options.archives ?? []).map(async ({ url, format }) => {
    const response = await fetch(new URL(url, scope.location.href), { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), format: format ?? "wheel" };
  });
  const { loadPyodide } = await import(/* a URL known only at run time */ `${indexURL}pyodide.mjs`);
  pyodide = await loadPyodide({ indexURL });
  pyodide.setStdout({ batched: (/** @type {string} */ text) => post({ type: "output", stream: "stdout", text }) });
  pyodide.setStderr({ batched: (/** @type {string} */ text) => post({ type: "output", stream: "stderr", text }) });
  // No terminal here: say so, then input() raises EOFError.
  pyodide.setStdin({
    stdin: () => {
      post({ type: "output", stream: "stderr", text: NO_STDIN });
      return null;
    },
  });
  for (const archive of await Promise.all(archives)) installArchive(pyodide, archive.bytes, archive.format);
  post({ type: "ready", version: pyodide.version });
}

/** @param {{code: string, filename?: string}} options */
async function run(options) {
  if (loading) await loading;
  /** @type {string | null} */
  let error = null;
  try {
    await runScript(pyodide, options.code, { filename: options.filename ?? "main.py" });
  } catch (e) {
    // A PythonError's message is the traceback, as Python prints it.
    error = e instanceof Error ? e.message : String(e);
  }
  post({ type: "finished", error });
}

scope.addEventListener("message", (/** @type {MessageEvent} */ event) => {
  const message = event.data;
  switch (message?.type) {
    case "init":
      loading = init(message).catch((e) => {
        post({ type: "failed", message: e instanceof Error ? e.message : String(e) });
      });
      break;
    case "ui":
      bridge.deliver(message.frame);
      break;
    case "run":
      void run(message);
      break;
    default:
      break;
  }
});
