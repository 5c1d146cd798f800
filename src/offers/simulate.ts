// What an offer would have paid for a group's past events, writing nothing. The group's signups and
// sales in [from, to) are replayed in time order through one version of the offer (the current one,
// or a draft), with the same evaluation as ingest (./evaluate.ts): the same matching, amounts, rates
// and caps, "first sale" as recorded, per-customer caps counted from nothing at `from`, and each
// sale's rewards reduced by the refunds recorded against it so far.
import type { StorageEnv as Stores } from "../env";
import { listRates } from "../fx/service";
import { isOwnGroup } from "../groups/service";
import { problems } from "../lib/errors";
import { type Candidate, capToRoom, saleCandidates, signupCandidates } from "./evaluate";
import type { OfferInput, OfferTrigger } from "./model";
import { DEFAULT_HOLD_DAYS } from "./model";
import { getOffer, prepareTriggers, type VersionInEffect } from "./service";

export interface SimulationInput {
  from: number;
  to: number;
}

export interface Simulation {
  offerId: string | null;
  groupId: string;
  version: number | null;
  from: number;
  to: number;
  events: { signups: number; transactions: number };
  rewards: number;
  totalUsdCents: number;
  partners: { partnerId: string; rewards: number; usdCents: number }[];
}

/** Events of each kind one simulation replays at most. */
export const MAX_SIMULATED_EVENTS = 10_000;

export async function simulateOffer(env: Stores, companyId: string, offerId: string, input: SimulationInput) {
  const { offer, version } = await getOffer(env, companyId, offerId);
  const replayed = { offerId, version: version.version, holdDays: version.holdDays, triggers: version.triggers };
  return { ...(await replay(env, companyId, offer.groupId, replayed, input)), offerId, version: version.version };
}

export async function simulateDraft(
  env: Stores,
  companyId: string,
  groupId: string,
  input: SimulationInput & { offer: OfferInput },
) {
  if (!(await isOwnGroup(env, companyId, groupId))) throw problems.notFound("group", groupId);
  const triggers: OfferTrigger[] = await prepareTriggers(env, companyId, groupId, input.offer.triggers, null, "offer.");
  const draft = { offerId: "draft", version: 0, holdDays: input.offer.holdDays ?? DEFAULT_HOLD_DAYS, triggers };
  return { ...(await replay(env, companyId, groupId, draft, input)), offerId: null, version: null };
}

interface SaleRow {
  id: string;
  partner_id: string;
  customer_id: string;
  amount: number;
  currency: string;
  usd_per_unit: number;
  amount_usd_cents: number;
  product_key: string | null;
  category_key: string | null;
  occurred_at: number;
  refunded_amount: number;
  signup_at: number;
  is_first: number;
}

