// `npm run bench`: four measurements of the edge, each against a baseline from the same run.
//   1. handler cost — bare Hono 302 vs the edge app (warm: isolate cache hit; cold: cache miss),
//      each pair under one Miniflare with direct sockets, load from a separate process;
//   2. exactness — the real edge worker with the real local queue and consumer, at fixed rates;
//   3. ingest — 100-click batches fed straight to the click consumer (as one queue delivery each);
//   4. unknown slugs — D1 queries made by 10,000 requests for random slugs, after warm-up;
//   5. offers — transactions/s through the ingest service into a group with 20 active triggers,
//      against a group with none, in interleaved rounds.
// Appends a dated section to bench/RESULTS.md and ends with the summary lines.
// BENCH_ONLY=cost,exactness,ingest,misses,offers runs only the parts named.

import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { bundleForWorkerd } from "../scripts/workerd-bundle.mjs";
import { compatibilityDate, migrationStatements } from "./shared.mjs";

/**
 * @import { Readable } from "node:stream"
 * @import { WorkerOptions } from "miniflare"
 * @import { DemoSummary } from "../src/demo/seed"
 * @import { AlternatingJob, AlternatingResult, LoadJob, LoadResult } from "./load.mjs"
 */
/** @typedef {Awaited<ReturnType<Miniflare["getWorker"]>>} ToolsWorker */
/** @typedef {{ name: string, url: string, results: LoadResult[] }} Contender a worker in the handler-cost rounds */
/** @typedef {{ raw: number, counted: number, ingested: number }} Counts as bench/workers/tools.ts answers them */
/** @typedef {{ d1Queries: number, kvReads: number, kvWrites: number }} MissCounts from bench/workers/edge-misses.ts */
/**
 * @typedef {{ rate: number, seconds: number, sent: number, redirected: number, logged: number, retried: number }}
 *   StepBase retried: requests the load generator sent again after a reset on a reused keep-alive connection
 */
/** @typedef {StepBase & { broken: true, counted: "?", lost: string }} BrokenStep the runtime stopped answering */
/**
 * @typedef {StepBase & { broken?: false, raw: number, counted: number, lost: number, achieved: number, p99: number }}
 *   CountedStep
 */
/** @typedef {(BrokenStep | CountedStep) & { confirm?: boolean }} Step */

const OUT = "bench/out";
const HOST = "localhost";
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 250);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RATES = (process.env.BENCH_RATES ?? "200,400,800,1600,3200").split(",").map(Number);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 5);
const MISS_REQUESTS = Number(process.env.BENCH_MISS_REQUESTS ?? 10_000);
const MISS_WARM_UP = 500;
const ALL_PARTS = ["cost", "exactness", "ingest", "misses", "offers"];
const PARTS = (process.env.BENCH_ONLY ?? ALL_PARTS.join(",")).split(",");
const OFFER_ROUNDS = Number(process.env.BENCH_OFFER_ROUNDS ?? 7);
const OFFER_TRANSACTIONS = Number(process.env.BENCH_OFFER_TRANSACTIONS ?? 300);
const runs = (/** @type {string} */ part) => PARTS.includes(part);
const log = (/** @type {unknown[]} */ ...args) => console.log(...args);

// ---------------------------------------------------------------------------------------------
async function bundle() {
  const entries = {
    bare: "bench/workers/bare.ts",
    "edge-warm": "bench/workers/edge-warm.ts",
    "edge-cold": "bench/workers/edge-cold.ts",
    "floor-warm": "bench/workers/floor-warm.ts",
    "floor-cold": "bench/workers/floor-cold.ts",
    "edge-misses": "bench/workers/edge-misses.ts",
    tools: "bench/workers/tools.ts",
    "offers-tools": "bench/workers/offers-tools.ts",
    edge: "workers/edge.ts",
  };
  await bundleForWorkerd(entries, OUT, { minify: true });
}

const shared = {
  modules: true,
  compatibilityDate,
  d1Databases: { DB: "bench-db" },
  kvNamespaces: { LINKS_KV: "bench-kv" },
  bindings: { VISITOR_HASH_SALT: "bench-salt" },
};
const socket = [{ host: "127.0.0.1", port: 0 }];

