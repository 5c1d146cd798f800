// `npm run kv:reconcile`: on the local state `npm start` uses, publishes what the KV outbox still
// holds, then compares every company's edge records in KV with D1 and repairs the differences
// (src/redirect/reconcile.ts). Prints what it fixed. In production the hourly cron does the same
// for the companies reconciled longest ago.
import { runLocalTask } from "./local.mjs";

try {
  const { outbox, companies } = await runLocalTask("/kv-reconcile");
  console.log(`KV outbox: ${outbox.published} published, ${outbox.failed} failed`);
  for (const { companyId, checked, fixed } of companies) {
    console.log(`${companyId}: ${checked} records checked, ${fixed.length} fixed`);
    for (const { key, action } of fixed) console.log(`  ${action} ${key}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
