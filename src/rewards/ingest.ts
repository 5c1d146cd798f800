// Rewards written by ingest, in the same D1 batch as the event itself: a reward exists exactly when
// its event does. Each ingest loads its group's offer versions in effect at the event's time and the
// company's rates once (one round trip, however many triggers), evaluates them in memory, and adds ONE statement that
// inserts every matching reward (a JSON array of candidates), plus three per sale a refund takes back.
// "First sale only" and the per-customer cap are decided inside that statement, so concurrent
// events of one customer can neither both be "first" nor both fill the same room under a cap; a
// replayed or concurrent event never rewards twice (unique trigger × event, and the event's own key).
// Leads and deals entering stages are rewarded the same way, in the batch of the move (./stage statements).
import type { StorageEnv as Stores } from "../env";
import { ratesFromRows, ratesStatement } from "../fx/service";
import type { PipelineKind } from "../lib/constants";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  type Candidate,
  type SaleEvent,
  type StageEvent,
  saleCandidates,
  signupCandidates,
  stageCandidates,
} from "../offers/evaluate";
import type { EntryEvent } from "../offers/model";
import { type VersionInEffect, versionsFromRows, versionsInEffectStatement } from "../offers/service";

interface SignupEvent {
  companyId: string;
  groupId: string;
  customerId: string;
  at: number;
}

/** The statements that reward a new customer's signup (after the batch's customer insert). */
export async function signupRewardStatements(env: Stores, event: SignupEvent): Promise<D1PreparedStatement[]> {
  return signupRewardStatementsWith(env.DB, await rulesInEffect(env, event.companyId, event.groupId, event.at), event);
}

/** `signupRewardStatements` with the rules already loaded (a closing deal's batch creates a customer too). */
export function signupRewardStatementsWith(db: D1Database, rules: RulesInEffect, event: SignupEvent) {
  const { versions, rates } = rules;
  if (versions.length === 0) return [];
  const candidates = signupCandidates(versions, event.at, (currency) => rates.get(currency));
  if (candidates.length === 0) return [];
  return [
    db
      .prepare(
        `INSERT INTO rewards (${REWARD_COLUMNS})
       SELECT x.id, cu.company_id, cu.partner_id, cu.group_id, cu.id, 'signup', cu.id, ?3, ${attribution("cu")},
         x.offer_id, x.offer_version, x.trigger_id, x.reward_type, NULL, NULL, NULL, x.amount, x.currency, x.upu,
         x.digits, x.usd, x.capped_by, 'pending', x.hold_until, ?3, ?3
       FROM (${candidateRows}) x JOIN customers cu ON cu.id = ?2 AND cu.company_id = ?4`,
      )
      .bind(candidatesJson(candidates), event.customerId, event.at, event.companyId),
  ];
}

/**
 * The source key of "this lead or deal entered this stage" (one per entry and stage: a lead moved
 * back and forth enters a stage again with the same key) or "this deal closed".
 */
export function entryEventKey(event: EntryEvent, kind: PipelineKind, entryId: string, stageId: string): string {
  return event === "deal_closed" ? `deal:${entryId}:closed` : `${kind}:${entryId}:stage:${stageId}`;
}

/** What a key of `entryEventKey` names. */
export function parseEntryEventKey(key: string) {
  const match = /^(lead|deal):([^:]+):(?:stage:([^:]+)|closed)$/.exec(key);
  if (!match) return null;
  return { kind: match[1] as PipelineKind, entryId: match[2]!, stageId: match[3] ?? null };
}

/**
 * The statement that rewards a lead or deal entering a stage, for the move's own batch: it acts
 * only if `written` (SQL: the move was written) holds, after the batch's other statements (a closing
 * deal's customer is the reward's customer). Exactly once per entry, stage (or close) and trigger:
 * entering a stage again hits the unique index on (source_id, trigger_id), and does nothing.
 */