/** @param {Miniflare} mf */
async function migrateAndSeed(mf) {
  const db = await mf.getD1Database("DB", "tools");
  for (const statement of migrationStatements()) await db.prepare(statement).run();
  const tools = await mf.getWorker("tools");
  const demo = /** @type {DemoSummary} */ (await (await tools.fetch("http://tools/seed")).json());
  return { tools, slugs: demo.slugs.map((s) => `/${s.slug}`) };
}

/**
 * Runs one job in a forked bench/load.mjs, which answers one message: an AlternatingResult for an
 * alternating job, else a LoadResult.
 * @param {LoadJob} job
 * @returns {Promise<unknown>}
 */
function forkLoad(job) {
  return new Promise((resolve, reject) => {
    const child = fork("bench/load.mjs");
    child.once("message", resolve);
    child.once("error", reject);
    child.send(job);
  });
}
const runLoad = async (/** @type {LoadJob} */ job) => /** @type {LoadResult} */ (await forkLoad(job));
const runAlternating = async (/** @type {AlternatingJob} */ job) =>
  /** @type {AlternatingResult} */ (await forkLoad(job));

/** The median; NaN when there are no values. */
const median = (/** @type {number[]} */ values) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const fmt = (/** @type {number} */ n, digits = 0) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------
/**
 * One variant against the bare baseline and its floor (bench/workers/floor.ts: what the runtime's
 * boundary costs without edgeref's own code), in interleaved rounds under one Miniflare of their own.
 * Warm and cold get separate processes: the cold worker's KV traffic keeps workerd's storage busy
 * past its own rounds, which would slow whichever worker runs next.
 * @param {"warm" | "cold"} variant
 */
async function pairedWithBare(variant) {
  const floor = `floor-${variant}`;
  const mf = new Miniflare({
    workers: [
      { name: "tools", scriptPath: `${OUT}/tools.js`, ...shared },
      { name: "bare", scriptPath: `${OUT}/bare.js`, ...shared, unsafeDirectSockets: socket },
      { name: floor, scriptPath: `${OUT}/${floor}.js`, ...shared, unsafeDirectSockets: socket },
      { name: variant, scriptPath: `${OUT}/edge-${variant}.js`, ...shared, unsafeDirectSockets: socket },
    ],
  });
  try {
    const { slugs } = await migrateAndSeed(mf);
    /** @type {Contender[]} */
    const contenders = [];
    for (const name of ["bare", floor, variant]) {
      contenders.push({ name, url: (await mf.unsafeGetDirectURL(name)).href, results: [] });
    }
    // Sanity: all redirect.
    for (const { name, url } of contenders) {
      const result = await runLoad({ url, paths: slugs, host: HOST, concurrency: 4, seconds: 1 });
      if (!result.statuses["302"] || Object.keys(result.statuses).length !== 1) {
        throw new Error(`${name} did not answer 302 only: ${JSON.stringify(result.statuses)}`);
      }
    }
    /**
     * @param {number} round
     * @param {string} name
     * @param {LoadResult} result
     */
    const logRound = (round, name, result) =>
      log(
        `  round ${round + 1} ${name.padEnd(10)} ${fmt(result.rps).padStart(6)} req/s  ` +
          `p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms`,
      );
    /** @type {{ variant: number[], floor: number[] }} */
    const ratios = { variant: [], floor: [] };
    // Each round alternates bare, the floor and the variant in slices of a quarter second under one
    // load process, so drift in machine load (these machines are noisy over seconds) hits all alike.
    for (let round = 0; round < ROUNDS; round++) {
      const { results } = await runAlternating({
        url: contenders[0]?.url ?? "",
        urls: contenders.map((contender) => contender.url),
        paths: slugs,
        host: HOST,
        concurrency: CONCURRENCY,
        seconds: ROUND_SECONDS,
        sliceMs: SLICE_MS,
      });
      const [bareResult, floorResult, edgeResult] = results;
      if (!bareResult || !floorResult || !edgeResult) throw new Error("the load process answered no result");
      contenders.forEach((contender, i) => {
        const result = /** @type {LoadResult} */ (results[i]);
        contender.results.push(result);
        logRound(round, contender.name, result);
      });
      ratios.variant.push(edgeResult.rps / bareResult.rps);
      ratios.floor.push(floorResult.rps / bareResult.rps);
    }
    const summary = (/** @type {Contender} */ { results }) => ({
      rps: median(results.map((r) => r.rps)),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
    });
    const [bare, floorContender, edge] = /** @type {[Contender, Contender, Contender]} */ (contenders);
    return {
      bare: summary(bare),
      floor: summary(floorContender),
      variant: summary(edge),
      ratio: median(ratios.variant),
      ratios: ratios.variant,
      floorRatio: median(ratios.floor),
      floorRatios: ratios.floor,
    };
  } finally {
    await mf.dispose();
  }
}

