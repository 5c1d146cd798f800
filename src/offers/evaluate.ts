// Which triggers an event matches and what each would pay: pure functions, shared by ingest (which
// writes the rewards in the event's own batch) and the simulation (which writes nothing). Two rules
// depend on what else the customer did — "first sale only" and the per-customer cap — and are left
// to the caller: ingest applies them inside its SQL (exact under concurrency), the simulation in
// memory with `capToRoom`, the same arithmetic.
import { type FxRate, toUsdCents } from "../fx/service";
import { MAX_TRANSACTION_USD_CENTS } from "../ingest/limits";
import type { PipelineKind } from "../lib/constants";
import { DAY_MS } from "../lib/time";
import type { EntryEvent, KeyCondition, OfferTrigger } from "./model";
import type { VersionInEffect } from "./service";

type Rate = Pick<FxRate, "usdPerUnit" | "minorUnitDigits">;

/** A reward a trigger would create, before the two customer-dependent rules. */
export interface Candidate {
  offerId: string;
  offerVersion: number;
  triggerId: string;
  rewardType: "flat" | "percent";
  percentBp: number | null;
  amount: number;
  currency: string;
  usdPerUnit: number;
  minorUnitDigits: number;
  amountUsdCents: number;
  cappedBy: "per_transaction" | null;
  firstTransactionOnly: boolean;
  perCustomerCapUsdCents: number | null;
  holdUntil: number;
}

export interface SaleEvent {
  at: number;
  amount: number;
  currency: string;
  amountUsdCents: number;
  productKey: string | null;
  categoryKey: string | null;
  /** The rate the sale was converted with. */
  rate: Rate;
  /** When the customer signed up. */
  signupAt: number;
}

export function signupCandidates(
  versions: VersionInEffect[],
  at: number,
  rateOf: (currency: string) => Rate | undefined,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const version of versions) {
    for (const trigger of version.triggers) {
      if (trigger.event !== "signup" || trigger.reward.type !== "flat") continue;
      const rate = rateOf(trigger.reward.currency);
      if (!rate) continue; // the rate was removed since the offer was saved: nothing to convert with
      const priced = withinBound(trigger.reward.amount, rate, null);
      if (priced.amount > 0) candidates.push(candidate(version, trigger, priced, trigger.reward.currency, rate, at));
    }
  }
  return candidates;
}

/** A lead or deal entering a stage (a deal entering its pipeline's final stage closes). */
export interface StageEvent {
  at: number;
  kind: PipelineKind;
  stageId: string;
  closesDeal: boolean;
}

/**
 * The rewards of a lead or deal entering a stage: the `stage_entered` triggers naming this stage,
 * and `deal_closed` ones when it closes a deal. Flat only (the API refuses a percentage: nothing to
 * take it of); each candidate says which event it rewards, since the two are rewarded once each.
 */
export function stageCandidates(
  versions: VersionInEffect[],
  event: StageEvent,
  rateOf: (currency: string) => Rate | undefined,
): (Candidate & { event: EntryEvent })[] {
  const candidates: (Candidate & { event: EntryEvent })[] = [];
  for (const version of versions) {
    for (const trigger of version.triggers) {
      const { conditions: c, reward } = trigger;
      const matches =
        trigger.event === "stage_entered"
          ? c.pipeline === event.kind && c.stageId === event.stageId
          : trigger.event === "deal_closed" && event.closesDeal;
      if (!matches || reward.type !== "flat") continue;
      const rate = rateOf(reward.currency);
      if (!rate) continue; // the rate was removed since the offer was saved
      const priced = withinBound(reward.amount, rate, null);
      if (priced.amount <= 0) continue;
      candidates.push({
        ...candidate(version, trigger, priced, reward.currency, rate, event.at),
        event: trigger.event as EntryEvent,
      });
    }
  }
  return candidates;
}

