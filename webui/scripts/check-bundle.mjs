// npm run check-bundle: rebuild into a temporary folder and compare with the
// committed bundle in sidekick/server/static, byte for byte. Exit 1 on any
// difference (missing, extra or changed file).
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STATIC, WEBUI } from "./bundle.mjs";

const temp = await mkdtemp(join(tmpdir(), "sidekick-bundle-"));
let failed = false;
try {
  execFileSync(process.execPath, [join(WEBUI, "scripts", "build.mjs"), temp], { stdio: "ignore" });
  const fresh = new Set(await readdir(temp));
  let committed;
  try {
    // Files only: subfolders (static/playground/) come from other builds.
    committed = new Set((await readdir(STATIC, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name));
  } catch {
    committed = new Set();
  }
  for (const name of [...new Set([...fresh, ...committed])].sort()) {
    if (!committed.has(name)) {
      console.error(`missing from sidekick/server/static: ${name}`);
      failed = true;
    } else if (!fresh.has(name)) {
      console.error(`not produced by the build: sidekick/server/static/${name}`);
      failed = true;
    } else if (!(await readFile(join(temp, name))).equals(await readFile(join(STATIC, name)))) {
      console.error(`differs from a fresh build: sidekick/server/static/${name}`);
      failed = true;
    }
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}
if (failed) {
  console.error("The committed bundle is stale: run `npm run build` in webui/ and commit the result.");
  process.exit(1);
}
console.log("bundle up to date");