export function stageRewardStatements(
  db: D1Database,
  rules: RulesInEffect,
  event: StageEvent & { companyId: string; entryId: string; written: string },
): D1PreparedStatement[] {
  const { versions, rates } = rules;
  if (versions.length === 0) return [];
  const candidates = stageCandidates(versions, event, (currency) => rates.get(currency));
  if (candidates.length === 0) return [];
  const json = candidatesJson(candidates, (c) => ({
    source_type: c.event,
    source_id: entryEventKey(c.event, event.kind, event.entryId, event.stageId),
  }));
  // A lead has no customer; a deal has the one its closing created (same batch, written before this).
  const [table, customer] = event.kind === "deal" ? ["deals", "e.customer_id"] : ["leads", "NULL"];
  return [
    db
      .prepare(
        `INSERT INTO rewards (${REWARD_COLUMNS})
       SELECT x.id, e.company_id, e.partner_id, e.group_id, ${customer}, x.source_type, x.source_id, ?3,
         CASE WHEN ${customer} IS NULL THEN NULL ELSE 'deal' END, NULL, x.offer_id, x.offer_version, x.trigger_id,
         x.reward_type, NULL, NULL, NULL, x.amount, x.currency, x.upu, x.digits, x.usd, x.capped_by, 'pending',
         x.hold_until, ?3, ?3
       FROM (${candidateRows}) x JOIN ${table} e ON e.id = ?2 AND e.company_id = ?4
       WHERE ${event.written}
       ON CONFLICT DO NOTHING`,
      )
      .bind(json, event.entryId, event.at, event.companyId),
  ];
}

/**
 * The statements that reward a sale (after the batch's transaction insert, which wrote `transactionId`
 * only if the customer was still in `groupId`: the rewards read the inserted row, so they follow it).
 */
export async function saleRewardStatements(
  env: Stores,
  event: SaleEvent & { companyId: string; groupId: string; customerId: string; transactionId: string; now: number },
): Promise<D1PreparedStatement[]> {
  if (event.amount <= 0) return [];
  const { versions, rates } = await rulesInEffect(env, event.companyId, event.groupId, event.at);
  if (versions.length === 0) return [];
  // A flat reward in the sale's own currency uses the sale's rate (saleCandidates); others the company's.
  const candidates = saleCandidates(versions, event, (currency) => rates.get(currency));
  if (candidates.length === 0) return [];
  return [
    env.DB.prepare(
      `INSERT INTO rewards (${REWARD_COLUMNS})
       SELECT x.id, t.company_id, t.partner_id, t.group_id, t.customer_id, 'transaction', t.id, t.occurred_at,
         ${attribution("cu")}, x.offer_id, x.offer_version, x.trigger_id, x.reward_type, x.percent_bp, t.amount,
         t.currency, x.minor, x.currency, x.upu, x.digits,
         CASE WHEN x.minor = x.amount THEN x.usd ELSE CAST(x.minor * x.upu * x.scale + 1e-9 + 0.5 AS INTEGER) END,
         CASE WHEN x.minor < x.amount THEN 'per_customer' ELSE x.capped_by END, 'pending', x.hold_until, ?3, ?3
       FROM (
         SELECT r.*, CASE WHEN r.room IS NULL OR r.room >= r.usd THEN r.amount
           ELSE min(r.amount, CAST(r.room / (r.upu * r.scale) AS INTEGER)) END AS minor
         FROM (
           SELECT c.*, CASE WHEN c.customer_cap IS NULL THEN NULL ELSE max(0, c.customer_cap - coalesce(
             (SELECT sum(e.amount_usd_cents - e.reversed_usd_cents) FROM rewards e
              WHERE e.customer_id = ?4 AND e.trigger_id = c.trigger_id), 0)) END AS room
           FROM (${candidateRows}) c
         ) r
       ) x
       JOIN transactions t ON t.id = ?2 AND t.company_id = ?5
       JOIN customers cu ON cu.id = t.customer_id
       WHERE x.minor > 0 AND (x.first_only = 0 OR NOT EXISTS (
         SELECT 1 FROM transactions o WHERE o.customer_id = t.customer_id AND o.amount > 0 AND o.seq < t.seq))`,
    ).bind(candidatesJson(candidates), event.transactionId, event.now, event.customerId, event.companyId),
  ];
}

