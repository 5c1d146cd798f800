// @ts-check
// `npm run bench:profile`: a CPU profile of the warm edge handler inside workerd, through the V8
// inspector. Load from a separate process (bench/load.mjs) while the profiler samples; prints
// self time grouped by function, and by the part of the handler it belongs to.
// BENCH_PROFILE_WORKER=edge-warm|edge-cold|bare (default edge-warm).
import { fork } from "node:child_process";
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { bundleForWorkerd } from "../scripts/workerd-bundle.mjs";
import { compatibilityDate, migrationStatements } from "./shared.mjs";

/** @import { LoadResult } from "./load.mjs" */
/** @import { DemoSummary } from "../src/demo/seed" */

const OUT = "bench/out/profile";
const WORKER = process.env.BENCH_PROFILE_WORKER ?? "edge-warm";
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 5);
const INSPECTOR_PORT = 9339;

await bundleForWorkerd(
  {
    [WORKER]: WORKER === "bare" ? "bench/workers/bare.ts" : `bench/workers/${WORKER}.ts`,
    tools: "bench/workers/tools.ts",
  },
  OUT,
  { minify: false },
);
const shared = {
  modules: true,
  compatibilityDate,
  d1Databases: { DB: "bench-db" },
  kvNamespaces: { LINKS_KV: "bench-kv" },
  bindings: { VISITOR_HASH_SALT: "bench-salt" },
};
const mf = new Miniflare({
  inspectorPort: INSPECTOR_PORT,
  workers: [
    { name: "tools", scriptPath: `${OUT}/tools.js`, ...shared },
    {
      name: WORKER,
      scriptPath: `${OUT}/${WORKER}.js`,
      ...shared,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    },
  ],
});

/**
 * @param {object} job
 * @returns {Promise<LoadResult>}
 */
const runLoad = (job) =>
  new Promise((resolve) => {
    const child = fork("bench/load.mjs");
    child.once("message", (message) => resolve(/** @type {LoadResult} */ (message)));
    child.send(job);
  });

try {
  const db = await mf.getD1Database("DB", "tools");
  for (const statement of migrationStatements()) await db.prepare(statement).run();
  const tools = await mf.getWorker("tools");
  const demo = /** @type {DemoSummary} */ (await (await tools.fetch("http://tools/seed")).json());
  const paths = demo.slugs.map((s) => `/${s.slug}`);
  const url = (await mf.unsafeGetDirectURL(WORKER)).href;
  const job = { url, paths, host: "localhost", concurrency: 32, seconds: SECONDS };
  await runLoad({ ...job, seconds: 2 }); // warm-up: isolate cache, JIT

  const inspector = await connect(WORKER);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const load = await runLoad(job);
  const { profile } = /** @type {{ profile: Profile }} */ (await inspector.send("Profiler.stop"));
  inspector.close();
  console.log(`${WORKER}: ${Math.round(load.rps)} req/s under the profiler, statuses ${JSON.stringify(load.statuses)}`);
  report(profile, load.requests);
} finally {
  await mf.dispose();
}

/** @typedef {{ functionName: string, url: string, lineNumber: number }} CallFrame */
/** @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode */
/** @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} Profile */

/** @param {string} name the worker's inspector target */
async function connect(name) {
  const socket = new WebSocket(`ws://127.0.0.1:${INSPECTOR_PORT}/core:user:${name}`);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  /** @type {Map<number, (result: unknown) => void>} */
  const waiting = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.id && waiting.has(message.id)) {
      waiting.get(message.id)?.(message.result ?? message.error);
      waiting.delete(message.id);
    }
  });
  return {
    /** @param {string} method @param {object} [params] @returns {Promise<unknown>} */
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/**
 * Self time per function (µs per request), top 30, with its share of the busy time.
 * @param {Profile} profile
 * @param {number} requests
 */
function report(profile, requests) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, number>} */
  const selfTime = new Map();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split("/").pop() ?? "";
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    const delta = profile.timeDeltas[index] ?? 0;
    selfTime.set(key, (selfTime.get(key) ?? 0) + delta);
    if (functionName !== "(idle)") total += delta;
  });
  const rows = [...selfTime.entries()].filter(([key]) => !key.startsWith("(idle)")).sort((a, b) => b[1] - a[1]);
  console.log(
    `busy ${(total / 1000).toFixed(0)} ms over ${requests} requests: ${(total / requests).toFixed(1)} µs/request`,
  );
  for (const [key, us] of rows.slice(0, 30)) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / requests).toFixed(2).padStart(6)} µs  ${key}`,
    );
  }
}
