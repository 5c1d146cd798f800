// Admin worker: the admin API (fetch) and the hourly rollup (scheduled).
import { createAdminApp } from "../src/admin/app";
import type { AdminEnv } from "../src/env";
import { runHourly } from "../src/rollup/hourly";

const app = createAdminApp();

export default {
  fetch: app.fetch,
  scheduled: async (controller, env, _ctx) => runHourly(env, controller.scheduledTime),
} satisfies ExportedHandler<AdminEnv>;