/** How much of which sale a refund takes back (minor units of the sale's currency). */
export interface RefundAllocation {
  saleId: string;
  amount: number;
}

/**
 * Which sales a refund of `amount` (negative) takes back: the sale it names, else the customer's
 * newest sales in its currency that are not refunded in full yet, newest first.
 */
export async function refundAllocations(
  env: Stores,
  refund: { companyId: string; customerId: string; amount: number; currency: string; refundOf?: string | null },
): Promise<RefundAllocation[]> {
  const wanted = -refund.amount;
  if (refund.refundOf) {
    const sale = await env.DB.prepare(
      `SELECT id, customer_id, amount, currency, refunded_amount FROM transactions WHERE company_id = ?1 AND key = ?2`,
    )
      .bind(refund.companyId, refund.refundOf)
      .first<{ id: string; customer_id: string; amount: number; currency: string; refunded_amount: number }>();
    const refuse = (field: string, message: string) => problems.validation([{ field, message }]);
    if (!sale || sale.customer_id !== refund.customerId || sale.amount <= 0)
      throw refuse("refund_of", "no sale of this customer has this key");
    if (sale.currency !== refund.currency)
      throw refuse("currency", `the sale is in ${sale.currency}: refund it in its currency`);
    if (wanted > sale.amount - sale.refunded_amount)
      throw refuse("amount", `more than what is left to refund of the sale (${sale.amount - sale.refunded_amount})`);
    return [{ saleId: sale.id, amount: wanted }];
  }
  const { results } = await env.DB.prepare(
    `SELECT id, amount - refunded_amount AS open FROM transactions
     WHERE customer_id = ?1 AND currency = ?2 AND amount > refunded_amount ORDER BY seq DESC LIMIT 20`,
  )
    .bind(refund.customerId, refund.currency)
    .all<{ id: string; open: number }>();
  const allocations: RefundAllocation[] = [];
  let left = wanted;
  for (const sale of results) {
    if (left <= 0) break;
    const amount = Math.min(left, sale.open);
    allocations.push({ saleId: sale.id, amount });
    left -= amount;
  }
  return allocations;
}

/**
 * The statements that take back rewards of refunded sales, after the batch's refund insert (all of
 * them act only if the refund row was written). A percentage reward loses the refunded share of
 * itself; a flat one is reversed once its sale is refunded in full. Never below zero, never beyond
 * the amount; paid and reversed rewards are left as they are; no reward of another sale is touched.
 */
export function refundStatements(
  db: D1Database,
  refund: { transactionId: string; allocations: RefundAllocation[]; now: number },
): D1PreparedStatement[] {
  const written = "EXISTS (SELECT 1 FROM transactions WHERE id = ?2)";
  const due = `SELECT r.id, r.company_id, r.status, r.amount, r.reversed_amount, r.reversed_usd_cents,
      CASE WHEN d.target >= r.amount THEN r.amount_usd_cents
        ELSE CAST(r.amount_usd_cents * 1.0 * d.target / r.amount + 0.5 AS INTEGER) END AS target_usd, d.target
    FROM rewards r JOIN (
      SELECT r2.id, min(r2.amount, CASE
          WHEN r2.reward_type = 'percent' THEN CAST(r2.amount * 1.0 * s.refunded_amount / s.amount + 0.5 AS INTEGER)
          WHEN s.refunded_amount >= s.amount THEN r2.amount ELSE 0 END) AS target
      FROM rewards r2 JOIN transactions s ON s.id = r2.source_id
      WHERE r2.source_id = ?1 AND r2.trigger_id IS NOT NULL AND r2.status IN ('pending', 'approved')
    ) d ON d.id = r.id
    WHERE d.target > r.reversed_amount AND ${written}`;
  return refund.allocations.flatMap(({ saleId, amount }) => [
    db
      .prepare(
        `UPDATE transactions SET refunded_amount = min(amount, refunded_amount + ?3) WHERE id = ?1 AND ${written}`,
      )
      .bind(saleId, refund.transactionId, amount),
    db
      .prepare(
        `INSERT INTO reward_events (reward_id, company_id, from_status, to_status, reversed_amount,
           reversed_usd_cents, actor, transaction_id, at)
         SELECT id, company_id, status, CASE WHEN target >= amount THEN 'reversed' ELSE status END,
           target - reversed_amount, target_usd - reversed_usd_cents, 'refund', ?2, ?3 FROM (${due})`,
      )
      .bind(saleId, refund.transactionId, refund.now),
    db
      .prepare(
        `UPDATE rewards SET reversed_amount = d.target, reversed_usd_cents = d.target_usd, updated_at = ?3,
           status = CASE WHEN d.target >= rewards.amount THEN 'reversed' ELSE rewards.status END
         FROM (${due}) AS d WHERE rewards.id = d.id`,
      )
      .bind(saleId, refund.transactionId, refund.now),
  ]);
}

