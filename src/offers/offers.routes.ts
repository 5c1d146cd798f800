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
import { MAX_AMOUNT_MINOR, MAX_TRANSACTION_USD_CENTS } from "../ingest/limits";
import { PIPELINE_KINDS } from "../lib/constants";
import { currencyCode, objectId } from "../lib/validation";
import {
  DEFAULT_HOLD_DAYS,
  type KeyCondition,
  MAX_HOLD_DAYS,
  MAX_KEYS_PER_CONDITION,
  MAX_TRIGGERS_PER_OFFER,
  MAX_WITHIN_MONTHS,
  OFFER_EVENTS,
  type OfferChanges,
  type OfferInput,
  type TriggerInput,
} from "./model";

const tags = ["Offers"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");
const OfferIdParam = idParam("offer_id", "ofr_01jd3k5qv0r8t2x7m9c4b6n1pz");

const usdCents = (description: string) =>
  z.number().int().min(1).max(MAX_TRANSACTION_USD_CENTS).openapi({ description });
const keyValue = z.string().min(1).max(200);

const KeyConditionBody = z
  .object({
    eq: keyValue.optional().openapi({ description: "The key equals this" }),
    in: z
      .array(keyValue)
      .min(1)
      .max(MAX_KEYS_PER_CONDITION)
      .optional()
      .openapi({ description: "The key is one of these" }),
  })
  .strict()
  .refine((c) => (c.eq === undefined) !== (c.in === undefined), "give exactly one of `eq` and `in`")
  .transform((c): KeyCondition => (c.in !== undefined ? { in: c.in } : { eq: c.eq! }));

const Conditions = z
  .object({
    product_key: KeyConditionBody.optional(),
    category_key: KeyConditionBody.optional(),
    min_amount_usd_cents: usdCents("The sale is worth at least this, in US cents").optional(),
    first_transaction_only: z.boolean().optional().openapi({ description: "Only the customer's first sale" }),
    within_months_of_signup: z
      .number()
      .int()
      .min(1)
      .max(MAX_WITHIN_MONTHS)
      .optional()
      .openapi({ description: "Only sales within this many calendar months of the customer's signup" }),
    pipeline: z
      .enum(PIPELINE_KINDS)
      .optional()
      .openapi({ description: "`stage_entered` only (required): the group's `lead` or `deal` pipeline" }),
    stage_id: objectId
      .optional()
      .openapi({ description: "`stage_entered` only (required): a stage of that pipeline of the offer's group" }),
  })
  .strict();

const FlatReward = z
  .object({
    type: z.literal("flat"),
    amount: z
      .number()
      .int()
      .min(1)
      .max(MAX_AMOUNT_MINOR)
      .openapi({ description: "Minor units of `currency` (100 = $1.00)", example: 100 }),
    currency: currencyCode.openapi({ example: "USD" }),
    max_per_customer_usd_cents: usdCents(
      "What one customer can earn the partner from this trigger, all time",
    ).optional(),
  })
  .strict();

const PercentReward = z
  .object({
    type: z.literal("percent"),
    percent: z
      .number()
      .gt(0)
      .max(100)
      .refine((p) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6, "at most two decimals")
      .openapi({ description: "Of the sale's amount: more than 0, at most 100, two decimals", example: 20 }),
    max_per_transaction_usd_cents: usdCents("At most this per sale, in US cents").optional(),
    max_per_customer_usd_cents: usdCents(
      "What one customer can earn the partner from this trigger, all time",
    ).optional(),
  })
  .strict();

const RewardBody = z.discriminatedUnion("type", [FlatReward, PercentReward], {
  error: "`type` must be `flat` or `percent`",
});

/** Conditions only a sale can meet: it has a product, a category, an amount, and a place among the customer's. */
const SALE_ONLY_CONDITIONS = [
  "product_key",
  "category_key",
  "min_amount_usd_cents",
  "first_transaction_only",
  "within_months_of_signup",
] as const;
const STAGE_CONDITIONS = ["pipeline", "stage_id"] as const;

export const TriggerBody = z
  .object({
    id: objectId
      .optional()
      .openapi({ description: "When editing: the id of a trigger of the offer to keep (its lifetime caps go on)" }),
    event: z.enum(OFFER_EVENTS).openapi({
      description:
        "`signup`: a new customer; `transaction`: a sale; `stage_entered`: a lead or deal enters the stage of " +
        "`conditions`; `deal_closed`: a deal enters the deal pipeline's final stage",
    }),
    conditions: Conditions.default({}),
    reward: RewardBody,
  })
  .strict()
  .superRefine((trigger, ctx) => {
    const refuse = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const { event, conditions, reward } = trigger;
    if (event !== "transaction") {
      for (const name of SALE_ONLY_CONDITIONS) {
        if (conditions[name] !== undefined) refuse(["conditions", name], `a ${event} trigger cannot use it`);
      }
    }
    if (event === "stage_entered") {
      for (const name of STAGE_CONDITIONS) {
        if (conditions[name] === undefined) refuse(["conditions", name], "a stage_entered trigger needs it");
      }
    } else {
      for (const name of STAGE_CONDITIONS) {
        if (conditions[name] !== undefined) refuse(["conditions", name], "only a stage_entered trigger uses it");
      }
    }
    if (event === "transaction") return;
    const what = event === "signup" ? "a signup" : "a lead or deal";
    if (reward.type === "percent") refuse(["reward", "type"], `${what} has no sale amount: use \`flat\``);
    if (reward.max_per_customer_usd_cents !== undefined) {
      refuse(
        ["reward", "max_per_customer_usd_cents"],
        event === "signup"
          ? "a signup trigger rewards a customer once"
          : `a ${event} trigger rewards a lead or deal once`,
      );
    }
  })
  .transform(
    (t): TriggerInput => ({
      ...(t.id !== undefined ? { id: t.id } : {}),
      event: t.event,
      conditions: {
        productKey: t.conditions.product_key,
        categoryKey: t.conditions.category_key,
        minAmountUsdCents: t.conditions.min_amount_usd_cents,
        firstTransactionOnly: t.conditions.first_transaction_only,
        withinMonthsOfSignup: t.conditions.within_months_of_signup,
        pipeline: t.conditions.pipeline,
        stageId: t.conditions.stage_id,
      },
      reward:
        t.reward.type === "flat"
          ? {
              type: "flat",
              amount: t.reward.amount,
              currency: t.reward.currency,
              maxPerCustomerUsdCents: t.reward.max_per_customer_usd_cents,
            }
          : {
              type: "percent",
              percentBp: Math.round(t.reward.percent * 100),
              maxPerTransactionUsdCents: t.reward.max_per_transaction_usd_cents,
              maxPerCustomerUsdCents: t.reward.max_per_customer_usd_cents,
            },
    }),
  );

const signupTriggerExample = {
  event: "signup",
  reward: { type: "flat", amount: 100, currency: "USD" },
} as const;
const saleTriggerExample = {
  event: "transaction",
  conditions: { product_key: { eq: "pro_plan" }, within_months_of_signup: 12 },
  reward: { type: "percent", percent: 20, max_per_customer_usd_cents: 50000 },
} as const;

const offerFields = {
  name: z.string().trim().min(1).max(100).openapi({ example: "Launch offer" }),
  description: z.string().max(1000).openapi({ description: "Shown to the group's partners" }),
  active: z.boolean().openapi({ description: "Only active offers reward events; default true" }),
  hold_days: z
    .number()
    .int()
    .min(0)
    .max(MAX_HOLD_DAYS)
    .openapi({ description: `Days a reward stays pending after its event; default ${DEFAULT_HOLD_DAYS}` }),
  triggers: z.array(TriggerBody).min(1).max(MAX_TRIGGERS_PER_OFFER),
};

export const OfferObject = z
  .object({
    ...offerFields,
    description: offerFields.description.optional(),
    active: offerFields.active.optional(),
    hold_days: offerFields.hold_days.optional(),
  })
  .strict();

export const toOfferInput = (body: z.output<typeof OfferObject>): OfferInput => ({
  name: body.name,
  description: body.description,
  active: body.active,
  holdDays: body.hold_days,
  triggers: body.triggers,
});

export const offerBodyExample = {
  name: "Launch offer",
  description: "For partners in the launch group",
  hold_days: 30,
  triggers: [signupTriggerExample, saleTriggerExample],
};

export const CreateOfferBody = OfferObject.openapi("CreateOffer", { example: offerBodyExample }).transform(
  toOfferInput,
);

export const UpdateOfferBody = z
  .object(offerFields)
  .partial()
  .strict()
  .openapi("UpdateOffer", {
    example: { active: false },
    description: "A new version of the offer, in effect from now; events before now keep the version they had",
  })
  .transform(
    (body): OfferChanges => ({
      name: body.name,
      description: body.description,
      active: body.active,
      holdDays: body.hold_days,
      triggers: body.triggers,
    }),
  );

// Responses -------------------------------------------------------------------------------------

const KeyConditionOut = z.object({ eq: z.string().optional(), in: z.array(z.string()).optional() });
const TriggerSchema = z
  .object({
    id: z.string(),
    event: z.enum(OFFER_EVENTS),
    conditions: z.object({
      product_key: KeyConditionOut.optional(),
      category_key: KeyConditionOut.optional(),
      min_amount_usd_cents: z.number().int().optional(),
      first_transaction_only: z.boolean().optional(),
      within_months_of_signup: z.number().int().optional(),
      pipeline: z.enum(PIPELINE_KINDS).optional(),
      stage_id: z.string().optional(),
    }),
    reward: z.object({
      type: z.enum(["flat", "percent"]),
      amount: z.number().int().optional(),
      currency: z.string().optional(),
      percent: z.number().optional(),
      max_per_transaction_usd_cents: z.number().int().optional(),
      max_per_customer_usd_cents: z.number().int().optional(),
    }),
    summary: z.string().openapi({ description: "The trigger in one line, for partners" }),
  })
  .openapi("Trigger");

const OfferShape = z.object({
  id: z.string(),
  object: z.literal("offer"),
  group_id: z.string(),
  version: z.number().int().openapi({ description: "Each edit adds a version; events keep theirs" }),
  name: z.string(),
  description: z.string(),
  active: z.boolean(),
  hold_days: z.number().int(),
  triggers: z.array(TriggerSchema),
  summary: z.string().openapi({ description: "The offer in one line, generated from its triggers" }),
  effective_from: z.string().openapi({ description: "When this version took effect" }),
  effective_to: z.string().nullable().openapi({ description: "When the next version replaced it; null: current" }),
  created_at: z.string().openapi({ description: "When the offer was created (its first version)" }),
});

const offerExample: z.input<typeof OfferShape> = {
  id: "ofr_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "offer",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  version: 2,
  name: "Launch offer",
  description: "For partners in the launch group",
  active: true,
  hold_days: 30,
  triggers: [
    {
      id: "trg_01jd3k5qv0r8t2x7m9c4b6n1pz",
      ...signupTriggerExample,
      conditions: {},
      summary: "Earn $1.00 for every new customer you sign up",
    },
    {
      id: "trg_01jd3k5qv0r8t2x7m9c4b6n1q0",
      ...saleTriggerExample,
      summary: "Earn 20% of every Pro Plan sale for 12 months, up to $500 per customer",
    },
  ],
  summary:
    "Earn $1.00 for every new customer you sign up; " +
    "earn 20% of every Pro Plan sale for 12 months, up to $500 per customer",
  effective_from: "2026-11-25T08:00:00.000Z",
  effective_to: null,
  created_at: "2026-11-20T08:00:00.000Z",
};

export const OfferSchema = OfferShape.openapi("Offer", { example: offerExample });

// Routes ----------------------------------------------------------------------------------------

export const list = createRoute({
  method: "get",
  operationId: "listGroupOffers",
  path: "/v1/groups/{group_id}/offers",
  tags,
  security,
  summary: "List a group's offers (current versions, with their one-line summaries)",
  request: { params: GroupIdParam, query: PaginationQuery },
  responses: { 200: jsonResponse(listOf(OfferSchema, "Offer", offerExample), "A page of offers"), ...errorResponses },
});

export const create = createRoute({
  method: "post",
  operationId: "createOffer",
  path: "/v1/groups/{group_id}/offers",
  tags,
  security,
  summary: "Create an offer: triggers that earn the group's partners rewards",
  description:
    "A trigger's event is `signup`, `transaction`, `stage_entered` (a lead or deal enters the stage named by " +
    "`conditions.pipeline` and `conditions.stage_id`, a live stage of the group) or `deal_closed`; its conditions " +
    "narrow the sales it rewards; its reward is flat (minor units + currency) or a percentage of a sale, with " +
    "optional caps in US cents. Conditions a trigger cannot meet, a percentage of anything but a sale, a " +
    "percentage outside (0, 100], an amount ≤ 0, a currency without a rate or a stage that is not the group's " +
    "are a 422 naming the field.",
  request: { params: GroupIdParam, body: jsonBody(CreateOfferBody) },
  responses: { 201: jsonResponse(OfferSchema, "The offer (version 1)"), ...errorResponses, ...conflictResponse },
});

export const get = createRoute({
  method: "get",
  operationId: "getOffer",
  path: "/v1/offers/{offer_id}",
  tags,
  security,
  summary: "Get an offer (its current version)",
  request: { params: OfferIdParam },
  responses: { 200: jsonResponse(OfferSchema, "The offer"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updateOffer",
  path: "/v1/offers/{offer_id}",
  tags,
  security,
  summary: "Edit an offer: a new version, in effect from now",
  description:
    "Editing never rewrites history: an event is evaluated against the version in effect at its own time. " +
    "Absent fields keep their values; a trigger sent with its `id` keeps its identity (and lifetime caps).",
  request: { params: OfferIdParam, body: jsonBody(UpdateOfferBody) },
  responses: { 200: jsonResponse(OfferSchema, "The offer's new current version"), ...errorResponses },
});

export const versions = createRoute({
  method: "get",
  operationId: "listOfferVersions",
  path: "/v1/offers/{offer_id}/versions",
  tags,
  security,
  summary: "Every version of an offer, oldest first",
  request: { params: OfferIdParam },
  responses: {
    200: jsonResponse(listOf(OfferSchema, "OfferVersion", offerExample), "The versions"),
    ...errorResponses,
  },
});
