import { Hono } from "hono";
import type { Env } from "../env";

/** The admin API. Its routes arrive with the admin-API issue; for now it answers health checks. */
export function createAdminApp() {
  const app = new Hono<{ Bindings: Env }>();
  app.get("/health", (c) => c.json({ ok: true }));
  return app;
}
