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
import { PROBLEMS } from "../lib/problems";
import { DAY_MS } from "../lib/time";
import { refundAllocations, refundStatements, saleRewardStatements, signupRewardStatements } from "../rewards/ingest";
import { dollars, MAX_CUSTOMER_NET_USD_CENTS, MAX_GROUP_NET_USD_CENTS, MAX_TRANSACTION_USD_CENTS } from "./limits";

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
export async function recordConversion(
  env: Stores,
  companyId: string,
  input: ConversionInput,
): Promise<ConversionResult> {
  const company = await getCompany(env, companyId);
  const db = database(env.DB);
  const click = await db.query.clicks.findFirst({
    where: and(eq(clicks.clickId, input.xid), eq(clicks.companyId, companyId)),
  });
  if (!click) {
    const issued = tokenTime(input.xid);
    if (issued !== null && Date.now() - issued < CLICK_PENDING_MS && issued <= Date.now() + 60_000) {
      throw new ApiError(
        PROBLEMS.clickPending,
        "This click is not recorded yet (clicks are written within seconds); retry shortly.",
      );
    }
    throw problems.validation([
      { field: "xid", message: "no click with this id (unknown, or older than the attribution window and purged)" },
    ]);
  }
  // A HEAD request is never a visit: no browser lands on the destination with it. Bot and
  // prefetch clicks stay convertible: a prefetched redirect is what the browser follows when the
  // visitor clicks, and a User-Agent guess may misjudge a real browser (README, Attribution).
  if (click.kind === "head") {
    throw problems.validation([
      { field: "xid", message: "this click was a HEAD request, not a visit: it cannot convert" },
    ]);
  }
  if (click.ts < Date.now() - company.attributionWindowDays * DAY_MS) {
    const detail = `The click is older than the ${company.attributionWindowDays}-day attribution window.`;
    throw new ApiError(PROBLEMS.clickExpired, detail, [{ field: "xid", message: "older than the attribution window" }]);
  }

  const existing = await findCustomer(env, companyId, input.customerKey);
  if (!existing) {
    const now = Date.now();
    const customer = {
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
    };
    try {
      return {
        customer: await insertCustomer(env, customer),
        replayed: false,
        rebound: false,
        keptEarlierAttribution: false,
      };
    } catch (error) {
      // The same conversion arrived twice at once: the first insert won; answer as a replay.
      if (isUniqueViolation(error)) return recordConversion(env, companyId, input);
      throw error;
    }
  }

  if (existing.clickId === click.clickId)
    return { customer: existing, replayed: true, rebound: false, keptEarlierAttribution: false };
  const rebind =
    company.attributionModel === "last_click" && click.ts > existing.attributedAt && existing.transactionCount === 0;
  if (!rebind) return { customer: existing, replayed: false, rebound: false, keptEarlierAttribution: true };
  const [customer] = await db
    .update(customers)
    .set({
      partnerId: click.partnerId,
      groupId: click.groupId,
      clickId: click.clickId,
      attributedAt: click.ts,
      updatedAt: Date.now(),
    })
    // Guarded so that a concurrent transaction or newer click is never overwritten.
    .where(
      and(
        eq(customers.id, existing.id),
        eq(customers.attributedAt, existing.attributedAt),
        eq(customers.transactionCount, 0),
      ),
    )
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
export async function createCustomer(
  env: Stores,
  companyId: string,
  input: CustomerInput,
): Promise<{ customer: Customer; replayed: boolean }> {
  input = { ...input, email: input.email.toLowerCase() };
  const db = database(env.DB);
  const partner = await db.query.partners.findFirst({
    where: and(eq(partners.companyId, companyId), eq(partners.partnerKey, input.partnerKey)),
  });
  if (!partner)
    throw problems.validation([{ field: "partner_key", message: `no partner with key '${input.partnerKey}'` }]);

  const existing = await findCustomer(env, companyId, input.customerKey);
  if (existing) {
    if (existing.partnerId === partner.id && existing.email === input.email)
      return { customer: existing, replayed: true };
    throw new ApiError(
      PROBLEMS.customerExists,
      `A customer with key '${input.customerKey}' already exists with another partner or email; nothing was changed.`,
    );
  }
  const now = Date.now();
  try {
    const customer = await insertCustomer(env, {
      id: newId("customer", now),
      companyId,
      customerKey: input.customerKey,
      email: input.email,
      name: input.name ?? null,
      partnerId: partner.id,
      groupId: partner.groupId,
      clickId: null,
      attributedAt: now,
      createdAt: now,
    });
    return { customer, replayed: false };
  } catch (error) {
    if (isUniqueViolation(error)) return createCustomer(env, companyId, input);
    throw error;
  }
}

type NewCustomer = Pick<
  Customer,
  | "id"
  | "companyId"
  | "customerKey"
  | "email"
  | "name"
  | "partnerId"
  | "groupId"
  | "clickId"
  | "attributedAt"
  | "createdAt"
>;

/** A new customer and the rewards its signup earns, in one batch: both or neither. */
async function insertCustomer(env: Stores, c: NewCustomer): Promise<Customer> {
  const rewards = await signupRewardStatements(env, {
    companyId: c.companyId,
    groupId: c.groupId,
    customerId: c.id,
    at: c.createdAt,
  });
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO customers (id, company_id, customer_key, email, name, partner_id, group_id, click_id,
         attributed_at, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)`,
    ).bind(
      c.id,
      c.companyId,
      c.customerKey,
      c.email,
      c.name,
      c.partnerId,
      c.groupId,
      c.clickId,
      c.attributedAt,
      c.createdAt,
    ),
    ...rewards,
  ]);
  return (await database(env.DB).query.customers.findFirst({ where: eq(customers.id, c.id) }))!;
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
  /** A refund: the key of the sale it takes back (else the customer's newest sales in its currency). */
  refundOf?: string | null;
}

/**
 * Records a purchase or refund, converted to USD now, and keeps the customer's and the group's
 * running nets. Every money bound (./limits.ts) is a 422 on `amount`; the running-net bounds are
 * checked inside the insert, so concurrent transactions cannot overshoot them together.
 */
export async function recordTransaction(
  env: Stores,
  companyId: string,
  input: TransactionInput,
  attempt = 1,
): Promise<{ transaction: Transaction; replayed: boolean }> {
  const db = database(env.DB);
  const previous = await db.query.transactions.findFirst({
    where: and(eq(transactions.companyId, companyId), eq(transactions.key, input.key)),
  });
  if (previous) return replayOf(env, previous, input);

  const customer = await customerFor(env, companyId, input);
  const rate = await effectiveRate(env, companyId, input.currency);
  if (!rate)
    throw problems.validation([
      {
        field: "currency",
        message: `no exchange rate for '${input.currency}'; add one with PUT /v1/fx-rates/${input.currency}`,
      },
    ]);

  const amountUsdCents = toUsdCents(input.amount, rate);
  if (!(Math.abs(amountUsdCents) <= MAX_TRANSACTION_USD_CENTS)) {
    throw overLimit(
      `is worth ${dollars(amountUsdCents)} at ${rate.usdPerUnit} USD per ${input.currency};` +
        ` one transaction is worth at most ${dollars(MAX_TRANSACTION_USD_CENTS)}`,
      "the USD value limit of one transaction",
    );
  }
  const now = Date.now();
  const id = newId("transaction", now);
  const occurredAt = input.occurredAt ?? now;
  // Rewards and refund reversals go in the transaction's own batch: they exist exactly when it does.
  const rewards =
    input.amount > 0
      ? await saleRewardStatements(env, {
          companyId,
          groupId: customer.groupId,
          customerId: customer.id,
          transactionId: id,
          now,
          at: occurredAt,
          amount: input.amount,
          currency: input.currency,
          amountUsdCents,
          productKey: input.productKey ?? null,
          categoryKey: input.categoryKey ?? null,
          rate,
          signupAt: customer.createdAt,
        })
      : refundStatements(env.DB, {
          transactionId: id,
          now,
          allocations: await refundAllocations(env, {
            companyId,
            customerId: customer.id,
            amount: input.amount,
            currency: input.currency,
            refundOf: input.refundOf,
          }),
        });
  let inserted: boolean;
  try {
    // One atomic batch. The insert reads the customer's partner and group itself (a rebinding
    // conversion that commits first is seen; none can commit in between) and writes nothing when
    // either running net would leave its bound, or when the customer is no longer in the group whose
    // offers were evaluated (then it is tried again); the updates then follow what it wrote.
    const [insert] = await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO transactions (id, company_id, key, customer_id, partner_id, group_id, amount, currency,
           usd_per_unit, amount_usd_cents, product_key, category_key, occurred_at, created_at, refund_of)
         SELECT ?1, ?2, ?3, c.id, c.partner_id, c.group_id, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?16
         FROM customers c JOIN groups g ON g.id = c.group_id
         WHERE c.id = ?4 AND c.company_id = ?2 AND c.group_id = ?15
           AND abs(c.net_usd_cents + ?8) <= ?13 AND abs(g.net_revenue_usd_cents + ?8) <= ?14`,
      ).bind(
        id,
        companyId,
        input.key,
        customer.id,
        input.amount,
        input.currency,
        rate.usdPerUnit,
        amountUsdCents,
        input.productKey ?? null,
        input.categoryKey ?? null,
        occurredAt,
        now,
        MAX_CUSTOMER_NET_USD_CENTS,
        MAX_GROUP_NET_USD_CENTS,
        customer.groupId,
        input.refundOf ?? null,
      ),
      env.DB.prepare(
        `UPDATE customers SET net_usd_cents = net_usd_cents + ?1, transaction_count = transaction_count + 1,
           updated_at = ?2
         WHERE id = ?3 AND EXISTS (SELECT 1 FROM transactions WHERE id = ?4)`,
      ).bind(amountUsdCents, now, customer.id, id),
      env.DB.prepare(
        `UPDATE groups SET net_revenue_usd_cents = net_revenue_usd_cents + ?1
         WHERE id = (SELECT group_id FROM transactions WHERE id = ?2)`,
      ).bind(amountUsdCents, id),
      ...rewards,
    ]);
    inserted = insert!.meta.changes > 0;
  } catch (error) {
    if (isUniqueViolation(error)) return recordTransaction(env, companyId, input); // a concurrent replay won
    throw error;
  }
  if (!inserted) {
    const exceeded = await runningNetOverLimit(env, customer.id, amountUsdCents);
    if (exceeded) throw exceeded;
    // Over a bound when inserted, within it now: a concurrent transaction moved the net back.
    if (attempt < 3) return recordTransaction(env, companyId, input, attempt + 1);
    throw overLimit("would take the customer's or the group's running net past its limit", "a running-net limit");
  }
  return { transaction: (await db.query.transactions.findFirst({ where: eq(transactions.id, id) }))!, replayed: false };
}

