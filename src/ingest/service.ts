// Server-to-server tracking from the merchant: conversions (a customer signed up after a click),
// customers referred without a click, and transactions (purchases and refunds). Each call is
// idempotent on its key: a replay changes nothing and says so (`replayed: true`).
import { and, eq } from "drizzle-orm";
import { getCompany } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { clicks, customers, partners, transactions } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { effectiveRate, toUsdCents } from "../fx/service";
import { ApiError, problems } from "../lib/errors";
import { newId, tokenTime } from "../lib/ids";
import { DAY_MS } from "../lib/time";

type Customer = typeof customers.$inferSelect;
type Transaction = typeof transactions.$inferSelect;

/** A click id newer than this may simply not have left the queue yet: ask the caller to retry. */
const CLICK_PENDING_MS = 10 * 60_000;

export interface ConversionInput {
  xid: string;
  customerKey: string;
  email?: string | null;
  name?: string | null;
}

export interface ConversionResult {
  customer: Customer;
  /** Nothing changed: the same conversion was recorded before. */
  replayed: boolean;
  /** The customer existed and is now bound to this click's partner (last click). */
  rebound: boolean;
  /** The customer existed and kept its earlier binding (first click, an older click, or already paying). */
  keptEarlierAttribution: boolean;
}

/**
 * Ties a customer to the partner and group of a click. A new customer is bound to the click.
 * An existing one is rebound only under last-click attribution, to a click newer than its
 * current binding, and only while it has no transactions (revenue stays where it was earned).
 */
