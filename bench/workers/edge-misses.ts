// The real edge app over a D1 and a KV that count what they are asked, for the unknown-slug
// benchmark: GET /__bench/counts reads the counters, /__bench/reset zeroes them. A request with
// `x-bench-filter: off` goes to the same app without slug filters (what every unknown slug cost
// before them). The click queue is an in-memory sink, as in edge-warm.
import type { Env } from "../../src/env";
import { createEdgeApp } from "../../src/redirect/app";
import { ISOLATE_FRESH_MS, IsolateCache } from "../../src/redirect/isolate-cache";

const counts = { d1Queries: 0, kvReads: 0, kvWrites: 0 };
const clickSink = () => ({ send: async () => undefined });
const withFilter = createEdgeApp({ clickSink });
const withoutFilter = createEdgeApp({
  clickSink,
  slugFilters: null,
  cache: new IsolateCache({ maxEntries: 10_000, freshMs: ISOLATE_FRESH_MS, missFreshMs: 5_000 }),
});

function countingDb(db: D1Database): D1Database {
  const statement = (inner: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(inner, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => statement(target.bind(...values));
        if (property === "first" || property === "all" || property === "run" || property === "raw") {
          return (...args: unknown[]) => {
            counts.d1Queries++;
            return (target[property] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => statement(target.prepare(sql));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counts.d1Queries += statements.length;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countingKv(kv: KVNamespace): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "get" || property === "getWithMetadata") counts.kvReads++;
        if (property === "put" || property === "delete") counts.kvWrites++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url);
    if (pathname === "/__bench/counts") return Response.json(counts);
    if (pathname === "/__bench/reset") {
      Object.assign(counts, { d1Queries: 0, kvReads: 0, kvWrites: 0 });
      return Response.json(counts);
    }
    const app = request.headers.get("x-bench-filter") === "off" ? withoutFilter : withFilter;
    return app.fetch(request, { ...env, DB: countingDb(env.DB), LINKS_KV: countingKv(env.LINKS_KV) }, ctx);
  },
} satisfies ExportedHandler<Env>;