async function handlerCost() {
  log("  warm vs bare");
  const warm = await pairedWithBare("warm");
  log("  cold vs bare (fresh process)");
  const cold = await pairedWithBare("cold");
  return { warm, cold, ratio: warm.ratio, coldRatio: cold.ratio };
}

// ---------------------------------------------------------------------------------------------
/**
 * A fresh edge worker with the real local queue and consumer; `run` gets a fixed-rate `step`.
 * @template T
 * @param {(step: (rate: number, seconds: number) => Promise<Step>) => Promise<T>} run
 * @returns {Promise<T>}
 */
async function withQueueWorld(run) {
  // The worker logs every click it could not hand to the queue; count those lines instead of
  // printing them, to show that losses are logged, never silent.
  let loggedLost = 0;
  const countLostLines = (/** @type {Readable} */ stream) =>
    stream.on("data", (chunk) => (loggedLost += (String(chunk).match(/click lost: queue send failed/g) ?? []).length));
  const mf = new Miniflare({
    handleRuntimeStdio: (/** @type {Readable} */ stdout, /** @type {Readable} */ stderr) => {
      countLostLines(stdout);
      countLostLines(stderr);
    },
    workers: [
      { name: "tools", scriptPath: `${OUT}/tools.js`, ...shared },
      {
        name: "edge",
        scriptPath: `${OUT}/edge.js`,
        ...shared,
        queueProducers: { CLICKS: "edgeref-clicks" },
        queueConsumers: { "edgeref-clicks": { maxBatchSize: 100, maxBatchTimeout: 1 } },
        unsafeDirectSockets: socket,
      },
    ],
  });
  try {
    const { tools, slugs } = await migrateAndSeed(mf);
    const url = (await mf.unsafeGetDirectURL("edge")).href;
    // Under overload the local runtime may drop a connection for a while: ask again before giving up.
    const counts = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return /** @type {Counts} */ (await (await tools.fetch("http://tools/counts")).json());
        } catch (error) {
          if (attempt === 20) throw error;
          await sleep(500);
        }
      }
    };
    let sentTotal = 0;

    /**
     * @param {number} rate
     * @param {number} seconds
     * @returns {Promise<Step>}
     */
    async function step(rate, seconds) {
      const load = await runLoad({ url, paths: slugs, host: HOST, rate, seconds });
      const redirected = load.statuses["302"] ?? 0;
      sentTotal += redirected;
      // Drain: wait until the counters reach what was sent, or stop moving for 10 s.
      let last = -1;
      let stableSince = Date.now();
      let now;
      try {
        for (;;) {
          now = await counts();
          if (now.counted >= sentTotal) break;
          if (now.counted !== last) {
            last = now.counted;
            stableSince = Date.now();
          } else if (Date.now() - stableSince > 10_000) break;
          await sleep(250);
        }
      } catch (error) {
        // Overloaded, the local runtime stopped answering: what was counted is unknown.
        log(
          `  ${String(rate).padStart(5)} req/s × ${seconds}s: sent ${load.requests}, 302 ${redirected}, ` +
            `then the local runtime stopped answering (${error instanceof Error ? error.message : String(error)})`,
        );
        return {
          rate,
          seconds,
          sent: load.requests,
          redirected,
          counted: "?",
          lost: "unknown (runtime stopped answering)",
          logged: loggedLost,
          retried: load.retried,
          broken: true,
        };
      }
      const lost = sentTotal - now.counted;
      const logged = loggedLost;
      loggedLost = 0;
      sentTotal = now.counted; // the next step starts from what was actually counted
      const result = {
        rate,
        seconds,
        sent: load.requests,
        redirected,
        raw: now.raw,
        counted: now.counted,
        lost,
        logged,
        retried: load.retried,
        achieved: load.rps,
        p99: load.p99,
      };
      const { 302: _, ...others } = load.statuses;
      log(
        `  ${String(rate).padStart(5)} req/s × ${seconds}s: sent ${load.requests}, 302 ${redirected}, ` +
          `lost ${lost}, logged as lost ${logged}, sent again after a keep-alive reset ${load.retried} ` +
          `(achieved ${fmt(load.rps)} req/s, p99 ${fmt(load.p99, 1)} ms)` +
          (Object.keys(others).length ? `; not 302: ${JSON.stringify(others)}` : ""),
      );
      return result;
    }

    return await run(step);
  } finally {
    await mf.dispose().catch(() => undefined);
  }
}

