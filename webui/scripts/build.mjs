// npm run build [-- OUTDIR]: writes app.js, app.css and index.html into
// sidekick/server/static (or OUTDIR).
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { bundle, STATIC } from "./bundle.mjs";

const outdir = process.argv[2] ? resolve(process.argv[2]) : STATIC;
await mkdir(outdir, { recursive: true });
for (const [name, contents] of await bundle()) {
  await writeFile(join(outdir, name), contents);
  console.log(`${join(outdir, name)}  ${contents.length} bytes`);
}
