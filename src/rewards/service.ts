// Rewards: what partners earned, with a receipt each, and their lifecycle
// pending → approved → paid, or reversed (README, "Offers and rewards"). Rewards from triggers are
// written by ingest (./ingest.ts); this module reads them, grants manual ones and moves them on.
import { and, asc, desc, eq, gt, gte, inArray, lt } from "drizzle-orm";
import { database } from "../db/client";
import { rewardEvents, rewards } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { effectiveRate, toUsdCents } from "../fx/service";
import { dollars, MAX_TRANSACTION_USD_CENTS } from "../ingest/limits";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { DAY_MS } from "../lib/time";
import type { RewardStatus } from "../offers/model";
import { getPartner } from "../partners/service";

export type Reward = typeof rewards.$inferSelect;
export type RewardEvent = typeof rewardEvents.$inferSelect;

export async function getReward(env: Stores, companyId: string, rewardId: string): Promise<Reward> {
  const reward = await database(env.DB).query.rewards.findFirst({
    where: and(eq(rewards.id, rewardId), eq(rewards.companyId, companyId)),
  });
  if (!reward) throw problems.notFound("reward", rewardId);
  return reward;
}

/** A reward's status and amount changes, oldest first. */
export async function rewardHistory(env: Stores, companyId: string, rewardId: string): Promise<RewardEvent[]> {
  return database(env.DB)
    .select()
    .from(rewardEvents)
    .where(and(eq(rewardEvents.rewardId, rewardId), eq(rewardEvents.companyId, companyId)))
    .orderBy(asc(rewardEvents.seq));
}

/** A manual reward, as validated by the API's GrantReward schema. */
export interface ManualRewardInput {
  amount: number;
  currency: string;
  reason: string;
  holdDays?: number;
}

/**
 * A one-off reward (a bonus) an admin grants a partner, with a reason. It follows the same
 * lifecycle as any reward: pending through its hold (none by default), then approved.
 */
export async function grantReward(
  env: Stores,
  companyId: string,
  partnerId: string,
  input: ManualRewardInput,
  actor: string,
): Promise<Reward> {
  const partner = await getPartner(env, companyId, partnerId);
  const rate = await effectiveRate(env, companyId, input.currency);
  if (!rate) {
    throw problems.validation([
      {
        field: "currency",
        message: `no exchange rate for '${input.currency}'; add one with PUT /v1/fx-rates/${input.currency}`,
      },
    ]);
  }
  const amountUsdCents = toUsdCents(input.amount, rate);
  if (amountUsdCents > MAX_TRANSACTION_USD_CENTS) {
    throw problems.validation([
      { field: "amount", message: `a reward is worth at most ${dollars(MAX_TRANSACTION_USD_CENTS)}` },
    ]);
  }
  const now = Date.now();
  const [reward] = await database(env.DB)
    .insert(rewards)
    .values({
      id: newId("reward", now),
      companyId,
      partnerId: partner.id,
      groupId: partner.groupId,
      sourceType: "manual",
      eventAt: now,
      rewardType: "flat",
      amount: input.amount,
      currency: input.currency,
      usdPerUnit: rate.usdPerUnit,
      minorUnitDigits: rate.minorUnitDigits,
      amountUsdCents,
      status: "pending",
      holdUntil: now + (input.holdDays ?? 0) * DAY_MS,
      reason: input.reason,
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return reward!;
}

/** A partner's rewards in creation order, of one status or all. */
export async function listPartnerRewards(
  env: Stores,
  companyId: string,
  partnerId: string,
  options: { limit: number; startingAfter?: string; status?: RewardStatus; newestFirst?: boolean },
) {
  await getPartner(env, companyId, partnerId);
  const db = database(env.DB);
  if (options.startingAfter !== undefined) {
    const after = await db.query.rewards.findFirst({
      columns: { id: true },
      where: and(
        eq(rewards.id, options.startingAfter),
        eq(rewards.companyId, companyId),
        eq(rewards.partnerId, partnerId),
      ),
    });
    if (!after)
      throw problems.validation([{ field: "startingAfter", message: "no reward of this partner has this id" }]);
  }
  const rows = await db
    .select()
    .from(rewards)
    .where(
      and(
        eq(rewards.companyId, companyId),
        eq(rewards.partnerId, partnerId),
        options.status ? eq(rewards.status, options.status) : undefined,
        options.startingAfter ? (options.newestFirst ? lt : gt)(rewards.id, options.startingAfter) : undefined,
      ),
    )
    .orderBy(options.newestFirst ? desc(rewards.id) : asc(rewards.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

/** Rewards by id, only the company's own (for payouts). */
export async function rewardsByIds(env: Stores, companyId: string, ids: string[]): Promise<Reward[]> {
  if (ids.length === 0) return [];
  return database(env.DB)
    .select()
    .from(rewards)
    .where(and(eq(rewards.companyId, companyId), inArray(rewards.id, ids)));
}

export interface RewardTotals {
  /** Per status: how many rewards, and their net value in US cents (after partial reversals). */
  pending: { count: number; usdCents: number };
  approved: { count: number; usdCents: number };
  paid: { count: number; usdCents: number };
  /** Rewards reversed in full, and every US cent taken back from any reward. */
  reversed: { count: number; usdCents: number };
  /** All rewards' value as earned: the sum of the four. */
  earnedUsdCents: number;
}

export async function partnerRewardTotals(env: Stores, companyId: string, partnerId: string): Promise<RewardTotals> {
  await getPartner(env, companyId, partnerId);
  const { results } = await env.DB.prepare(
    `SELECT status, count(*) AS n, sum(amount_usd_cents - reversed_usd_cents) AS net,
       sum(reversed_usd_cents) AS taken_back, sum(amount_usd_cents) AS earned
     FROM rewards WHERE partner_id = ?2 AND company_id = ?1 GROUP BY status`,
  )
    .bind(companyId, partnerId)
    .all<{ status: RewardStatus; n: number; net: number; taken_back: number; earned: number }>();
  const of = (status: RewardStatus) => results.find((row) => row.status === status);
  const net = (status: RewardStatus) => ({ count: of(status)?.n ?? 0, usdCents: of(status)?.net ?? 0 });
  return {
    pending: net("pending"),
    approved: net("approved"),
    paid: net("paid"),
    reversed: {
      count: of("reversed")?.n ?? 0,
      usdCents: results.reduce((sum, row) => sum + row.taken_back, 0),
    },
    earnedUsdCents: results.reduce((sum, row) => sum + row.earned, 0),
  };
}

export interface RewardFilter {
  status?: RewardStatus;
  /** Created at or after. */
  from?: number;
  /** Created before. */
  to?: number;
}

/** The company's rewards in creation order, a page at a time (the CSV export streams them). */
export async function* rewardPages(env: Stores, companyId: string, filter: RewardFilter, pageSize = 500) {
  let after: string | undefined;
  for (;;) {
    const page = await database(env.DB)
      .select()
      .from(rewards)
      .where(
        and(
          eq(rewards.companyId, companyId),
          after ? gt(rewards.id, after) : undefined,
          filter.status ? eq(rewards.status, filter.status) : undefined,
          filter.from !== undefined ? gte(rewards.createdAt, filter.from) : undefined,
          filter.to !== undefined ? lt(rewards.createdAt, filter.to) : undefined,
        ),
      )
      .orderBy(asc(rewards.id))
      .limit(pageSize);
    if (page.length) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.id;
  }
}
