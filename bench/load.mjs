// Load generator, run as its own process (forked by bench/run.mjs) so it never shares an event
// loop with the orchestrator. Keep-alive HTTP/1.1; reports throughput and latency percentiles.
//   closed loop: { url, paths, host, concurrency, seconds }          → max throughput
//   closed loop: { url, paths, host, concurrency, requests }         → exactly that many requests
//   fixed rate:  { url, paths, host, rate, seconds }                 → exactly rate × seconds requests
//   alternating: { url, urls, paths, host, concurrency, seconds, sliceMs } → closed loop against each of
//                `urls` in turn, `sliceMs` at a time, `seconds` for each; one result per url (`results`)
// Optional `headers` are sent with every request.
import http from "node:http";

/**
 * @typedef {{ url: string, paths: string[], host: string, headers?: Record<string, string> }} Target
 * @typedef {Target & { concurrency: number } & ({ seconds: number } | { requests: number })} ClosedLoopJob
 * @typedef {Target & { rate: number, seconds: number }} FixedRateJob
 * @typedef {Target & { urls: string[], concurrency: number, seconds: number, sliceMs: number }} AlternatingJob
 * @typedef {ClosedLoopJob | FixedRateJob | AlternatingJob} LoadJob
 * @typedef {{ requests: number, seconds: number, rps: number, p50: number, p99: number }} Throughput
 * @typedef {Throughput & { statuses: Record<string, number>, retried: number }} LoadResult statuses: count per
 *   HTTP status; retried: requests sent again after a reset on a reused keep-alive connection (see requester)
 * @typedef {{ results: LoadResult[] }} AlternatingResult one per url, in order
 */

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

process.once("message", async (message) => {
  const job = /** @type {LoadJob} */ (message); // bench/run.mjs sends one job
  const result = "urls" in job ? await alternating(job) : "rate" in job ? await fixedRate(job) : await closedLoop(job);
  process.send?.(result, undefined, undefined, () => process.exit(0));
});

/**
 * Requests that a reused keep-alive connection lost before any answer (the server closed it as the
 * request went out) and that were sent again, once, on a new connection — as browsers and Node's
 * documentation do for idempotent requests. Reported with each result, so they are not hidden.
 */
let retriedAfterReset = 0;

/**
 * @param {Target & { concurrency?: number }} job
 * @returns {() => Promise<{ status: number | string | undefined, ms: number }>}
 */
function requester(job) {
  const target = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency ?? 256 });
  let next = 0;
  /**
   * @param {string | undefined} path
   * @param {bigint} started
   * @param {boolean} retry whether a reset on a reused connection may be sent again
   * @returns {Promise<{ status: number | string | undefined, ms: number }>}
   */
  const send = (path, started, retry) =>
    new Promise((resolve) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path,
          agent,
          headers: { host: job.host, "user-agent": UA, ...job.headers },
        },
        (response) => {
          response.resume();
          response.on("end", () =>
            resolve({ status: response.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
          );
        },
      );
      // No answer: counted under the socket error's code (ECONNRESET…), to tell a dropped request from a refused one.
      request.on("error", (/** @type {NodeJS.ErrnoException} */ error) => {
        if (retry && request.reusedSocket && error.code === "ECONNRESET") {
          retriedAfterReset++;
          resolve(send(path, started, false));
          return;
        }
        resolve({
          status: `error ${error.code ?? error.message}`,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
      request.end();
    });
  return () => send(job.paths[next++ % job.paths.length], process.hrtime.bigint(), true);
}

/** @param {ClosedLoopJob} job */
async function closedLoop(job) {
  const send = requester(job);
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  const deadline = "requests" in job ? Infinity : Date.now() + job.seconds * 1000;
  let left = "requests" in job ? job.requests : Infinity;
  const startedAt = process.hrtime.bigint();
  async function worker() {
    while (Date.now() < deadline && left-- > 0) {
      const { status, ms } = await send();
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      latencies.push(ms);
    }
  }
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const elapsed = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return summarize(latencies, statuses, elapsed);
}

/**
 * Closed loops against several workers in turn, a short slice each, so that drift in the machine's
 * speed (these machines are noisy over seconds) hits all of them alike. A slice ends when its last
 * request is answered; each worker's throughput is its requests over the time of its own slices.
 * One slice each first warms the connections up and is not counted.
 * @param {AlternatingJob} job
 * @returns {Promise<AlternatingResult>}
 */
async function alternating(job) {
  /** @typedef {{ latencies: number[], statuses: Record<string, number>, seconds: number }} Tally */
  const newTally = () => /** @type {Tally} */ ({ latencies: [], statuses: {}, seconds: 0 });
  const workers = job.urls.map((url) => ({ send: requester({ ...job, url }), tally: newTally() }));
  const slices = Math.max(1, Math.round((job.seconds * 1000) / job.sliceMs));
  for (let slice = -1; slice < slices; slice++) {
    for (const { send, tally: counted } of workers) {
      const tally = slice < 0 ? newTally() : counted;
      const end = Date.now() + job.sliceMs;
      const startedAt = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: job.concurrency }, async () => {
          while (Date.now() < end) {
            const { status, ms } = await send();
            tally.statuses[String(status)] = (tally.statuses[String(status)] ?? 0) + 1;
            tally.latencies.push(ms);
          }
        }),
      );
      tally.seconds += Number(process.hrtime.bigint() - startedAt) / 1e9;
    }
  }
  return { results: workers.map(({ tally }) => summarize(tally.latencies, tally.statuses, tally.seconds)) };
}

/** @param {FixedRateJob} job */
async function fixedRate(job) {
  const send = requester({ ...job, concurrency: 512 });
  const total = Math.round(job.rate * job.seconds);
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  const startedAt = Date.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = startedAt + (i * 1000) / job.rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send().then(({ status, ms }) => {
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        latencies.push(ms);
      }),
    );
  }
  await Promise.all(pending);
  return summarize(latencies, statuses, (Date.now() - startedAt) / 1000);
}

/**
 * @param {number[]} latencies
 * @param {Record<string, number>} statuses
 * @param {number} seconds
 * @returns {LoadResult}
 */
function summarize(latencies, statuses, seconds) {
  latencies.sort((a, b) => a - b);
  const pct = (/** @type {number} */ p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: pct(50),
    p99: pct(99),
    statuses,
    retried: retriedAfterReset,
  };
}