function overLimit(message: string, limit: string): ApiError {
  const detail = `The transaction is over ${limit} (README, Limits); nothing was recorded.`;
  return problems.validation([{ field: "amount", message }], detail);
}

/** Which running net the amount would take past its bound, read after the guarded insert wrote nothing. */
async function runningNetOverLimit(env: Stores, customerId: string, amountUsdCents: number): Promise<ApiError | null> {
  const nets = await env.DB.prepare(
    `SELECT c.net_usd_cents AS customer_net, g.net_revenue_usd_cents AS group_net
     FROM customers c JOIN groups g ON g.id = c.group_id WHERE c.id = ?1`,
  )
    .bind(customerId)
    .first<{ customer_net: number; group_net: number }>();
  if (!nets) return null;
  if (Math.abs(nets.customer_net + amountUsdCents) > MAX_CUSTOMER_NET_USD_CENTS) {
    return overLimit(
      `would take the customer's running net to ${dollars(nets.customer_net + amountUsdCents)};` +
        ` a customer's net is limited to ±${dollars(MAX_CUSTOMER_NET_USD_CENTS)}`,
      "the limit on a customer's running net",
    );
  }
  if (Math.abs(nets.group_net + amountUsdCents) > MAX_GROUP_NET_USD_CENTS) {
    return overLimit(
      `would take the group's running net to ${dollars(nets.group_net + amountUsdCents)};` +
        ` a group's net is limited to ±${dollars(MAX_GROUP_NET_USD_CENTS)}`,
      "the limit on a group's running net",
    );
  }
  return null;
}

