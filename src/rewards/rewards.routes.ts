import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuery,
  security,
} from "../admin/schemas";
import { MAX_AMOUNT_MINOR } from "../ingest/limits";
import { currencyCode } from "../lib/validation";
import { ATTRIBUTIONS, MAX_HOLD_DAYS, REWARD_SOURCES, REWARD_STATUSES, REWARD_TYPES } from "../offers/model";
import type { ManualRewardInput } from "./service";

const tags = ["Rewards"];
const PartnerIdParam = idParam("partner_id", "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz");
const RewardIdParam = idParam("reward_id", "rwd_01jd3k5qv0r8t2x7m9c4b6n1pz");

const ReceiptSchema = z
  .object({
    event: z.object({
      type: z.enum(REWARD_SOURCES).openapi({ description: "What earned it; `manual`: granted by an admin" }),
      id: z.string().nullable().openapi({ description: "The customer (signup) or the sale (transaction)" }),
      at: z.string().openapi({ description: "The event's own time: the offer version in effect then was used" }),
      amount: z.number().int().nullable().openapi({ description: "The sale's amount, in minor units" }),
      currency: z.string().nullable(),
    }),
    customer_id: z.string().nullable(),
    click_id: z.string().nullable().openapi({ description: "The click that attributed the customer" }),
    attribution: z.enum(ATTRIBUTIONS).nullable().openapi({ description: "How the customer was tied to the partner" }),
    offer_id: z.string().nullable(),
    offer_version: z.number().int().nullable(),
    trigger_id: z.string().nullable(),
    reward_type: z.enum(REWARD_TYPES),
    percent: z.number().nullable().openapi({ description: "A percentage reward's rate" }),
    usd_per_unit: z.number().openapi({ description: "The rate `amount_usd_cents` was computed with" }),
    minor_unit_digits: z.number().int(),
    capped_by: z
      .enum(["per_transaction", "per_customer"])
      .nullable()
      .openapi({ description: "The cap that made the reward smaller than its rule" }),
    reason: z.string().nullable().openapi({ description: "A manual reward's reason" }),
    granted_by: z.string().nullable().openapi({ description: "The API key that granted a manual reward" }),
  })
  .openapi("RewardReceipt");

const receiptExample = {
  event: {
    type: "transaction" as const,
    id: "txn_01jd3k5qv0r8t2x7m9c4b6n1pz",
    at: "2026-11-25T08:00:00.000Z",
    amount: 4500,
    currency: "EUR",
  },
  customer_id: "cus_01jd3k5qv0r8t2x7m9c4b6n1pz",
  click_id: "01jd3k5qv0r8t2x7m9c4b6n1pz",
  attribution: "click" as const,
  offer_id: "ofr_01jd3k5qv0r8t2x7m9c4b6n1pz",
  offer_version: 2,
  trigger_id: "trg_01jd3k5qv0r8t2x7m9c4b6n1pz",
  reward_type: "percent" as const,
  percent: 20,
  usd_per_unit: 1.08,
  minor_unit_digits: 2,
  capped_by: null,
  reason: null,
  granted_by: null,
};

const HistorySchema = z
  .object({
    from: z.enum(REWARD_STATUSES),
    to: z.enum(REWARD_STATUSES),
    at: z.string(),
    by: z.string().openapi({ description: "`cron`, `refund`, or the API key id of the admin" }),
    reason: z.string().nullable(),
    payout_reference: z.string().nullable(),
    reversed_amount: z.number().int().openapi({ description: "Minor units taken back by this change" }),
    reversed_usd_cents: z.number().int(),
    transaction_id: z.string().nullable().openapi({ description: "The refund that caused it" }),
  })
  .openapi("RewardChange");

const rewardShape = {
  id: z.string(),
  object: z.literal("reward"),
  partner_id: z.string(),
  group_id: z.string(),
  status: z.enum(REWARD_STATUSES),
  amount: z.number().int().openapi({ description: "What the rule gave, in minor units of `currency`" }),
  currency: z.string(),
  amount_usd_cents: z.number().int(),
  reversed_amount: z.number().int().openapi({ description: "Taken back by refunds or a reversal" }),
  reversed_usd_cents: z.number().int(),
  net_amount: z.number().int().openapi({ description: "amount − reversed_amount" }),
  net_usd_cents: z.number().int(),
  hold_until: z.string().openapi({ description: "Pending until then; approved by the hourly cron after" }),
  payout_reference: z.string().nullable(),
  receipt: ReceiptSchema,
  created_at: z.string(),
  updated_at: z.string(),
};

const rewardExample = {
  id: "rwd_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "reward" as const,
  partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  status: "pending" as const,
  amount: 900,
  currency: "EUR",
  amount_usd_cents: 972,
  reversed_amount: 0,
  reversed_usd_cents: 0,
  net_amount: 900,
  net_usd_cents: 972,
  hold_until: "2026-12-25T08:00:00.000Z",
  payout_reference: null,
  receipt: receiptExample,
  created_at: "2026-11-25T08:00:00.000Z",
  updated_at: "2026-11-25T08:00:00.000Z",
};

export const RewardSchema = z.object(rewardShape).openapi("Reward", { example: rewardExample });
const RewardWithHistory = z
  .object({ ...rewardShape, history: z.array(HistorySchema) })
  .openapi("RewardWithHistory", { example: { ...rewardExample, history: [] } });

export const GrantRewardBody = z
  .object({
    amount: z.number().int().min(1).max(MAX_AMOUNT_MINOR).openapi({ description: "Minor units", example: 5000 }),
    currency: currencyCode.openapi({ example: "USD" }),
    reason: z.string().trim().min(1).max(500).openapi({ example: "Top partner of the quarter" }),
    hold_days: z
      .number()
      .int()
      .min(0)
      .max(MAX_HOLD_DAYS)
      .optional()
      .openapi({ description: "Days it stays pending; default 0 (approved by the next hourly run)" }),
  })
  .strict()
  .openapi("GrantReward", { example: { amount: 5000, currency: "USD", reason: "Top partner of the quarter" } })
  .transform(
    (body): ManualRewardInput => ({
      amount: body.amount,
      currency: body.currency,
      reason: body.reason,
      holdDays: body.hold_days,
    }),
  );

export const RewardListQuery = PaginationQuery.extend({
  status: z.enum(REWARD_STATUSES).optional().openapi({ description: "Only rewards with this status" }),
});

export const get = createRoute({
  method: "get",
  operationId: "getReward",
  path: "/v1/rewards/{reward_id}",
  tags,
  security,
  summary: "A reward with its receipt and its history (who changed it, when, why)",
  request: { params: RewardIdParam },
  responses: { 200: jsonResponse(RewardWithHistory, "The reward"), ...errorResponses },
});

export const grant = createRoute({
  method: "post",
  operationId: "grantReward",
  path: "/v1/partners/{partner_id}/rewards",
  tags,
  security,
  summary: "Grant a partner a one-off reward (a bonus), with a reason",
  request: { params: PartnerIdParam, body: jsonBody(GrantRewardBody) },
  responses: { 201: jsonResponse(RewardSchema, "The reward (pending)"), ...errorResponses, ...conflictResponse },
});

export const list = createRoute({
  method: "get",
  operationId: "listPartnerRewards",
  path: "/v1/partners/{partner_id}/rewards",
  tags,
  security,
  summary: "A partner's rewards, in creation order, optionally of one status",
  request: { params: PartnerIdParam, query: RewardListQuery },
  responses: {
    200: jsonResponse(listOf(RewardSchema, "Reward", rewardExample), "A page of rewards"),
    ...errorResponses,
  },
});
