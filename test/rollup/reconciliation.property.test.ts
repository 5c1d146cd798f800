// Property: random streams of clicks, partner moves, conversions, customers, transactions and
// refunds, rolled up in random chunks (with reruns and overlapping runs), always equal a
// straightforward recomputation from the raw rows.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { expect, it } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import { createGroup } from "../../src/groups/service";
import { createCustomer, recordConversion, recordTransaction } from "../../src/ingest/service";
import { HOUR_MS } from "../../src/lib/time";
import { updatePartner } from "../../src/partners/service";
import { runRollup } from "../../src/rollup/rollup";
import { newTenant } from "../helpers/admin";
import { clickEvent } from "../helpers/clicks";
import { addPartner } from "../helpers/fixtures";
import { recomputeGroups, recomputePartners, storedGroups, storedPartners } from "../helpers/recompute";

const GROUPS = 3;
const PARTNERS = 5;
const CUSTOMERS = 6;

type Command =
  | { kind: "clicks"; partner: number; count: number; bots: number; hoursAgo: number; visitors: number }
  | { kind: "move"; partner: number; group: number }
  | { kind: "status"; partner: number; active: boolean }
  | { kind: "conversion"; click: number; customer: number }
  | { kind: "customer"; customer: number; partner: number }
  | { kind: "transaction"; customer: number; amount: number; currency: "USD" | "EUR" | "JPY"; replay: boolean }
  | { kind: "rollup"; runs: 1 | 2; overlapping: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("clicks" as const),
    partner: fc.nat(PARTNERS - 1),
    count: fc.integer({ min: 1, max: 8 }),
    bots: fc.nat(3),
    hoursAgo: fc.nat(5),
    visitors: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant("move" as const), partner: fc.nat(PARTNERS - 1), group: fc.nat(GROUPS - 1) }),
  fc.record({ kind: fc.constant("status" as const), partner: fc.nat(PARTNERS - 1), active: fc.boolean() }),
  fc.record({ kind: fc.constant("conversion" as const), click: fc.nat(1000), customer: fc.nat(CUSTOMERS - 1) }),
  fc.record({ kind: fc.constant("customer" as const), customer: fc.nat(CUSTOMERS - 1), partner: fc.nat(PARTNERS - 1) }),
  fc.record({
    kind: fc.constant("transaction" as const),
    customer: fc.nat(CUSTOMERS - 1),
    amount: fc.integer({ min: -5000, max: 20000 }),
    currency: fc.constantFrom("USD" as const, "EUR" as const, "JPY" as const),
    replay: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("rollup" as const),
    runs: fc.constantFrom(1 as const, 2 as const),
    overlapping: fc.boolean(),
  }),
);

it("incremental rollups equal a recomputation from raw rows", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40 }), async (commands) => {
      const t = await newTenant("enterprise");
      const groups = [];
      for (let g = 0; g < GROUPS; g++)
        groups.push(await createGroup(env, t.companyId, { name: `G${g}`, destinationUrl: "https://acme.example/" }));
      const partners = [];
      for (let p = 0; p < PARTNERS; p++) partners.push(await addPartner(t.companyId, groups[p % GROUPS]!.id));
      const clickIds: string[] = [];
      const txnKeys: string[] = [];
      const now = Date.now();

      for (const cmd of commands) {
        switch (cmd.kind) {
          case "clicks": {
            const partner = (await env.DB.prepare("SELECT group_id FROM partners WHERE id = ?")
              .bind(partners[cmd.partner]!.id)
              .first<{ group_id: string }>())!;
            const target = { companyId: t.companyId, groupId: partner.group_id, partnerId: partners[cmd.partner]!.id };
            const ts = now - cmd.hoursAgo * HOUR_MS;
            const events = [
              ...Array.from({ length: cmd.count }, (_, i) => clickEvent(target, ts, "human", `v${i % cmd.visitors}`)),
              ...Array.from({ length: cmd.bots }, () => clickEvent(target, ts, "bot")),
            ];
            await writeClicks(env.DB, events);
            if (cmd.count > 1) await writeClicks(env.DB, events.slice(0, 2)); // a redelivery
            clickIds.push(...events.map((e) => e.clickId));
            break;
          }
          case "move":
            await updatePartner(env, t.companyId, partners[cmd.partner]!.id, { groupId: groups[cmd.group]!.id });
            break;
          case "status":
            await updatePartner(env, t.companyId, partners[cmd.partner]!.id, {
              status: cmd.active ? "active" : "archived",
            });
            break;
          case "conversion":
            if (clickIds.length)
              await recordConversion(env, t.companyId, {
                xid: clickIds[cmd.click % clickIds.length]!,
                customerKey: `c${cmd.customer}`,
              });
            break;
          case "customer":
            await createCustomer(env, t.companyId, {
              customerKey: `c${cmd.customer}`,
              email: `c${cmd.customer}@example.com`,
              partnerKey: partners[cmd.partner]!.partnerKey,
            }).catch(
              () => undefined, // exists with another partner: refused, nothing changes
            );
            break;
          case "transaction": {
            const key = cmd.replay && txnKeys.length ? txnKeys[txnKeys.length - 1]! : `t${txnKeys.length}`;
            const exists = await env.DB.prepare("SELECT 1 FROM customers WHERE company_id = ? AND customer_key = ?")
              .bind(t.companyId, `c${cmd.customer}`)
              .first();
            if (!exists) break;
            await recordTransaction(env, t.companyId, {
              key,
              customerKey: `c${cmd.customer}`,
              amount: cmd.amount,
              currency: cmd.currency,
            }).catch(() => undefined); // a reused key with other details is refused
            if (key === `t${txnKeys.length}`) txnKeys.push(key);
            break;
          }
          case "rollup":
            if (cmd.overlapping) await Promise.all([runRollup(env), runRollup(env)]);
            else for (let i = 0; i < cmd.runs; i++) await runRollup(env);
            break;
        }
      }
      await runRollup(env);
      expect(await storedGroups(t.companyId)).toEqual(await recomputeGroups(t.companyId));
      expect(await storedPartners(t.companyId)).toEqual(await recomputePartners(t.companyId));
      // And a rerun changes nothing.
      await runRollup(env);
      expect(await storedGroups(t.companyId)).toEqual(await recomputeGroups(t.companyId));
      // The running nets the money bounds check are exactly the sums of the transactions.
      expect(await runningNetsOffBy(t.companyId)).toEqual([]);
    }),
    { numRuns: 25 },
  );
}, 300_000);

/** Groups and customers whose running net differs from the sum of their transactions. */
async function runningNetsOffBy(companyId: string) {
  const { results } = await env.DB.prepare(
    `SELECT 'group' AS kind, g.id, g.net_revenue_usd_cents AS net,
       (SELECT coalesce(sum(amount_usd_cents), 0) FROM transactions WHERE group_id = g.id) AS total
     FROM groups g WHERE g.company_id = ?1
     UNION ALL
     SELECT 'customer', c.id, c.net_usd_cents,
       (SELECT coalesce(sum(amount_usd_cents), 0) FROM transactions WHERE customer_id = c.id)
     FROM customers c WHERE c.company_id = ?1`,
  )
    .bind(companyId)
    .all<{ kind: string; id: string; net: number; total: number }>();
  return results.filter((row) => row.net !== row.total);
}