export async function recordConversion(env: Stores, companyId: string, input: ConversionInput): Promise<ConversionResult> {
  const company = await getCompany(env, companyId);
  const db = database(env.DB);
  const click = await db.query.clicks.findFirst({ where: and(eq(clicks.clickId, input.xid), eq(clicks.companyId, companyId)) });
  if (!click) {
    const issued = tokenTime(input.xid);
    if (issued !== null && Date.now() - issued < CLICK_PENDING_MS && issued <= Date.now() + 60_000) {
      throw new ApiError(409, "click-pending", "Click not recorded yet", "This click is not recorded yet (clicks are written within seconds); retry shortly.");
    }
    throw problems.validation([{ field: "xid", message: "no click with this id (unknown, or older than the attribution window and purged)" }]);
  }
  if (click.ts < Date.now() - company.attributionWindowDays * DAY_MS) {
    throw new ApiError(422, "click-expired", "Click expired", `The click is older than the ${company.attributionWindowDays}-day attribution window.`, [
      { field: "xid", message: "older than the attribution window" },
    ]);
  }

  const existing = await findCustomer(env, companyId, input.customerKey);
  if (!existing) {
    const now = Date.now();
    try {
      const [customer] = await db
        .insert(customers)
        .values({
          id: newId("customer", now),
          companyId,
          customerKey: input.customerKey,
          email: input.email?.toLowerCase() ?? null,
          name: input.name ?? null,
          partnerId: click.partnerId,
          groupId: click.groupId,
          clickId: click.clickId,
          attributedAt: click.ts,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      return { customer: customer!, replayed: false, rebound: false, keptEarlierAttribution: false };
    } catch (error) {
      // The same conversion arrived twice at once: the first insert won; answer as a replay.
      if (isUniqueViolation(error)) return recordConversion(env, companyId, input);
      throw error;
    }
  }

  if (existing.clickId === click.clickId) return { customer: existing, replayed: true, rebound: false, keptEarlierAttribution: false };
  const rebind = company.attributionModel === "last_click" && click.ts > existing.attributedAt && existing.transactionCount === 0;
  if (!rebind) return { customer: existing, replayed: false, rebound: false, keptEarlierAttribution: true };
  const [customer] = await db
    .update(customers)
    .set({ partnerId: click.partnerId, groupId: click.groupId, clickId: click.clickId, attributedAt: click.ts, updatedAt: Date.now() })
    // Guarded so that a concurrent transaction or newer click is never overwritten.
    .where(and(eq(customers.id, existing.id), eq(customers.attributedAt, existing.attributedAt), eq(customers.transactionCount, 0)))
    .returning();
  if (!customer) return recordConversion(env, companyId, input);
  return { customer, replayed: false, rebound: true, keptEarlierAttribution: false };
}

export interface CustomerInput {
  customerKey: string;
  email: string;
  partnerKey: string;
  name?: string | null;
}

/** A customer a partner referred without a click (e.g. by a code). */
export async function createCustomer(env: Stores, companyId: string, input: CustomerInput): Promise<{ customer: Customer; replayed: boolean }> {
  input = { ...input, email: input.email.toLowerCase() };
  const db = database(env.DB);
  const partner = await db.query.partners.findFirst({
    where: and(eq(partners.companyId, companyId), eq(partners.partnerKey, input.partnerKey)),
  });
  if (!partner) throw problems.validation([{ field: "partner_key", message: `no partner with key '${input.partnerKey}'` }]);

  const existing = await findCustomer(env, companyId, input.customerKey);
  if (existing) {
    if (existing.partnerId === partner.id && existing.email === input.email) return { customer: existing, replayed: true };
    throw problems.conflict(`A customer with key '${input.customerKey}' already exists with another partner or email; nothing was changed.`, "customer-exists");
  }
  const now = Date.now();
  try {
    const [customer] = await db
      .insert(customers)
      .values({
        id: newId("customer", now),
        companyId,
        customerKey: input.customerKey,
        email: input.email,
        name: input.name ?? null,
        partnerId: partner.id,
        groupId: partner.groupId,
        attributedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return { customer: customer!, replayed: false };
  } catch (error) {
    if (isUniqueViolation(error)) return createCustomer(env, companyId, input);
    throw error;
  }
}

export interface TransactionInput {
  key: string;
  customerKey?: string;
  customerEmail?: string;
  amount: number;
  currency: string;
  productKey?: string | null;
  categoryKey?: string | null;
  occurredAt?: number;
}

/** Records a purchase or refund, converted to USD now, and keeps the customer's net total. */
export async function recordTransaction(
  env: Stores,
  companyId: string,
  input: TransactionInput,
): Promise<{ transaction: Transaction; replayed: boolean }> {
  const db = database(env.DB);
  const previous = await db.query.transactions.findFirst({ where: and(eq(transactions.companyId, companyId), eq(transactions.key, input.key)) });
  if (previous) return replayOf(env, companyId, previous, input);

  const customer = await customerFor(env, companyId, input);
  const rate = await effectiveRate(env, companyId, input.currency);
  if (!rate) throw problems.validation([{ field: "currency", message: `no exchange rate for '${input.currency}'; add one with PUT /v1/fx-rates/${input.currency}` }]);

  const now = Date.now();
  const amountUsdCents = toUsdCents(input.amount, rate);
  const transaction = {
    id: newId("transaction", now),
    companyId,
    key: input.key,
    customerId: customer.id,
    partnerId: customer.partnerId,
    groupId: customer.groupId,
    amount: input.amount,
    currency: input.currency,
    usdPerUnit: rate.usdPerUnit,
    amountUsdCents,
    productKey: input.productKey ?? null,
    categoryKey: input.categoryKey ?? null,
    occurredAt: input.occurredAt ?? now,
    createdAt: now,
  };
  try {
    // One atomic batch: the transaction and the customer's running total never disagree.
    await env.DB.batch([
      insertTransaction(env, transaction),
      env.DB.prepare(
        `UPDATE customers SET net_usd_cents = net_usd_cents + ?1, transaction_count = transaction_count + 1, updated_at = ?2
         WHERE id = ?3 AND EXISTS (SELECT 1 FROM transactions WHERE id = ?4)`,
      ).bind(amountUsdCents, now, customer.id, transaction.id),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) return recordTransaction(env, companyId, input); // a concurrent replay won
    throw error;
  }
  return { transaction: (await db.query.transactions.findFirst({ where: eq(transactions.id, transaction.id) }))!, replayed: false };
}

function insertTransaction(env: Stores, t: Omit<Transaction, "seq" | "rolled">): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO transactions (id, company_id, key, customer_id, partner_id, group_id, amount, currency, usd_per_unit,
       amount_usd_cents, product_key, category_key, occurred_at, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)`,
  ).bind(t.id, t.companyId, t.key, t.customerId, t.partnerId, t.groupId, t.amount, t.currency, t.usdPerUnit, t.amountUsdCents, t.productKey, t.categoryKey, t.occurredAt, t.createdAt);
}

async function replayOf(env: Stores, companyId: string, previous: Transaction, input: TransactionInput) {
  const customer = await customerFor(env, companyId, input).catch(() => null);
  const same =
    previous.amount === input.amount &&
    previous.currency === input.currency &&
    customer?.id === previous.customerId &&
    (input.productKey ?? null) === previous.productKey &&
    (input.categoryKey ?? null) === previous.categoryKey;
  if (!same) {
    throw problems.conflict(`A different transaction was already recorded with key '${input.key}'; nothing was changed.`, "transaction-key-reused");
  }
  return { transaction: previous, replayed: true };
}

export async function getCustomer(env: Stores, companyId: string, customerId: string): Promise<Customer> {
  const customer = await database(env.DB).query.customers.findFirst({ where: and(eq(customers.id, customerId), eq(customers.companyId, companyId)) });
  if (!customer) throw problems.notFound("customer", customerId);
  return customer;
}

async function findCustomer(env: Stores, companyId: string, customerKey: string) {
  return database(env.DB).query.customers.findFirst({
    where: and(eq(customers.companyId, companyId), eq(customers.customerKey, customerKey)),
  });
}

async function customerFor(env: Stores, companyId: string, input: TransactionInput): Promise<Customer> {
  if (input.customerKey !== undefined) {
    const customer = await findCustomer(env, companyId, input.customerKey);
    if (!customer) throw problems.validation([{ field: "customer_key", message: `no customer with key '${input.customerKey}'` }]);
    return customer;
  }
  const matches = await database(env.DB)
    .select()
    .from(customers)
    .where(and(eq(customers.companyId, companyId), eq(customers.email, input.customerEmail!.toLowerCase())))
    .limit(2);
  if (matches.length === 0) throw problems.validation([{ field: "customer_email", message: "no customer with this email" }]);
  if (matches.length > 1) throw problems.validation([{ field: "customer_email", message: "several customers have this email; send customer_key" }]);
  return matches[0]!;
}
