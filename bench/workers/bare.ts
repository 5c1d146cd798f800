// Baseline: a Hono worker that only answers 302. Everything else is measured against it.
import { Hono } from "hono";

const app = new Hono();
app.get("/:slug", (c) => c.redirect("https://example.com/landing", 302));

export default app;
