import type { StorageEnv as Stores } from "../env";
import { purgeExpired } from "./purge";
import { runRollup } from "./rollup";

/**
 * The admin worker's `0 * * * *` cron: roll up stats, then drop what is past retention. Each step
 * has its own failure boundary: retention runs even when a rollup fails, and the other way round.
 */
export async function runHourly(env: Stores, now = Date.now()): Promise<void> {
  const failures: unknown[] = [];
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      failures.push(error);
      console.error(JSON.stringify({ msg: "hourly step failed", step: name, error: String(error) }));
    }
  };
  await step("rollup", async () => {
    const { failed } = await runRollup(env, now);
    if (failed.length) throw new Error(`rollup failed for ${failed.length} companies: ${failed.join(", ")}`);
  });
  await step("purge", () => purgeExpired(env, now));
  // Reported to the runtime too (the cron shows as failed), after every step had its chance.
  if (failures.length) throw new AggregateError(failures, "hourly cron: some steps failed");
}