async function exactness() {
  /** @type {Step[]} */
  const steps = [];
  /** @type {number[]} */
  const lossless = [];
  await withQueueWorld(async (step) => {
    for (const rate of RATES) {
      const result = await step(rate, RATE_SECONDS);
      steps.push(result);
      if (!isLossless(result)) break;
      lossless.push(rate);
    }
  });
  const highestLossless = lossless.at(-1);
  if (highestLossless === undefined) throw new Error("not even the lowest rate was lossless");
  // The rate the local queue can carry: one step below the highest lossless one, as headroom on
  // this noisy machine (at the highest, a longer run sometimes stops the local runtime). Measured
  // once, for twice as long, in a fresh worker (an overloaded step leaves the old one unusable);
  // its loss is reported as it is.
  const carried = lossless.at(-2) ?? highestLossless;
  const confirm = await withQueueWorld((step) => step(carried, RATE_SECONDS * 2));
  steps.push({ ...confirm, confirm: true });
  const lost = confirm.broken
    ? `${confirm.sent - confirm.redirected}+ (runtime stopped answering)`
    : confirm.lost + (confirm.sent - confirm.redirected);
  return { steps, highestLossless, carried, lost };
}

/** @param {Step} result */
function isLossless(result) {
  return !result.broken && result.lost === 0 && result.redirected === result.sent;
}

// ---------------------------------------------------------------------------------------------
async function ingest() {
  const mf = new Miniflare({ workers: [{ name: "tools", scriptPath: `${OUT}/tools.js`, ...shared }] });
  try {
    const { tools } = await migrateAndSeed(mf);
    await (await tools.fetch("http://tools/ingest?batches=5")).json(); // warm-up
    const started = performance.now();
    const answer = await (await tools.fetch("http://tools/ingest?batches=100&links=500")).json();
    const result = /** @type {{ written: number, retried: number, ms: number }} */ (answer);
    if (result.retried > 0) throw new Error(`ingest: the consumer retried ${result.retried} clicks`);
    const seconds = (performance.now() - started) / 1000;
    const { ingested } = await counts(tools);
    return { written: result.written, seconds, clicksPerSecond: result.written / seconds, rowsInD1: ingested };
  } finally {
    await mf.dispose();
  }
}

/**
 * @param {ToolsWorker} tools
 * @returns {Promise<Counts>}
 */
async function counts(tools) {
  return /** @type {Counts} */ (await (await tools.fetch("http://tools/counts")).json());
}

// ---------------------------------------------------------------------------------------------
/**
 * Requests for random slugs nobody created, on the demo company's host, through the real edge app
 * over a D1 and KV that count their calls (bench/workers/edge-misses.ts). Each slug is new, so
 * nothing per slug can be cached: only the company's slug filter keeps them off D1. The miss
 * limiter is not bound in the main run (it would hide what the filter does); it runs separately.
 */
