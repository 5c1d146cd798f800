import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type * as routes from "./rewards.routes";
import { getReward, grantReward, listPartnerRewards, type Reward, type RewardEvent, rewardHistory } from "./service";

export function serializeReward(reward: Reward) {
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

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const { reward_id } = c.req.valid("param");
  const reward = await getReward(c.env, companyId, reward_id);
  const history = await rewardHistory(c.env, companyId, reward.id);
  return c.json({ ...serializeReward(reward), history: history.map(serializeChange) }, 200);
};

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