export function saleCandidates(
  versions: VersionInEffect[],
  sale: SaleEvent,
  rateOf: (currency: string) => Rate | undefined,
): Candidate[] {
  if (sale.amount <= 0) return [];
  const candidates: Candidate[] = [];
  for (const version of versions) {
    for (const trigger of version.triggers) {
      if (trigger.event !== "transaction" || !saleMatches(trigger, sale)) continue;
      const { reward } = trigger;
      if (reward.type === "flat") {
        const rate = reward.currency === sale.currency ? sale.rate : rateOf(reward.currency);
        if (!rate) continue;
        const priced = withinBound(reward.amount, rate, null);
        if (priced.amount > 0) candidates.push(candidate(version, trigger, priced, reward.currency, rate, sale.at));
      } else {
        const amount = percentOf(sale.amount, reward.percentBp);
        const priced = withinBound(amount, sale.rate, reward.maxPerTransactionUsdCents ?? null);
        if (priced.amount > 0) candidates.push(candidate(version, trigger, priced, sale.currency, sale.rate, sale.at));
      }
    }
  }
  return candidates;
}

function saleMatches(trigger: OfferTrigger, sale: SaleEvent): boolean {
  const c = trigger.conditions;
  if (c.productKey && !keyMatches(c.productKey, sale.productKey)) return false;
  if (c.categoryKey && !keyMatches(c.categoryKey, sale.categoryKey)) return false;
  if (c.minAmountUsdCents !== undefined && sale.amountUsdCents < c.minAmountUsdCents) return false;
  if (c.withinMonthsOfSignup !== undefined && sale.at >= addUtcMonths(sale.signupAt, c.withinMonthsOfSignup))
    return false;
  return true;
}

function keyMatches(condition: KeyCondition, key: string | null): boolean {
  if (key === null) return false;
  return "in" in condition ? condition.in.includes(key) : condition.eq === key;
}

/** `ms` plus `months` calendar months (UTC), the day clamped to the month's length: Jan 31 + 1 → Feb 28/29. */
export function addUtcMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const target = new Date(ms);
  target.setUTCDate(1);
  target.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target.getTime();
}

/** `amount` × bp / 10,000, rounded half away from zero, exact for every bounded amount. */
export function percentOf(amount: number, percentBp: number): number {
  const scaled = BigInt(Math.abs(amount)) * BigInt(percentBp);
  return Math.sign(amount) * Number((scaled * 2n + 10_000n) / 20_000n);
}

/** The multiplier from minor units to US cents, as toUsdCents uses it. */
export const centsPerMinor = (rate: Rate) => rate.usdPerUnit * 10 ** (2 - rate.minorUnitDigits);

/**
 * The most of `amount` whose USD value stays within `capUsdCents`: the amount itself when it fits,
 * else the largest number of minor units worth no more than the cap.
 */
export function capToRoom(amount: number, amountUsdCents: number, rate: Rate, capUsdCents: number) {
  if (amountUsdCents <= capUsdCents) return { amount, amountUsdCents };
  let capped = Math.min(amount, Math.floor(Math.max(0, capUsdCents) / centsPerMinor(rate)));
  while (capped > 0 && toUsdCents(capped, rate) > capUsdCents) capped--;
  return { amount: capped, amountUsdCents: toUsdCents(capped, rate) };
}

/** The reward's USD value, within the per-sale cap and the bound on any one reward. */
function withinBound(amount: number, rate: Rate, capUsdCents: number | null) {
  const usd = toUsdCents(amount, rate);
  const cap = Math.min(capUsdCents ?? MAX_TRANSACTION_USD_CENTS, MAX_TRANSACTION_USD_CENTS);
  const priced = capToRoom(amount, usd, rate, cap);
  return { ...priced, cappedBy: priced.amount < amount ? ("per_transaction" as const) : null };
}

function candidate(
  version: VersionInEffect,
  trigger: OfferTrigger,
  priced: { amount: number; amountUsdCents: number; cappedBy: "per_transaction" | null },
  currency: string,
  rate: Rate,
  at: number,
): Candidate {
  const { reward } = trigger;
  return {
    offerId: version.offerId,
    offerVersion: version.version,
    triggerId: trigger.id,
    rewardType: reward.type,
    percentBp: reward.type === "percent" ? reward.percentBp : null,
    amount: priced.amount,
    currency,
    usdPerUnit: rate.usdPerUnit,
    minorUnitDigits: rate.minorUnitDigits,
    amountUsdCents: priced.amountUsdCents,
    cappedBy: priced.cappedBy,
    firstTransactionOnly: trigger.conditions.firstTransactionOnly === true,
    perCustomerCapUsdCents: reward.maxPerCustomerUsdCents ?? null,
    holdUntil: at + version.holdDays * DAY_MS,
  };
}