async function unknownSlugs() {
  /**
   * @param {string} name
   * @param {WorkerOptions} [extra]
   */
  const worker = (name, extra = {}) => ({
    name,
    scriptPath: `${OUT}/edge-misses.js`,
    ...shared,
    unsafeDirectSockets: socket,
    ...extra,
  });
  const mf = new Miniflare({
    workers: [
      { name: "tools", scriptPath: `${OUT}/tools.js`, ...shared },
      worker("misses"),
      // The same worker with the miss limiter bound as in wrangler.toml.
      worker("misses-limited", { ratelimits: { EDGE_MISS_LIMITER: { simple: { limit: 100, period: 60 } } } }),
    ],
  });
  try {
    await migrateAndSeed(mf);
    const randomPaths = (/** @type {number} */ n) =>
      Array.from({ length: n }, () => `/u${randomUUID().replaceAll("-", "").slice(0, 14)}`);
    /**
     * @param {string} name
     * @param {number} requests
     * @param {{ warmUp?: number, headers?: Record<string, string> }} [options]
     */
    async function measure(name, requests, { warmUp = MISS_WARM_UP, headers = {} } = {}) {
      const url = (await mf.unsafeGetDirectURL(name)).href;
      const load = (/** @type {number} */ n) =>
        runLoad({ url, paths: randomPaths(n), host: HOST, concurrency: CONCURRENCY, requests: n, headers });
      if (warmUp) await load(warmUp);
      await fetch(`${url}__bench/reset`);
      const result = await load(requests);
      /** @type {MissCounts} */
      const counts = await (await fetch(`${url}__bench/counts`)).json();
      const share = fmt((100 * counts.d1Queries) / result.requests, 2);
      log(
        `  ${result.requests} requests, D1 queries ${counts.d1Queries} (${share}%), KV reads ${counts.kvReads}, ` +
          `KV writes ${counts.kvWrites}; ${fmt(result.rps)} req/s, statuses ${JSON.stringify(result.statuses)}`,
      );
      return { ...counts, requests: result.requests, rps: result.rps, statuses: result.statuses };
    }
    log("  slug filter, miss limiter not bound");
    const filtered = await measure("misses", MISS_REQUESTS);
    log("  without the slug filter (as before it), miss limiter not bound");
    const unfiltered = await measure("misses", Math.min(MISS_REQUESTS, 2_000), {
      headers: { "x-bench-filter": "off" },
    });
    log("  slug filter and miss limiter, every request from one client IP, no warm-up");
    const limited = await measure("misses-limited", MISS_REQUESTS, {
      warmUp: 0,
      headers: { "cf-connecting-ip": "203.0.113.7" },
    });
    return { filtered, unfiltered, limited };
  } finally {
    await mf.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
/**
 * Transactions through the real ingest service into a group with 20 active triggers and into one
 * with none (bench/workers/offers-tools.ts), in interleaved rounds whose order alternates, so
 * drift in machine load hits both alike. The ratio is the median of the per-round ratios.
 */
async function offerIngest() {
  const mf = new Miniflare({
    workers: [{ name: "offers-tools", scriptPath: `${OUT}/offers-tools.js`, ...shared }],
  });
  try {
    // Everything goes through the worker's own fetch (no binding proxies, which failed once under load).
    const call = async (/** @type {string} */ path, /** @type {string} */ body = "") => {
      const init = body ? { method: "POST", body } : {};
      const response = await mf.dispatchFetch(`http://tools${path}`, init);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    await call("/migrate", JSON.stringify(migrationStatements()));
    await call("/setup");
    /** @typedef {{ transactions: number, ms: number, rewards: number }} OfferRun */
    const run = async (/** @type {"with" | "without"} */ group, /** @type {number} */ transactions) =>
      /** @type {OfferRun} */ (await call(`/ingest?group=${group}&transactions=${transactions}`));
    await run("without", 50); // warm-up
    await run("with", 50);
    /** @type {{ with: number, without: number, ratio: number }[]} */
    const rounds = [];
    let rewards = 0;
    for (let round = 0; round < OFFER_ROUNDS; round++) {
      /** @type {("with" | "without")[]} */
      const order = round % 2 === 0 ? ["without", "with"] : ["with", "without"];
      /** @type {Record<string, number>} */
      const rate = {};
      for (const group of order) {
        const result = await run(group, OFFER_TRANSACTIONS);
        rate[group] = (result.transactions / result.ms) * 1000;
        rewards = result.rewards;
      }
      const r = { with: rate.with ?? 0, without: rate.without ?? 0, ratio: (rate.with ?? 0) / (rate.without ?? 1) };
      rounds.push(r);
      log(
        `  round ${round + 1}: 0 triggers ${fmt(r.without)} tx/s, 20 triggers ${fmt(r.with)} tx/s, ` +
          `ratio ${fmt(r.ratio, 2)}`,
      );
    }
    return {
      rounds,
      ratio: median(rounds.map((r) => r.ratio)),
      with: median(rounds.map((r) => r.with)),
      without: median(rounds.map((r) => r.without)),
      rewards,
    };
  } finally {
    await mf.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const machine =
  `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
  `Node ${process.version}, ${os.platform()} ${os.release()}`;
log(`edgeref bench — ${new Date().toISOString()}\n${machine}\n`);
await bundle();

let cost, exact, ing, misses, offerRuns;
if (runs("cost")) {
  log(
    `1. handler cost (Miniflare direct sockets, ${CONCURRENCY} connections, ` +
      `${ROUNDS} rounds of ${ROUND_SECONDS} s each, alternating in ${SLICE_MS} ms slices)`,
  );
  cost = await handlerCost();
}
if (runs("exactness")) {
  log(`\n2. exactness (real queue + consumer, fixed rates)`);
  exact = await exactness();
}
if (runs("ingest")) {
  log(`\n3. ingest (100-click batches straight to the click consumer)`);
  ing = await ingest();
  log(`  ${ing.written} clicks in ${fmt(ing.seconds, 2)} s; rows in D1: ${ing.rowsInD1}`);
}
if (runs("misses")) {
  log(
    `\n4. unknown slugs (${MISS_WARM_UP} warm-up requests, then ${MISS_REQUESTS} random slugs, ` +
      `${CONCURRENCY} connections)`,
  );
  misses = await unknownSlugs();
}
if (runs("offers")) {
  log(
    `\n5. offers at ingest (${OFFER_ROUNDS} interleaved rounds of ${OFFER_TRANSACTIONS} transactions ` +
      "through recordTransaction; a group with 20 active triggers vs one with none)",
  );
  offerRuns = await offerIngest();
}

/**
 * @param {string} name
 * @param {{ rps: number, p50: number, p99: number }} s
 */
const row = (name, s) => `| ${name} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} |`;
const sections = [];
if (cost) {
  sections.push(
    `**Handler cost** — median of ${ROUNDS} rounds; in each round bare Hono, the floor and the variant ` +
      `alternate in slices of ${SLICE_MS} ms, ${ROUND_SECONDS} s each in all, in a Miniflare process of their ` +
      `own; ${CONCURRENCY} keep-alive connections from a separate process. A floor (bench/workers/floor.ts) ` +
      "does only what the design requires at the runtime's boundary — the header reads, `waitUntil`, the 302 " +
      `with five headers; the cold floor also the two KV reads — and none of edgeref's own code:

| worker | req/s | p50 ms | p99 ms |
|---|---|---|---|
${row("bare Hono 302 (warm's process)", cost.warm.bare)}
${row("warm floor", cost.warm.floor)}
${row("edge warm (isolate cache hit, in-memory click sink)", cost.warm.variant)}
${row("bare Hono 302 (cold's process)", cost.cold.bare)}
${row("cold floor (two KV reads)", cost.cold.floor)}
${row("edge cold (no isolate cache: KV reads per request)", cost.cold.variant)}

Per-round ratios, warm/bare: ${cost.warm.ratios.map((r) => fmt(r, 2)).join(" ")}; ` +
      `warm floor/bare: ${cost.warm.floorRatios.map((r) => fmt(r, 2)).join(" ")}; ` +
      `cold/bare: ${cost.cold.ratios.map((r) => fmt(r, 3)).join(" ")}; ` +
      `cold floor/bare: ${cost.cold.floorRatios.map((r) => fmt(r, 3)).join(" ")}.

Floors: warm ${fmt(cost.warm.floorRatio, 3)} × bare, cold ${fmt(cost.cold.floorRatio, 3)} × bare.

ratio warm/bare: ${fmt(cost.ratio, 3)} (p50 ${fmt(cost.warm.variant.p50 / cost.warm.bare.p50, 2)}× bare) · ` +
      `ratio cold/bare: ${fmt(cost.coldRatio, 3)}
`,
  );
}
if (exact) {
  /** @param {Step} s */
  const stepRow = (s) =>
    `| ${s.rate}${s.confirm ? " (confirm, fresh worker)" : ""} | ${s.seconds} | ${s.sent} | ${s.redirected} | ` +
    `${s.counted} | ${s.lost} | ${s.logged} | ${s.retried} |`;
  sections.push(
    `**Exactness** — real edge worker, local queue and consumer; after each step the queue is drained:

| rate req/s | seconds | sent | 302 | counted so far | lost | logged as lost by the edge | sent again after a reset |
|---|---|---|---|---|---|---|---|
${exact.steps.map(stepRow).join("\n")}

Highest lossless rate in the steps: ${exact.highestLossless} req/s. ` +
      `Rate the local queue carries (one step below, measured again for ${RATE_SECONDS * 2} s in a fresh worker): ` +
      `${exact.carried} req/s; clicks lost there: ${exact.lost}.
`,
  );
}
if (ing) {
  sections.push(
    `**Ingest** — ${ing.written} clicks in 100-click batches through the click consumer (\`consumeClickBatch\`): ` +
      `${fmt(ing.clicksPerSecond)} clicks/s (${fmt(ing.seconds, 2)} s).
`,
  );
}
if (misses) {
  /**
   * @param {string} name
   * @param {MissCounts & { requests: number, rps: number }} m
   */
  const missRow = (name, m) =>
    `| ${name} | ${m.requests} | ${m.d1Queries} (${fmt((100 * m.d1Queries) / m.requests, 2)}%) | ` +
    `${fmt(m.kvReads / m.requests, 2)} | ${m.kvWrites} | ${fmt(m.rps)} |`;
  sections.push(
    `**Unknown slugs** — the real edge app over a D1 and KV that count their calls, demo company; ` +
      `every request a new random slug, ${CONCURRENCY} connections; counted after ${MISS_WARM_UP} warm-up requests:

| variant | requests | D1 queries | KV reads per request | KV writes | req/s |
|---|---|---|---|---|---|
${missRow("slug filter, miss limiter not bound", misses.filtered)}
${missRow("no slug filter (as before), miss limiter not bound", misses.unfiltered)}
${missRow("slug filter + miss limiter, one client IP, counted from its first request", misses.limited)}
`,
  );
}
if (offerRuns) {
  sections.push(
    `**Offers at ingest** — ${OFFER_ROUNDS} interleaved rounds of ${OFFER_TRANSACTIONS} transactions each through ` +
      "`recordTransaction` (10% refunds, 20% in EUR), into a group with 20 active triggers in 4 offers " +
      "(about half match a sale; caps, first sale only, a flat reward in EUR) and into a group with none; " +
      `${offerRuns.rewards} rewards written in all:

| round | 0 triggers tx/s | 20 triggers tx/s | ratio |
|---|---|---|---|
${offerRuns.rounds.map((r, i) => `| ${i + 1} | ${fmt(r.without)} | ${fmt(r.with)} | ${fmt(r.ratio, 2)} |`).join("\n")}

offer ingest ratio 20/0: ${fmt(offerRuns.ratio, 2)} (median of the rounds)
`,
  );
}
const onlySome = PARTS.length < ALL_PARTS.length ? ` (BENCH_ONLY=${PARTS.join(",")})` : "";
appendFileSync(
  "bench/RESULTS.md",
  `
## ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${onlySome}

Machine: ${machine}

${sections.join("\n")}`,
);

log("");
if (cost) {
  log(
    `ratio warm/bare: ${fmt(cost.ratio, 3)} · ratio cold/bare: ${fmt(cost.coldRatio, 3)} · ` +
      `floors: warm ${fmt(cost.warm.floorRatio, 3)}, cold ${fmt(cost.cold.floorRatio, 3)}`,
  );
}
if (exact) log(`clicks lost: ${exact.lost}`);
if (ing) log(`ingest clicks/s: ${fmt(ing.clicksPerSecond)}`);
if (misses) {
  const m = misses.filtered;
  log(
    `unknown slugs: ${m.requests} requests, ` +
      `D1 queries ${m.d1Queries} (${fmt((100 * m.d1Queries) / m.requests, 2)}%) after warm-up`,
  );
}
if (offerRuns) log(`offer ingest ratio 20/0: ${fmt(offerRuns.ratio, 2)}`);
