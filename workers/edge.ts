// Edge worker: partner-link redirects (fetch), the click consumer and the dead-letter consumer (queue).
import { consumeClickQueues } from "../src/clicks/dead-letters";
import type { Env } from "../src/env";
import { createEdgeApp } from "../src/redirect/app";

const app = createEdgeApp();

export default {
  fetch: app.fetch,
  queue: consumeClickQueues,
} satisfies ExportedHandler<Env>;
