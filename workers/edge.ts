// Edge worker: partner-link redirects (fetch) and the click consumer (queue).
import { consumeClickBatch } from "../src/clicks/consumer";
import type { Env } from "../src/env";
import { createEdgeApp } from "../src/redirect/app";

const app = createEdgeApp();

export default {
  fetch: app.fetch,
  queue: consumeClickBatch,
} satisfies ExportedHandler<Env>;
