import type { StorageEnv as Stores } from "../env";
import { drainOutbox } from "../redirect/publish";
import { reconcileOldest } from "../redirect/reconcile";
import { approveDueRewards } from "../rewards/lifecycle";
import { purgeExpired } from "./purge";
import { runRollup } from "./rollup";

/** Edge records the outbox still holds after their own retries, published per cron run at most. */
const OUTBOX_DRAIN_LIMIT = 5000;

/**
 * The admin worker's `0 * * * *` cron: roll up stats, drop what is past retention, approve rewards
 * whose hold has passed, publish what the KV outbox still holds, and reconcile a share of the
 * companies' KV records. Each step has its
 * own failure boundary: retention runs even when a rollup fails, and so on.
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
  await step("approve rewards", () => approveDueRewards(env, now));
  await step("kv outbox", async () => {
    const { failed } = await drainOutbox(env, { limit: OUTBOX_DRAIN_LIMIT });
    if (failed) throw new Error(`${failed} edge records could not be published; they stay in the outbox`);
  });
  await step("kv reconcile", () => reconcileOldest(env, now));
  // Reported to the runtime too (the cron shows as failed), after every step had its chance.
  if (failures.length) throw new AggregateError(failures, "hourly cron: some steps failed");
}
