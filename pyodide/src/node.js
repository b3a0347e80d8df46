// Node-only helpers: load the npm `pyodide` package, install `sidekick` from
// a source tree (or a wheel) and wire the bridge to a JS callback.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import { SidekickBridge } from "./bridge.js";
import { installArchive, installFiles } from "./install.js";

/** The repository this package lives in (its `sidekick/` is the library). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Folders of the library that are useless in Pyodide (need sockets or a server). */
const SKIP_DIRS = new Set(["server", "__pycache__"]);

/**
 * The `.py` files of the package `name` under `root`, as site-packages paths.
 * @param {string} root  the folder that contains the package folder
 * @param {string} [name]
 * @returns {import("./install.js").PythonFile[]}
 */
export function collectPackage(root, name = "sidekick") {
  /** @type {import("./install.js").PythonFile[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(full);
      } else if (entry.name.endsWith(".py") || entry.name === "py.typed") {
        files.push({ path: relative(root, full).split(sep).join("/"), data: readFileSync(full) });
      }
    }
  };
  walk(join(root, name));
  if (files.length === 0) throw new Error(`no Python files under ${join(root, name)}`);
  return files;
}

/**
 * Where a host Python keeps `typing_extensions.py` (pure Python, one file),
 * or null. Pyodide cannot `loadPackage` it offline, so we copy the source.
 * @param {string} [python]  defaults to $SIDEKICK_PYTHON, then python3
 * @returns {string | null}
 */
export function findTypingExtensions(python = process.env.SIDEKICK_PYTHON || "python3") {
  try {
    const path = execFileSync(
      python,
      ["-c", "import sys, typing_extensions as t; sys.stdout.write(t.__file__)"],
      { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] },
    ).trim();
    return path && statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/**
 * The folder of the npm `pyodide` package (its `indexURL`).
 * @returns {string}
 */
export function pyodideDir() {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("pyodide/package.json"));
}

/**
 * @typedef {object} NodeHostOptions
 * @property {(frame: string) => void} [toUI]  hero frames go here (JSON strings)
 * @property {string} [sidekickRoot]  folder holding `sidekick/` (default: this repository)
 * @property {string | Uint8Array} [wheel]  install from a built wheel instead (path or bytes)
 * @property {string | null} [typingExtensions]  path of typing_extensions.py; "auto" finds it
 * @property {(line: string) => void} [stdout]
 * @property {(line: string) => void} [stderr]
 * @property {object} [scope]  where to define the two globals (default globalThis)
 * @property {string} [indexURL]
 */

/**
 * Load Pyodide, install sidekick, define the two globals.
 * @param {NodeHostOptions} [options]
 * @returns {Promise<{pyodide: any, bridge: SidekickBridge}>}
 */
export async function loadSidekickPyodide(options = {}) {
  const pyodide = await loadPyodide({
    indexURL: options.indexURL ?? pyodideDir() + sep,
    stdout: options.stdout ?? ((/** @type {string} */ line) => process.stdout.write(line + "\n")),
    stderr: options.stderr ?? ((/** @type {string} */ line) => process.stderr.write(line + "\n")),
  });
  if (options.wheel !== undefined) {
    const bytes = typeof options.wheel === "string" ? readFileSync(options.wheel) : options.wheel;
    installArchive(pyodide, bytes, "wheel");
  } else {
    installFiles(pyodide, collectPackage(options.sidekickRoot ?? REPO_ROOT));
  }
  const te = options.typingExtensions === undefined || options.typingExtensions === "auto"
    ? findTypingExtensions()
    : options.typingExtensions;
  if (te) installFiles(pyodide, [{ path: "typing_extensions.py", data: readFileSync(te) }]);
  const bridge = new SidekickBridge({ toUI: options.toUI });
  bridge.install(/** @type {any} */ (options.scope ?? globalThis));
  return { pyodide, bridge };
}