async function replay(
  env: Stores,
  companyId: string,
  groupId: string,
  version: VersionInEffect,
  { from, to }: SimulationInput,
): Promise<Omit<Simulation, "offerId" | "version">> {
  const limit = MAX_SIMULATED_EVENTS + 1;
  const [signups, sales, rateList] = await Promise.all([
    env.DB.prepare(
      `SELECT id, partner_id, created_at FROM customers
       WHERE company_id = ?1 AND group_id = ?2 AND created_at >= ?3 AND created_at < ?4 ORDER BY created_at LIMIT ?5`,
    )
      .bind(companyId, groupId, from, to, limit)
      .all<{ id: string; partner_id: string; created_at: number }>(),
    env.DB.prepare(
      `SELECT t.id, t.partner_id, t.customer_id, t.amount, t.currency, t.usd_per_unit, t.amount_usd_cents,
         t.product_key, t.category_key, t.occurred_at, t.refunded_amount, c.created_at AS signup_at,
         NOT EXISTS (SELECT 1 FROM transactions o
           WHERE o.customer_id = t.customer_id AND o.amount > 0 AND o.seq < t.seq) AS is_first
       FROM transactions t JOIN customers c ON c.id = t.customer_id
       WHERE t.company_id = ?1 AND t.group_id = ?2 AND t.amount > 0 AND t.occurred_at >= ?3 AND t.occurred_at < ?4
       ORDER BY t.occurred_at, t.seq LIMIT ?5`,
    )
      .bind(companyId, groupId, from, to, limit)
      .all<SaleRow>(),
    listRates(env, companyId),
  ]);
  if (signups.results.length > MAX_SIMULATED_EVENTS || sales.results.length > MAX_SIMULATED_EVENTS) {
    throw problems.validation([
      { field: "to", message: `more than ${MAX_SIMULATED_EVENTS} signups or sales in the range: narrow it` },
    ]);
  }
  const rates = new Map(rateList.map((rate) => [rate.currency, rate]));
  const rateOf = (currency: string) => rates.get(currency);

  type Event = { at: number; partnerId: string; customerId: string; candidates: () => Candidate[]; sale?: SaleRow };
  const events: Event[] = [
    ...signups.results.map((c) => ({
      at: c.created_at,
      partnerId: c.partner_id,
      customerId: c.id,
      candidates: () => signupCandidates([version], c.created_at, rateOf),
    })),
    ...sales.results.map((s) => ({
      at: s.occurred_at,
      partnerId: s.partner_id,
      customerId: s.customer_id,
      sale: s,
      candidates: () =>
        saleCandidates(
          [version],
          {
            at: s.occurred_at,
            amount: s.amount,
            currency: s.currency,
            amountUsdCents: s.amount_usd_cents,
            productKey: s.product_key,
            categoryKey: s.category_key,
            rate: { usdPerUnit: s.usd_per_unit, minorUnitDigits: rates.get(s.currency)?.minorUnitDigits ?? 2 },
            signupAt: s.signup_at,
          },
          rateOf,
        ),
    })),
  ].sort((a, b) => a.at - b.at);

  const earned = new Map<string, number>(); // trigger × customer → net US cents so far
  const partners = new Map<string, { rewards: number; usdCents: number }>();
  let count = 0;
  let total = 0;
  for (const event of events) {
    for (const candidate of event.candidates()) {
      if (candidate.firstTransactionOnly && !event.sale?.is_first) continue;
      let { amount, amountUsdCents } = candidate;
      const capKey = `${candidate.triggerId}:${event.customerId}`;
      if (candidate.perCustomerCapUsdCents !== null) {
        const room = Math.max(0, candidate.perCustomerCapUsdCents - (earned.get(capKey) ?? 0));
        ({ amount, amountUsdCents } = capToRoom(amount, amountUsdCents, candidate, room));
      }
      if (amount <= 0) continue;
      const net = amountUsdCents - refundedUsd(candidate, amount, amountUsdCents, event.sale);
      earned.set(capKey, (earned.get(capKey) ?? 0) + net);
      const partner = partners.get(event.partnerId) ?? { rewards: 0, usdCents: 0 };
      partner.rewards++;
      partner.usdCents += net;
      partners.set(event.partnerId, partner);
      count++;
      total += net;
    }
  }
  return {
    groupId,
    from,
    to,
    events: { signups: signups.results.length, transactions: sales.results.length },
    rewards: count,
    totalUsdCents: total,
    partners: [...partners.entries()]
      .map(([partnerId, p]) => ({ partnerId, ...p }))
      .sort((a, b) => b.usdCents - a.usdCents || a.partnerId.localeCompare(b.partnerId)),
  };
}

/** What refunds recorded against the sale take back of a reward, as ingest's refund statements compute it. */
function refundedUsd(candidate: Candidate, amount: number, amountUsdCents: number, sale?: SaleRow): number {
  if (!sale || sale.refunded_amount === 0) return 0;
  const target =
    candidate.rewardType === "percent"
      ? Math.min(amount, Math.floor((amount * sale.refunded_amount) / sale.amount + 0.5))
      : sale.refunded_amount >= sale.amount
        ? amount
        : 0;
  return target >= amount ? amountUsdCents : Math.floor((amountUsdCents * target) / amount + 0.5);
}