const REWARD_COLUMNS = `id, company_id, partner_id, group_id, customer_id, source_type, source_id, event_at,
  attribution, click_id, offer_id, offer_version, trigger_id, reward_type, percent_bp, event_amount, event_currency,
  amount, currency, usd_per_unit, minor_unit_digits, amount_usd_cents, capped_by, status, hold_until, created_at,
  updated_at`;

/** How the customer is tied to its partner: its click, else the deal that created it, else a partner key. */
const attribution = (customer: string) =>
  `CASE WHEN ${customer}.click_id IS NOT NULL THEN 'click' WHEN ${customer}.deal_id IS NOT NULL THEN 'deal'
    ELSE 'partner_key' END, ${customer}.click_id`;

/** The candidates of ?1 as rows. */
const candidateRows = `SELECT ${[
  "id",
  "offer_id",
  "offer_version",
  "trigger_id",
  "reward_type",
  "percent_bp",
  "amount",
  "currency",
  "upu",
  "scale",
  "digits",
  "usd",
  "capped_by",
  "first_only",
  "customer_cap",
  "hold_until",
  "source_type",
  "source_id",
]
  .map((name) => `json_extract(j.value, '$.${name}') AS ${name}`)
  .join(", ")} FROM json_each(?1) j`;

function candidatesJson<C extends Candidate>(candidates: C[], source?: (c: C) => object): string {
  return JSON.stringify(
    candidates.map((c) => ({
      ...source?.(c),
      id: newId("reward"),
      offer_id: c.offerId,
      offer_version: c.offerVersion,
      trigger_id: c.triggerId,
      reward_type: c.rewardType,
      percent_bp: c.percentBp,
      amount: c.amount,
      currency: c.currency,
      upu: c.usdPerUnit,
      scale: 10 ** (2 - c.minorUnitDigits),
      digits: c.minorUnitDigits,
      usd: c.amountUsdCents,
      capped_by: c.cappedBy,
      first_only: c.firstTransactionOnly ? 1 : 0,
      customer_cap: c.perCustomerCapUsdCents,
      hold_until: c.holdUntil,
    })),
  );
}

export type RulesInEffect = Awaited<ReturnType<typeof rulesInEffect>>;

/** The group's offer versions in effect at `at` and the company's rates: one round trip. */
export async function rulesInEffect(env: Stores, companyId: string, groupId: string, at: number) {
  const [versions, rates] = await env.DB.batch<Record<string, unknown>>([
    versionsInEffectStatement(env.DB, companyId, groupId, at),
    ratesStatement(env.DB, companyId),
  ]);
  return {
    versions: versionsFromRows(versions!.results as Parameters<typeof versionsFromRows>[0]),
    rates: ratesFromRows(rates!.results, companyId),
  };
}

export type { VersionInEffect };
