// Builds the UI bundle in memory. Shared by build.mjs and check-bundle.mjs so
// both produce exactly the same bytes.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const WEBUI = join(dirname(fileURLToPath(import.meta.url)), "..");
export const STATIC = join(WEBUI, "..", "sidekick", "server", "static");

/** @returns {Promise<Map<string, Uint8Array>>} file name → contents */
export async function bundle() {
  const pkg = JSON.parse(await readFile(join(WEBUI, "package.json"), "utf8"));
  const result = await esbuild.build({
    absWorkingDir: WEBUI,
    entryPoints: { app: "src/main.ts" },
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2022"],
    platform: "browser",
    charset: "ascii",
    legalComments: "eof",
    sourcemap: false,
    metafile: false,
    write: false,
    outdir: "out",
    define: { __UI_VERSION__: JSON.stringify(pkg.version) },
    logLevel: "warning",
  });
  const files = new Map();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    files.set(name, file.contents);
  }
  for (const name of ["index.html", "favicon.svg"]) {
    files.set(name, await readFile(join(WEBUI, name)));
  }
  for (const expected of ["app.js", "app.css", "index.html", "favicon.svg"]) {
    if (!files.has(expected)) throw new Error(`bundle is missing ${expected}`);
  }
  return files;
}
