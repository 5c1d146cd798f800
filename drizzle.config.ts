import { defineConfig } from "drizzle-kit";

// Generates flat SQL migrations for D1 (`npm run db:generate`); wrangler and the tests apply them.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
