// Putting Python packages into a loaded Pyodide, without the network: from
// wheel/zip bytes (a page fetches them) or from a list of files (Node reads a
// source tree). Works wherever Pyodide runs.

/**
 * @typedef {object} PyodideLike
 * @property {(code: string, options?: object) => any} runPython
 * @property {(code: string, options?: object) => Promise<any>} runPythonAsync
 * @property {(buffer: Uint8Array | ArrayBuffer, format: string, options?: {extractDir?: string}) => void} unpackArchive
 * @property {{mkdirTree: (path: string) => void, writeFile: (path: string, data: string | Uint8Array) => void}} FS
 */

/**
 * @typedef {object} PythonFile
 * @property {string} path  relative to site-packages, with "/" separators
 * @property {string | Uint8Array} data
 */

/**
 * The interpreter's site-packages folder.
 * @param {PyodideLike} pyodide
 * @returns {string}
 */
export function sitePackages(pyodide) {
  return String(pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')"));
}

/**
 * Unpack a wheel (or a zip of packages) into site-packages.
 * @param {PyodideLike} pyodide
 * @param {Uint8Array | ArrayBuffer} bytes  a Node Buffer must be copied into a Uint8Array first
 * @param {"wheel" | "zip"} [format]
 */
export function installArchive(pyodide, bytes, format = "wheel") {
  // Pyodide refuses Node Buffers: hand it a plain Uint8Array copy.
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes);
  pyodide.unpackArchive(data, format, { extractDir: sitePackages(pyodide) });
  invalidateCaches(pyodide);
}

/**
 * Write files under site-packages (for source trees; see node.js).
 * @param {PyodideLike} pyodide
 * @param {PythonFile[]} files
 */
export function installFiles(pyodide, files) {
  const root = sitePackages(pyodide);
  for (const file of files) {
    if (file.path.startsWith("/") || file.path.split("/").includes("..")) {
      throw new Error(`refusing to install outside site-packages: ${file.path}`);
    }
    const target = `${root}/${file.path}`;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    pyodide.FS.writeFile(target, file.data);
  }
  invalidateCaches(pyodide);
}

/** @param {PyodideLike} pyodide */
export function invalidateCaches(pyodide) {
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
}

/**
 * Run a script the way `python script.py` would: `sys.argv[0]` names it (the
 * hero's announce shows it in the UI) and top-level `await` is allowed.
 * @param {PyodideLike} pyodide
 * @param {string} code
 * @param {object} [options]
 * @param {string} [options.filename]
 * @param {any} [options.globals]  a Python dict; a fresh `__main__`-like one by default
 */
export async function runScript(pyodide, code, options = {}) {
  const filename = options.filename ?? "main.py";
  const setup = pyodide.runPython(
    `import sys\nsys.argv = [${JSON.stringify(filename)}]\n` + `{"__name__": "__main__", "__file__": sys.argv[0]}`,
  );
  const globals = options.globals ?? setup;
  try {
    return await pyodide.runPythonAsync(code, { globals, filename });
  } finally {
    if (globals !== setup) setup.destroy?.();
  }
}