/**
 * The same key again: a replay when every detail matches the first call (`created_at` too, and the
 * customer named the same way), else a 422 naming each field that differs.
 */
async function replayOf(env: Stores, previous: Transaction, input: TransactionInput) {
  const customer = await database(env.DB).query.customers.findFirst({ where: eq(customers.id, previous.customerId) });
  const differs: { field: string; differs: boolean }[] = [
    input.customerKey !== undefined
      ? { field: "customer_key", differs: customer?.customerKey !== input.customerKey }
      : { field: "customer_email", differs: customer?.email !== input.customerEmail?.toLowerCase() },
    { field: "amount", differs: previous.amount !== input.amount },
    { field: "currency", differs: previous.currency !== input.currency },
    { field: "product_key", differs: previous.productKey !== (input.productKey ?? null) },
    { field: "category_key", differs: previous.categoryKey !== (input.categoryKey ?? null) },
    // Without `created_at` the first call was stamped with its own arrival time.
    { field: "created_at", differs: previous.occurredAt !== (input.occurredAt ?? previous.createdAt) },
    { field: "refund_of", differs: previous.refundOf !== (input.refundOf ?? null) },
  ];
  const errors = differs
    .filter((d) => d.differs)
    .map((d) => ({ field: d.field, message: "differs from the transaction first recorded with this key" }));
  if (errors.length > 0) {
    throw new ApiError(
      PROBLEMS.transactionKeyReused,
      `A different transaction was already recorded with key '${input.key}'; nothing was changed.`,
      errors,
    );
  }
  return { transaction: previous, replayed: true };
}

