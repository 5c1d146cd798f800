// The edge app with an isolate cache that keeps nothing: every request reads its records from KV
// (and D1 where KV misses), as a cold isolate would.
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";

const app = createEdgeApp({
  cache: new IsolateCache({ maxEntries: 0, freshMs: 0, missFreshMs: 0 }),
  clickSink: () => ({ send: async () => undefined }),
});

export default app;
