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
import { currencyCode, objectId } from "../lib/validation";
import { ATTRIBUTIONS, MAX_HOLD_DAYS, REWARD_SOURCES, REWARD_STATUSES, REWARD_TYPES } from "../offers/model";
import type { RewardChange } from "./lifecycle";
import type { ManualRewardInput } from "./service";

const tags = ["Rewards"];
const PartnerIdParam = idParam("partner_id", "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz");
const RewardIdParam = idParam("reward_id", "rwd_01jd3k5qv0r8t2x7m9c4b6n1pz");

const ReceiptSchema = z
  .object({
    event: z.object({
      type: z.enum(REWARD_SOURCES).openapi({ description: "What earned it; `manual`: granted by an admin" }),
      id: z
        .string()
        .nullable()
        .openapi({
          description:
            "The customer (signup), the sale (transaction), or the event key of a lead or deal entering a stage " +
            "(`lead:<lead id>:stage:<stage id>`) or closing (`deal:<deal id>:closed`): one reward per key and trigger",
        }),
      at: z.string().openapi({ description: "The event's own time: the offer version in effect then was used" }),
      amount: z.number().int().nullable().openapi({ description: "The sale's amount, in minor units" }),
      currency: z.string().nullable(),
      lead_id: z.string().nullable().openapi({ description: "The lead that entered a stage (`stage_entered`)" }),
      deal_id: z.string().nullable().openapi({ description: "The deal that entered a stage or closed" }),
      stage_id: z.string().nullable().openapi({ description: "The stage entered (`stage_entered`)" }),
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
    lead_id: null,
    deal_id: null,
    stage_id: null,
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

export const ChangeRewardBody = z
  .object({
    status: z
      .enum(REWARD_STATUSES)
      .openapi({ description: "pending → approved → paid; pending or approved → reversed" }),
    reason: z.string().trim().min(1).max(500).optional().openapi({ description: "Why; required to reverse" }),
    payout_reference: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "Required to mark paid (see also POST /v1/rewards/payouts)" }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.status === "reversed" && body.reason === undefined)
      ctx.addIssue({ code: "custom", path: ["reason"], message: "say why the reward is reversed" });
    if (body.status === "paid" && body.payout_reference === undefined)
      ctx.addIssue({ code: "custom", path: ["payout_reference"], message: "name the payout" });
    if (body.status !== "paid" && body.payout_reference !== undefined)
      ctx.addIssue({ code: "custom", path: ["payout_reference"], message: "only a payment has a payout reference" });
  })
  .openapi("ChangeReward", { example: { status: "reversed", reason: "Fraudulent signup" } })
  .transform(
    (body): RewardChange => ({ status: body.status, reason: body.reason, payoutReference: body.payout_reference }),
  );

export const PayoutBody = z
  .object({
    reward_ids: z
      .array(objectId)
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, "names a reward twice")
      .openapi({ description: "Approved rewards of your company, 1 to 100" }),
    payout_reference: z.string().trim().min(1).max(200).openapi({ description: "Your payment's reference" }),
  })
  .strict()
  .openapi("CreatePayout", {
    example: { reward_ids: ["rwd_01jd3k5qv0r8t2x7m9c4b6n1pz"], payout_reference: "PAY-2026-11-001" },
  })
  .transform((body) => ({ rewardIds: body.reward_ids, payoutReference: body.payout_reference }));

const PayoutSchema = z
  .object({
    object: z.literal("payout"),
    payout_reference: z.string(),
    count: z.number().int(),
    total_usd_cents: z.number().int().openapi({ description: "The rewards' net value" }),
    rewards: z.array(RewardSchema),
  })
  .openapi("Payout", {
    example: {
      object: "payout",
      payout_reference: "PAY-2026-11-001",
      count: 1,
      total_usd_cents: 972,
      rewards: [{ ...rewardExample, status: "paid" as const, payout_reference: "PAY-2026-11-001" }],
    },
  });

const Bucket = z.object({ count: z.number().int(), usd_cents: z.number().int() });
const TotalsSchema = z
  .object({
    object: z.literal("reward_totals"),
    partner_id: z.string(),
    pending: Bucket,
    approved: Bucket,
    paid: Bucket,
    reversed: Bucket.openapi({ description: "Rewards reversed in full; usd_cents: all that was taken back" }),
    earned_usd_cents: z.number().int().openapi({ description: "As earned: the sum of the four" }),
  })
  .openapi("RewardTotals", {
    example: {
      object: "reward_totals",
      partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
      pending: { count: 3, usd_cents: 2916 },
      approved: { count: 1, usd_cents: 100 },
      paid: { count: 10, usd_cents: 45000 },
      reversed: { count: 1, usd_cents: 1300 },
      earned_usd_cents: 49316,
    },
  });

const isoQuery = (description: string) =>
  z.iso.datetime({ offset: true }).optional().openapi({ description, example: "2026-11-01T00:00:00Z" });
export const ExportQuery = z.object({
  status: z.enum(REWARD_STATUSES).optional(),
  from: isoQuery("Rewards created at or after this time"),
  to: isoQuery("Rewards created before this time"),
});

export const REWARDS_CSV_HEADER =
  "reward_id,created_at,status,partner_id,partner_key,group_id,customer_id,source_type,source_id,event_at," +
  "offer_id,offer_version,trigger_id,reward_type,percent,currency,amount,reversed_amount,net_amount,usd_per_unit," +
  "amount_usd,reversed_usd,net_usd,hold_until,payout_reference,reason";

export const change = createRoute({
  method: "patch",
  operationId: "changeReward",
  path: "/v1/rewards/{reward_id}",
  tags,
  security,
  summary: "Approve, pay or reverse a reward (every change is recorded)",
  description:
    "pending → approved → paid; pending or approved → reversed (with a reason). Paid and reversed are final: " +
    "any other move is a 409 `reward-status-conflict`. Asking for the status it has changes nothing.",
  request: { params: RewardIdParam, body: jsonBody(ChangeRewardBody) },
  responses: { 200: jsonResponse(RewardWithHistory, "The reward"), ...errorResponses, ...conflictResponse },
});

export const pay = createRoute({
  method: "post",
  operationId: "payRewards",
  path: "/v1/rewards/payouts",
  tags,
  security,
  summary: "Mark a set of approved rewards paid under one payout reference (all or none)",
  request: { body: jsonBody(PayoutBody) },
  responses: { 200: jsonResponse(PayoutSchema, "The paid rewards"), ...errorResponses, ...conflictResponse },
});

export const totals = createRoute({
  method: "get",
  operationId: "getPartnerRewardTotals",
  path: "/v1/partners/{partner_id}/reward-totals",
  tags,
  security,
  summary: "A partner's rewards totalled per status, in US cents",
  request: { params: PartnerIdParam },
  responses: { 200: jsonResponse(TotalsSchema, "The totals"), ...errorResponses },
});

export const exportCsv = createRoute({
  method: "get",
  operationId: "exportRewardsCsv",
  path: "/v1/exports/rewards.csv",
  tags,
  security,
  summary: "Every reward as CSV, for accounting",
  request: { query: ExportQuery },
  responses: {
    200: {
      description: "One row per reward, in creation order",
      content: {
        "text/csv": {
          schema: z.string().openapi({
            example:
              `${REWARDS_CSV_HEADER}\nrwd_01jd3k5qv0r8t2x7m9c4b6n1pz,2026-11-25T08:00:00.000Z,pending,` +
              "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz,jane-doe,grp_01jd3k5qv0r8t2x7m9c4b6n1pz,cus_01jd3k5qv0r8t2x7m9c4b6n1pz," +
              "transaction,txn_01jd3k5qv0r8t2x7m9c4b6n1pz,2026-11-25T08:00:00.000Z,ofr_01jd3k5qv0r8t2x7m9c4b6n1pz,2," +
              "trg_01jd3k5qv0r8t2x7m9c4b6n1pz,percent,20,EUR,9.00,0.00,9.00,1.08,9.72,0.00,9.72," +
              "2026-12-25T08:00:00.000Z,,\n",
          }),
        },
      },
    },
    ...errorResponses,
  },
});