export async function getCustomer(env: Stores, companyId: string, customerId: string): Promise<Customer> {
  const customer = await database(env.DB).query.customers.findFirst({
    where: and(eq(customers.id, customerId), eq(customers.companyId, companyId)),
  });
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
    if (!customer)
      throw problems.validation([{ field: "customer_key", message: `no customer with key '${input.customerKey}'` }]);
    return customer;
  }
  const matches = await database(env.DB)
    .select()
    .from(customers)
    .where(and(eq(customers.companyId, companyId), eq(customers.email, input.customerEmail!.toLowerCase())))
    .limit(2);
  if (matches.length === 0)
    throw problems.validation([{ field: "customer_email", message: "no customer with this email" }]);
  if (matches.length > 1)
    throw problems.validation([
      { field: "customer_email", message: "several customers have this email; send customer_key" },
    ]);
  return matches[0]!;
}

/** A customer a closed deal brings (issue 11), created in the deals service's batch. */
export interface DealCustomer {
  dealId: string;
  customerKey: string;
  email: string | null;
  name: string | null;
  partnerId: string;
  groupId: string;
}

/**
 * The statement that creates a closed deal's customer, bound to the deal's partner and group as a
 * customer referred by partner key is (attributed `deal`, by its `deal_id`): the rollup counts it as
 * a signup of that group. Created at `now`, the move's time. It acts only if `onlyIf` (SQL) holds, so
 * it is written with the deal's move or not at all; a customer key that exists already fails the
 * whole batch (a UNIQUE violation on customers).
 */
export function dealCustomerStatement(
  env: Stores,
  companyId: string,
  customer: DealCustomer,
  onlyIf: string,
  now: number,
) {
  const id = newId("customer", now);
  return {
    id,
    statement: env.DB.prepare(
      `INSERT INTO customers (id, company_id, customer_key, email, name, partner_id, group_id, deal_id,
           attributed_at, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?8, ?8, ?8 WHERE ${onlyIf}`,
    ).bind(
      id,
      companyId,
      customer.customerKey,
      customer.email?.toLowerCase() ?? null,
      customer.name,
      customer.partnerId,
      customer.groupId,
      now,
      customer.dealId,
    ),
  };
}
