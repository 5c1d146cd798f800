// Re-exported for the benchmarks: the project's compatibility date and D1 migrations.
export { compatibilityDate, migrationStatements } from "../scripts/local.mjs";
