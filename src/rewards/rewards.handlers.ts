import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import { partnerKeysOf } from "../partners/service";
import { csvField } from "../stats/stats.handlers";
import { parseEntryEventKey } from "./ingest";
import { changeRewardStatus, payRewards } from "./lifecycle";
import type * as routes from "./rewards.routes";
import { REWARDS_CSV_HEADER } from "./rewards.routes";
import {
  getReward,
  grantReward,
  listPartnerRewards,
  partnerRewardTotals,
  type Reward,
  type RewardEvent,
  rewardHistory,
  rewardPages,
} from "./service";

export function serializeReward(reward: Reward) {
  const entry = reward.sourceId === null ? null : parseEntryEventKey(reward.sourceId);
  return {
    id: reward.id,
    object: "reward" as const,
    partner_id: reward.partnerId,
    group_id: reward.groupId,
    status: reward.status,
    amount: reward.amount,
    currency: reward.currency,
    amount_usd_cents: reward.amountUsdCents,
    reversed_amount: reward.reversedAmount,
    reversed_usd_cents: reward.reversedUsdCents,
    net_amount: reward.amount - reward.reversedAmount,
    net_usd_cents: reward.amountUsdCents - reward.reversedUsdCents,
    hold_until: iso(reward.holdUntil)!,
    payout_reference: reward.payoutReference,
    receipt: {
      event: {
        type: reward.sourceType,
        id: reward.sourceId,
        at: iso(reward.eventAt)!,
        amount: reward.eventAmount,
        currency: reward.eventCurrency,
        lead_id: entry?.kind === "lead" ? entry.entryId : null,
        deal_id: entry?.kind === "deal" ? entry.entryId : null,
        stage_id: entry?.stageId ?? null,
      },
      customer_id: reward.customerId,
      click_id: reward.clickId,
      attribution: reward.attribution,
      offer_id: reward.offerId,
      offer_version: reward.offerVersion,
      trigger_id: reward.triggerId,
      reward_type: reward.rewardType,
      percent: reward.percentBp === null ? null : reward.percentBp / 100,
      usd_per_unit: reward.usdPerUnit,
      minor_unit_digits: reward.minorUnitDigits,
      capped_by: reward.cappedBy as "per_transaction" | "per_customer" | null,
      reason: reward.reason,
      granted_by: reward.createdBy,
    },
    created_at: iso(reward.createdAt)!,
    updated_at: iso(reward.updatedAt)!,
  };
}

function serializeChange(change: RewardEvent) {
  return {
    from: change.fromStatus,
    to: change.toStatus,
    at: iso(change.at)!,
    by: change.actor,
    reason: change.reason,
    payout_reference: change.payoutReference,
    reversed_amount: change.reversedAmount,
    reversed_usd_cents: change.reversedUsdCents,
    transaction_id: change.transactionId,
  };
}

async function withHistory(env: Parameters<typeof rewardHistory>[0], companyId: string, reward: Reward) {
  const history = await rewardHistory(env, companyId, reward.id);
  return { ...serializeReward(reward), history: history.map(serializeChange) };
}

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const reward = await getReward(c.env, companyId, c.req.valid("param").reward_id);
  return c.json(await withHistory(c.env, companyId, reward), 200);
};

export const change: AdminHandler<typeof routes.change> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const { reward_id } = c.req.valid("param");
  const reward = await changeRewardStatus(c.env, companyId, reward_id, c.req.valid("json"), apiKeyId);
  return c.json(await withHistory(c.env, companyId, reward), 200);
};

export const pay: AdminHandler<typeof routes.pay> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const payout = await payRewards(c.env, companyId, c.req.valid("json"), apiKeyId);
  return c.json(
    {
      object: "payout" as const,
      payout_reference: payout.payoutReference,
      count: payout.rewards.length,
      total_usd_cents: payout.rewards.reduce((sum, r) => sum + r.amountUsdCents - r.reversedUsdCents, 0),
      rewards: payout.rewards.map(serializeReward),
    },
    200,
  );
};

export const totals: AdminHandler<typeof routes.totals> = async (c) => {
  const { partner_id } = c.req.valid("param");
  const t = await partnerRewardTotals(c.env, c.get("caller").companyId, partner_id);
  const bucket = (b: { count: number; usdCents: number }) => ({ count: b.count, usd_cents: b.usdCents });
  return c.json(
    {
      object: "reward_totals" as const,
      partner_id,
      pending: bucket(t.pending),
      approved: bucket(t.approved),
      paid: bucket(t.paid),
      reversed: bucket(t.reversed),
      earned_usd_cents: t.earnedUsdCents,
    },
    200,
  );
};

/** Minor units as a decimal string with the currency's digits: 900, 2 → "9.00"; 500, 0 → "500". */
const decimal = (minor: number, digits: number) => {
  const sign = minor < 0 ? "-" : "";
  const text = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
};

export const exportCsv: AdminHandler<typeof routes.exportCsv> = async (c) => {
  const { companyId } = c.get("caller");
  const query = c.req.valid("query");
  const pages = rewardPages(c.env, companyId, {
    status: query.status,
    from: query.from === undefined ? undefined : Date.parse(query.from),
    to: query.to === undefined ? undefined : Date.parse(query.to),
  });
  const encoder = new TextEncoder();
  let headerSent = false;
  // Streamed a page at a time: an export of any size holds one page in memory.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${REWARDS_CSV_HEADER}\n`));
        return;
      }
      const next = await pages.next();
      if (next.done) return controller.close();
      const keys = await partnerKeysOf(
        c.env,
        companyId,
        next.value.map((r) => r.partnerId),
      );
      controller.enqueue(encoder.encode(next.value.map((r) => `${csvRow(r, keys.get(r.partnerId) ?? "")}\n`).join("")));
    },
  });
  return c.body(body, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": 'attachment; filename="rewards.csv"',
  });
};

function csvRow(r: Reward, partnerKey: string): string {
  return [
    r.id,
    iso(r.createdAt),
    r.status,
    r.partnerId,
    csvField(partnerKey),
    r.groupId,
    r.customerId ?? "",
    r.sourceType,
    r.sourceId ?? "",
    iso(r.eventAt),
    r.offerId ?? "",
    r.offerVersion ?? "",
    r.triggerId ?? "",
    r.rewardType,
    r.percentBp === null ? "" : r.percentBp / 100,
    r.currency,
    decimal(r.amount, r.minorUnitDigits),
    decimal(r.reversedAmount, r.minorUnitDigits),
    decimal(r.amount - r.reversedAmount, r.minorUnitDigits),
    r.usdPerUnit,
    decimal(r.amountUsdCents, 2),
    decimal(r.reversedUsdCents, 2),
    decimal(r.amountUsdCents - r.reversedUsdCents, 2),
    iso(r.holdUntil),
    csvField(r.payoutReference ?? ""),
    csvField(r.reason ?? ""),
  ].join(",");
}

export const grant: AdminHandler<typeof routes.grant> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const reward = await grantReward(c.env, companyId, c.req.valid("param").partner_id, c.req.valid("json"), apiKeyId);
  return c.json(serializeReward(reward), 201);
};

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { limit, starting_after, status } = c.req.valid("query");
  const page = await listPartnerRewards(c.env, c.get("caller").companyId, c.req.valid("param").partner_id, {
    limit,
    startingAfter: starting_after,
    status,
  });
  return c.json(listBody(page.rows.map(serializeReward), page.hasMore), 200);
};
