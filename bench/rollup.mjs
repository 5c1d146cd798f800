// `npm run bench:rollup`: one rollup of the same number of new events over a small and a 100×
// larger history, both in the same run, alternately. The ratio shows whether a run's cost
// follows new events (≈ 1) or history (≫ 1). Target ≤ 1.5.
import { appendFileSync } from "node:fs";
import os from "node:os";
import { Miniflare } from "miniflare";
import { bundleForWorkerd } from "../scripts/workerd-bundle.mjs";
import { compatibilityDate, migrationStatements } from "./shared.mjs";

const SMALL = Number(process.env.ROLLUP_SMALL_HISTORY ?? 2_000);
const LARGE = SMALL * 100;
const NEW_EVENTS = Number(process.env.ROLLUP_NEW_EVENTS ?? 1_000);
const ROUNDS = Number(process.env.ROLLUP_ROUNDS ?? 7);

await bundleForWorkerd({ "rollup-tools": "bench/workers/rollup-tools.ts" }, "bench/out", { minify: true });

const worker = (/** @type {string} */ name) => ({
  name,
  modules: true,
  scriptPath: "bench/out/rollup-tools.js",
  compatibilityDate,
  d1Databases: { DB: `${name}-db` },
  kvNamespaces: { LINKS_KV: `${name}-kv` },
});
const mf = new Miniflare({ workers: [worker("small"), worker("large")] });
/**
 * @param {string} name
 * @param {string} path
 */
const call = async (name, path) => (await (await mf.getWorker(name)).fetch(`http://bench${path}`)).json();

try {
  console.log(
    `rollup bench — ${new Date().toISOString()}\n` +
      `history: small ${SMALL} events, large ${LARGE}; ${NEW_EVENTS} new events per rollup; ${ROUNDS} rounds\n`,
  );
  for (const name of ["small", "large"]) {
    const db = await mf.getD1Database("DB", name);
    for (const statement of migrationStatements()) await db.prepare(statement).run();
    await call(name, "/setup");
    const history = name === "small" ? SMALL : LARGE;
    const started = Date.now();
    for (let added = 0; added < history; added += 10_000)
      await call(name, `/events?events=${Math.min(10_000, history - added)}`);
    await call(name, "/rollup"); // the history is rolled up already
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`  ${name}: ${history} events of history written and rolled up in ${seconds} s`);
  }
  /** Adds the new events to `name`'s history, then times one rollup of them (ms). */
  const timedRollup = async (/** @type {string} */ name) => {
    await call(name, `/events?events=${NEW_EVENTS}`);
    const started = performance.now();
    await call(name, "/rollup");
    return performance.now() - started;
  };
  /** @type {{ small: number[], large: number[] }} */
  const times = { small: [], large: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const small = await timedRollup("small");
    const large = await timedRollup("large");
    times.small.push(small);
    times.large.push(large);
    console.log(`  round ${round + 1}: small ${small.toFixed(1)} ms, large ${large.toFixed(1)} ms`);
  }
  /** The median; NaN when there are no values. */
  const median = (/** @type {number[]} */ values) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const small = median(times.small);
  const large = median(times.large);
  const ratio = large / small;
  const machine = `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}`;
  appendFileSync(
    "bench/RESULTS.md",
    `\n## Rollup — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\nMachine: ${machine}\n\n` +
      `One rollup of ${NEW_EVENTS} new events (80% clicks over 500 hours × 300 links, 5% customers, ` +
      `15% transactions), median of ${ROUNDS} alternating rounds:\n\n` +
      "| history | events | rollup ms (median) |\n|---|---|---|\n" +
      `| small | ${SMALL} | ${small.toFixed(1)} |\n| large | ${LARGE} | ${large.toFixed(1)} |\n\n` +
      `rollup ratio large/small: ${ratio.toFixed(2)}\n`,
  );
  console.log(`\nrollup ratio large/small: ${ratio.toFixed(2)}`);
} finally {
  await mf.dispose();
}
