// A reward's lifecycle: pending → approved (by the hourly cron once its hold has passed, or by an
// admin) → paid (an admin pays a set of approved rewards under a payout reference); pending or
// approved → reversed (by refunds, ./ingest.ts, or by an admin with a reason). Paid and reversed are
// final. Every change writes its history row in the same batch, guarded by the status it starts
// from, so two concurrent changes cannot both apply.

import type { StorageEnv as Stores } from "../env";
import { ApiError, problems } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import type { RewardStatus } from "../offers/model";
import { getReward, type Reward, rewardsByIds } from "./service";

/** Where each status may go. */
const NEXT: Record<RewardStatus, RewardStatus[]> = {
  pending: ["approved", "reversed"],
  approved: ["paid", "reversed"],
  paid: [],
  reversed: [],
};

export interface RewardChange {
  status: RewardStatus;
  reason?: string;
  payoutReference?: string;
}

function illegal(from: RewardStatus, to: RewardStatus) {
  const allowed = NEXT[from].length ? `only ${NEXT[from].map((s) => `\`${s}\``).join(" or ")}` : "nothing (final)";
  return `A ${from} reward cannot become ${to}: from ${from} it can become ${allowed}.`;
}

/**
 * Moves one reward to `change.status`, recording who, when and why. Asking for the status it has
 * changes nothing; an illegal move is a 409.
 */
export async function changeRewardStatus(
  env: Stores,
  companyId: string,
  rewardId: string,
  change: RewardChange,
  actor: string,
): Promise<Reward> {
  for (let attempt = 1; ; attempt++) {
    const reward = await getReward(env, companyId, rewardId);
    if (reward.status === change.status) return reward;
    if (!NEXT[reward.status].includes(change.status)) {
      throw new ApiError(PROBLEMS.rewardStatusConflict, illegal(reward.status, change.status));
    }
    const [, update] = await env.DB.batch(
      transitionStatements(env.DB, {
        where: "id = ?1 AND company_id = ?2 AND status = ?3",
        params: [reward.id, companyId, reward.status],
        to: change.status,
        actor,
        reason: change.reason ?? null,
        payoutReference: change.payoutReference ?? null,
        now: Date.now(),
      }),
    );
    if (update!.meta.changes > 0 || attempt >= 3) return getReward(env, companyId, rewardId);
    // Another change came first: judge this one against the status it has now.
  }
}

export interface Payout {
  payoutReference: string;
  rewards: Reward[];
}

/**
 * Marks approved rewards paid under one payout reference: all of them or none. An id that is not
 * one of the company's rewards is a 422 naming it; a reward that is not approved, a 409 naming it.
 */
export async function payRewards(
  env: Stores,
  companyId: string,
  input: { rewardIds: string[]; payoutReference: string },
  actor: string,
): Promise<Payout> {
  for (let attempt = 1; ; attempt++) {
    const found = new Map((await rewardsByIds(env, companyId, input.rewardIds)).map((r) => [r.id, r]));
    const missing = input.rewardIds
      .map((id, i) => ({ id, i }))
      .filter(({ id }) => !found.has(id))
      .map(({ i }) => ({ field: `reward_ids.${i}`, message: "no reward with this id in your company" }));
    if (missing.length) throw problems.validation(missing);
    const notApproved = input.rewardIds
      .map((id, i) => ({ reward: found.get(id)!, i }))
      .filter(({ reward }) => reward.status !== "approved")
      .map(({ reward, i }) => ({
        field: `reward_ids.${i}`,
        message: `is ${reward.status}: only approved rewards are paid`,
      }));
    if (notApproved.length) {
      throw new ApiError(
        PROBLEMS.rewardStatusConflict,
        "Only approved rewards can be paid; nothing was paid.",
        notApproved,
      );
    }
    const ids = JSON.stringify(input.rewardIds);
    const mine = "company_id = ?2 AND id IN (SELECT value FROM json_each(?1))";
    // Every one still approved, or none is touched.
    const allApproved = `status = 'approved' AND ${mine}
      AND (SELECT count(*) FROM rewards WHERE status = 'approved' AND ${mine}) = ?3`;
    const [, update] = await env.DB.batch(
      transitionStatements(env.DB, {
        where: allApproved,
        params: [ids, companyId, input.rewardIds.length],
        to: "paid",
        actor,
        reason: null,
        payoutReference: input.payoutReference,
        now: Date.now(),
      }),
    );
    if (update!.meta.changes > 0 || attempt >= 3) {
      const rewards = await rewardsByIds(env, companyId, input.rewardIds);
      const order = new Map(input.rewardIds.map((id, i) => [id, i]));
      return {
        payoutReference: input.payoutReference,
        rewards: rewards.sort((a, b) => order.get(a.id)! - order.get(b.id)!),
      };
    }
  }
}

/** The hourly cron: every pending reward whose hold has passed becomes approved. */
export async function approveDueRewards(env: Stores, now = Date.now(), batchSize = 1000): Promise<number> {
  let approved = 0;
  // Bounded per run; what is left waits for the next hour.
  for (let round = 0; round < 50; round++) {
    const due = `id IN (SELECT id FROM rewards WHERE status = 'pending' AND hold_until <= ?1
      ORDER BY hold_until, id LIMIT ${batchSize})`;
    const [, update] = await env.DB.batch(
      transitionStatements(env.DB, {
        where: due,
        params: [now],
        to: "approved",
        actor: "cron",
        reason: null,
        payoutReference: null,
        now,
      }),
    );
    approved += update!.meta.changes;
    if (update!.meta.changes < batchSize) break;
  }
  return approved;
}

/**
 * The history rows, then the change itself, for the rewards `where` selects (with `params` as ?1…).
 * A reversal takes back what is left of the reward.
 */
function transitionStatements(
  db: D1Database,
  t: {
    where: string;
    params: unknown[];
    to: RewardStatus;
    actor: string;
    reason: string | null;
    payoutReference: string | null;
    now: number;
  },
): D1PreparedStatement[] {
  const n = t.params.length;
  const [to, actor, reason, reference, now] = [n + 1, n + 2, n + 3, n + 4, n + 5].map((i) => `?${i}`);
  const values = [...t.params, t.to, t.actor, t.reason, t.payoutReference, t.now];
  const reversing = t.to === "reversed";
  const takenBack = reversing ? "amount - reversed_amount, amount_usd_cents - reversed_usd_cents" : "0, 0";
  return [
    db
      .prepare(
        `INSERT INTO reward_events (reward_id, company_id, from_status, to_status, reversed_amount,
           reversed_usd_cents, actor, reason, payout_reference, at)
         SELECT id, company_id, status, ${to}, ${takenBack}, ${actor}, ${reason}, ${reference}, ${now}
         FROM rewards WHERE ${t.where}`,
      )
      .bind(...values),
    db
      .prepare(
        `UPDATE rewards SET status = ${to}, updated_at = ${now},
           payout_reference = coalesce(${reference}, payout_reference)
           ${reversing ? ", reversed_amount = amount, reversed_usd_cents = amount_usd_cents" : ""}
         WHERE ${t.where}`,
      )
      .bind(...values),
  ];
}
