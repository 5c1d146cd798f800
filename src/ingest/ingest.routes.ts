import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, idParam, jsonBody, jsonResponse, security } from "../admin/schemas";
import { currencyCode, email, partnerKey } from "../lib/validation";
import { dollars, MAX_AMOUNT_MINOR, MAX_OCCURRED_AHEAD_MS, MAX_TRANSACTION_USD_CENTS, MIN_OCCURRED_AT } from "./limits";
import type { ConversionInput, CustomerInput, TransactionInput } from "./service";

const tags = ["Ingest"];

const customerExample = {
  id: "cus_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "customer",
  customer_key: "acct_4711",
  email: "buyer@example.com",
  name: "Ada Buyer",
  partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  click_id: "01jd3k5qv0r8t2x7m9c4b6n1pz",
  deal_id: null,
  paid: true,
  net_usd_cents: 4900,
  created_at: "2026-11-25T08:00:00.000Z",
} as const;

export const CustomerSchema = z
  .object({
    id: z.string(),
    object: z.literal("customer"),
    customer_key: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    partner_id: z.string(),
    group_id: z.string(),
    click_id: z.string().nullable(),
    deal_id: z.string().nullable().openapi({ description: "The deal whose closing created the customer" }),
    paid: z.boolean().openapi({ description: "Net transactions are positive" }),
    net_usd_cents: z.number().int(),
    created_at: z.string(),
  })
  .openapi("Customer", { example: customerExample });

const transactionExample = {
  id: "txn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "transaction",
  key: "inv_2026_0042",
  customer_id: "cus_01jd3k5qv0r8t2x7m9c4b6n1pz",
  partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  amount: 4500,
  currency: "EUR",
  usd_per_unit: 1.08,
  amount_usd_cents: 4860,
  product_key: "pro_plan",
  category_key: null,
  created_at: "2026-11-25T08:00:00.000Z",
  refund_of: null,
  refunded_amount: 0,
  replayed: false,
} as const;

const TransactionSchema = z
  .object({
    id: z.string(),
    object: z.literal("transaction"),
    key: z.string(),
    customer_id: z.string(),
    partner_id: z.string(),
    group_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    usd_per_unit: z.number(),
    amount_usd_cents: z.number().int(),
    product_key: z.string().nullable(),
    category_key: z.string().nullable(),
    created_at: z.string(),
    refund_of: z.string().nullable().openapi({ description: "A refund: the key of the sale it names" }),
    refunded_amount: z
      .number()
      .int()
      .openapi({ description: "A sale: how much of it refunds took back so far (minor units)" }),
    replayed: z.boolean(),
  })
  .openapi("Transaction", { example: transactionExample });

const key = (example: string) => z.string().min(1).max(200).openapi({ example });
const optionalKey = z.string().max(200).optional();

export const ConversionBody = z
  .object({
    xid: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: "The click id your site received (`ps_xid`)", example: "01jd3k5qv0r8t2x7m9c4b6n1pz" }),
    customer_key: key("acct_4711"),
    email: email.optional(),
    name: z.string().max(200).optional(),
  })
  .strict()
  .openapi("Conversion", {
    example: { xid: "01jd3k5qv0r8t2x7m9c4b6n1pz", customer_key: "acct_4711", email: "buyer@example.com" },
  })
  .transform(
    (body): ConversionInput => ({ xid: body.xid, customerKey: body.customer_key, email: body.email, name: body.name }),
  );

const ConversionResult = z
  .object({
    object: z.literal("conversion"),
    customer: CustomerSchema,
    replayed: z.boolean().openapi({ description: "The same conversion was recorded before; nothing changed" }),
    rebound: z.boolean().openapi({ description: "An existing customer moved to this click's partner (last click)" }),
    kept_earlier_attribution: z
      .boolean()
      .openapi({ description: "An existing customer kept its partner (first click, older click, or already paying)" }),
  })
  .openapi("ConversionResult", {
    example: {
      object: "conversion",
      customer: customerExample,
      replayed: false,
      rebound: false,
      kept_earlier_attribution: false,
    },
  });

export const CustomerBody = z
  .object({ customer_key: key("acct_4711"), email, partner_key: partnerKey, name: z.string().max(200).optional() })
  .strict()
  .openapi("CreateCustomer", {
    example: { customer_key: "acct_4711", email: "buyer@example.com", partner_key: "jane-doe" },
  })
  .transform(
    (body): CustomerInput => ({
      customerKey: body.customer_key,
      email: body.email,
      partnerKey: body.partner_key,
      name: body.name,
    }),
  );

const CustomerResult = z
  .object({ object: z.literal("customer_result"), customer: CustomerSchema, replayed: z.boolean() })
  .openapi("CustomerResult", { example: { object: "customer_result", customer: customerExample, replayed: false } });

