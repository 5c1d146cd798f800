// Admin worker: the admin API (fetch) and the hourly rollup (scheduled).
import { createAdminApp } from "../src/admin/app";
import type { Env } from "../src/env";

const app = createAdminApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
