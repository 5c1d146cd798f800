import { readFileSync, readdirSync } from "node:fs";

export const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync("wrangler.toml", "utf8"))[1];

/** The D1 migrations as single statements, in order. */
export function migrationStatements() {
  return readdirSync("migrations")
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .flatMap((file) => readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint"))
    .map((statement) => statement.trim())
    .filter(Boolean);
}