export const TransactionBody = z
  .object({
    key: key("inv_2026_0042").openapi({ description: "Your id for the transaction: a replay with it changes nothing" }),
    customer_key: z.string().min(1).max(200).optional(),
    customer_email: email.optional(),
    amount: z
      .number()
      .int()
      .min(-MAX_AMOUNT_MINOR)
      .max(MAX_AMOUNT_MINOR)
      .refine((amount) => amount !== 0, "must not be 0: a purchase is positive, a refund negative")
      .openapi({
        description:
          `Minor units (cents); negative for a refund; not 0; |amount| at most ${MAX_AMOUNT_MINOR},` +
          ` and worth at most ${dollars(MAX_TRANSACTION_USD_CENTS)}`,
        example: 4500,
      }),
    currency: currencyCode.openapi({ example: "EUR" }),
    product_key: optionalKey,
    category_key: optionalKey,
    created_at: z.iso
      .datetime({ offset: true })
      // Written so that an unreadable date gets only the format error.
      .refine((at) => !(Date.parse(at) > Date.now() + MAX_OCCURRED_AHEAD_MS), "is more than a day in the future")
      .refine((at) => !(Date.parse(at) < MIN_OCCURRED_AT), "is before 2000-01-01")
      .optional()
      .openapi({ description: "When it happened, from 2000-01-01 to one day ahead; defaults to now" }),
    refund_of: key("inv_2026_0041")
      .optional()
      .openapi({
        description:
          "A refund: the key of the sale it takes back (same customer and currency). Without it, a refund " +
          "takes back the customer's newest sales in its currency first.",
      }),
  })
  .strict()
  .refine((body) => (body.customer_key === undefined) !== (body.customer_email === undefined), {
    path: ["customer_key"],
    message: "send exactly one of customer_key and customer_email",
  })
  .refine((body) => body.refund_of === undefined || !(body.amount > 0), {
    path: ["refund_of"],
    message: "only a refund (a negative amount) takes back a sale",
  })
  .openapi("CreateTransaction", {
    example: {
      key: "inv_2026_0042",
      customer_key: "acct_4711",
      amount: 4500,
      currency: "EUR",
      product_key: "pro_plan",
    },
  })
  .transform(
    (body): TransactionInput => ({
      key: body.key,
      customerKey: body.customer_key,
      customerEmail: body.customer_email,
      amount: body.amount,
      currency: body.currency,
      productKey: body.product_key,
      categoryKey: body.category_key,
      occurredAt: body.created_at === undefined ? undefined : Date.parse(body.created_at),
      refundOf: body.refund_of,
    }),
  );

const replayNote = "201 when recorded now; 200 with `replayed: true` when the same call was recorded before.";

export const conversion = createRoute({
  method: "post",
  operationId: "recordConversion",
  path: "/v1/conversions",
  tags,
  security,
  summary: "Tie a customer to the partner of a click",
  description:
    `Attribution follows the company's model (last click by default) within its window. ${replayNote} ` +
    "An unknown click id is a 422 on `xid`; an expired click a 422 `click-expired`; " +
    "a click from the last minutes not yet recorded a 409 `click-pending` (retry).",
  request: { body: jsonBody(ConversionBody) },
  responses: {
    201: jsonResponse(ConversionResult, "A new customer, bound to the click"),
    200: jsonResponse(ConversionResult, "An existing customer (replay, rebound, or kept)"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export const customer = createRoute({
  method: "post",
  operationId: "createCustomer",
  path: "/v1/customers",
  tags,
  security,
  summary: "Record a customer referred without a click",
  description: replayNote,
  request: { body: jsonBody(CustomerBody) },
  responses: {
    201: jsonResponse(CustomerResult, "The new customer"),
    200: jsonResponse(CustomerResult, "Recorded before; nothing changed"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export const getCustomer = createRoute({
  method: "get",
  operationId: "getCustomer",
  path: "/v1/customers/{customer_id}",
  tags,
  security,
  summary: "Get a customer",
  request: { params: idParam("customer_id", "cus_01jd3k5qv0r8t2x7m9c4b6n1pz") },
  responses: { 200: jsonResponse(CustomerSchema, "The customer"), ...errorResponses },
});

export const transaction = createRoute({
  method: "post",
  operationId: "recordTransaction",
  path: "/v1/transactions",
  tags,
  security,
  summary: "Record a purchase or a refund",
  description:
    `Converted to USD at ingest from the fx rates (unknown currency → 422). ${replayNote}` +
    " The same key with different details is a 422 `transaction-key-reused` naming the fields that differ." +
    " Amounts and running totals are bounded (README, Limits): past a bound, a 422 on `amount` names it.",
  request: { body: jsonBody(TransactionBody) },
  responses: {
    201: jsonResponse(TransactionSchema, "Recorded"),
    200: jsonResponse(TransactionSchema, "Recorded before; nothing changed"),
    ...errorResponses,
    ...conflictResponse,
  },
});
