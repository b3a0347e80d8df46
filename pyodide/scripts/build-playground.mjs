// npm run build:playground [-- --check]: bundle the playground page into
// sidekick/server/static/playground/ (index.html, playground.js,
// playground.css, worker.js). The page reuses webui/'s App, so webui/ needs
// `npm ci` too (for its `marked` and `dompurify`). With --check, build in
// memory and exit 1 when the committed files differ.

import { readFile, mkdir, writeFile, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HERE = join(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT = join(HERE, "..", "sidekick", "server", "static", "playground");

const common = {
  absWorkingDir: HERE,
  bundle: true,
  minify: true,
  target: ["es2022"],
  platform: /** @type {const} */ ("browser"),
  charset: /** @type {const} */ ("ascii"),
  legalComments: /** @type {const} */ ("eof"),
  sourcemap: false,
  write: false,
  logLevel: /** @type {const} */ ("warning"),
};

/** @returns {Promise<Map<string, Uint8Array>>} */
async function build() {
  const files = new Map();
  const page = await esbuild.build({
    ...common,
    entryPoints: { playground: "playground/playground.js" },
    format: "iife",
    outdir: "out",
  });
  // A module worker: it imports pyodide.mjs from a URL given at run time.
  const worker = await esbuild.build({
    ...common,
    entryPoints: { worker: "src/worker.js" },
    format: "esm",
    outdir: "out",
  });
  for (const file of [...page.outputFiles, ...worker.outputFiles]) {
    files.set(file.path.slice(file.path.lastIndexOf("/") + 1), file.contents);
  }
  files.set("index.html", await readFile(join(HERE, "playground", "index.html")));
  for (const name of ["index.html", "playground.js", "playground.css", "worker.js"]) {
    if (!files.has(name)) throw new Error(`the playground build is missing ${name}`);
  }
  return files;
}

const files = await build();
if (process.argv.includes("--check")) {
  let stale = false;
  const committed = new Set(await readdir(OUT).catch(() => []));
  for (const name of new Set([...files.keys(), ...committed])) {
    const fresh = files.get(name);
    const old = committed.has(name) ? await readFile(join(OUT, name)) : null;
    if (!fresh || !old || !old.equals(Buffer.from(fresh))) {
      console.error(`stale: sidekick/server/static/playground/${name}`);
      stale = true;
    }
  }
  if (stale) {
    console.error("Run `npm run build:playground` in pyodide/ and commit the result.");
    process.exit(1);
  }
  console.log("playground bundle up to date");
} else {
  await mkdir(OUT, { recursive: true });
  for (const [name, contents] of files) {
    await writeFile(join(OUT, name), contents);
    console.log(`${join(OUT, name)}  ${contents.length} bytes`);
  }
}
