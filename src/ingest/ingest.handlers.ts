import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import type { customers, transactions } from "../db/schema";
import type * as routes from "./ingest.routes";
import * as ingest from "./service";

type Customer = typeof customers.$inferSelect;
type Transaction = typeof transactions.$inferSelect;

export function serializeCustomer(customer: Customer) {
  return {
    id: customer.id,
    object: "customer" as const,
    customer_key: customer.customerKey,
    email: customer.email,
    name: customer.name,
    partner_id: customer.partnerId,
    group_id: customer.groupId,
    click_id: customer.clickId,
    deal_id: customer.dealId,
    paid: customer.netUsdCents > 0,
    net_usd_cents: customer.netUsdCents,
    created_at: iso(customer.createdAt)!,
  };
}

function serializeTransaction(transaction: Transaction, replayed: boolean) {
  return {
    id: transaction.id,
    object: "transaction" as const,
    key: transaction.key,
    customer_id: transaction.customerId,
    partner_id: transaction.partnerId,
    group_id: transaction.groupId,
    amount: transaction.amount,
    currency: transaction.currency,
    usd_per_unit: transaction.usdPerUnit,
    amount_usd_cents: transaction.amountUsdCents,
    product_key: transaction.productKey,
    category_key: transaction.categoryKey,
    created_at: iso(transaction.occurredAt)!,
    refund_of: transaction.refundOf,
    refunded_amount: transaction.refundedAmount,
    replayed,
  };
}

export const conversion: AdminHandler<typeof routes.conversion> = async (c) => {
  const result = await ingest.recordConversion(c.env, c.get("caller").companyId, c.req.valid("json"));
  const created = !result.replayed && !result.rebound && !result.keptEarlierAttribution;
  const payload = {
    object: "conversion" as const,
    customer: serializeCustomer(result.customer),
    replayed: result.replayed,
    rebound: result.rebound,
    kept_earlier_attribution: result.keptEarlierAttribution,
  };
  return created ? c.json(payload, 201) : c.json(payload, 200);
};

export const customer: AdminHandler<typeof routes.customer> = async (c) => {
  const result = await ingest.createCustomer(c.env, c.get("caller").companyId, c.req.valid("json"));
  const payload = {
    object: "customer_result" as const,
    customer: serializeCustomer(result.customer),
    replayed: result.replayed,
  };
  return result.replayed ? c.json(payload, 200) : c.json(payload, 201);
};

export const getCustomer: AdminHandler<typeof routes.getCustomer> = async (c) => {
  return c.json(
    serializeCustomer(await ingest.getCustomer(c.env, c.get("caller").companyId, c.req.valid("param").customer_id)),
    200,
  );
};

export const transaction: AdminHandler<typeof routes.transaction> = async (c) => {
  const result = await ingest.recordTransaction(c.env, c.get("caller").companyId, c.req.valid("json"));
  const payload = serializeTransaction(result.transaction, result.replayed);
  return result.replayed ? c.json(payload, 200) : c.json(payload, 201);
};
