// Writes the admin API's OpenAPI document to a file, generated in-process (no server, no bindings):
// the admin app is bundled as the worker would be and asked for /openapi.json. Used by `npm run lint:openapi`.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleForWorkerd } from "./workerd-bundle.mjs";

const out = process.argv[2] ?? path.join("test", "artifacts", "openapi.json");
const dir = await mkdtemp(path.join(tmpdir(), "edgeref-openapi-"));
try {
  const entry = path.join(dir, "entry.ts");
  const app = path.resolve("src/admin/app.ts").replaceAll("\\", "/");
  await writeFile(entry, `export { createAdminApp } from ${JSON.stringify(app)};\n`);
  await bundleForWorkerd({ entry }, dir);
  const { createAdminApp } = await import(pathToFileURL(path.join(dir, "entry.js")).href);
  const response = await createAdminApp().request("https://admin.edgeref.dev/openapi.json");
  if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}: ${await response.text()}`);
  // The output folder is git-ignored, so a fresh clone does not have it yet.
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(await response.json(), null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
