import type { StorageEnv as Stores } from "../env";
import { purgeExpired } from "./purge";
import { runRollup } from "./rollup";

/** The admin worker's `0 * * * *` cron: roll up stats, then drop what is past retention. */
export async function runHourly(env: Stores, now = Date.now()): Promise<void> {
  await runRollup(env, now);
  await purgeExpired(env, now);
}
