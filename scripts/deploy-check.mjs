// Builds both workers exactly as `wrangler deploy` would, without uploading (part of `npm test`).

import { spawnSync } from "node:child_process";
import { wranglerEnv } from "./wrangler-env.mjs";

for (const [label, envFlag, outdir] of [
  ["edge", "--env=", "dist/edge"],
  ["admin", "--env=admin", "dist/admin"],
]) {
  const result = spawnSync("node_modules/.bin/wrangler", ["deploy", "--dry-run", envFlag, "--outdir", outdir], {
    env: wranglerEnv,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    console.error(`✗ wrangler deploy --dry-run (${label}) failed`);
    process.exit(1);
  }
  const size = /Total Upload: ([^\n]+)/.exec(result.stdout)?.[1] ?? "?";
  console.log(`✓ ${label} worker builds for deploy (${size})`);
}
