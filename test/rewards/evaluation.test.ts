// Evaluation at ingest: each matching trigger rewards the customer's partner in the event's own
// batch, exactly once, against the offer version in effect at the event's own time; receipts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordTransaction } from "../../src/ingest/service";
import { DAY_MS } from "../../src/lib/time";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { PRO_PLAN_20, rewardProgram, rewardRows, SIGNUP_DOLLAR } from "../helpers/offers";

const fields = (r: { body: { errors?: { field: string }[] } }) => r.body.errors?.map((e) => e.field) ?? [];
const pct = (percent: number, extra: object = {}) => ({
  event: "transaction",
  reward: { type: "percent", percent, ...extra },
});

describe("rewards at ingest: receipts", () => {
  it(`a signup through a click earns the flat reward, with its receipt (event, click, trigger, version, \
rate)`, async () => {
    const p = await rewardProgram();
    const offer = await p.offer({ name: "Signup", triggers: [SIGNUP_DOLLAR] });
    const customer = await p.convert("acct_1");
    const [row] = await rewardRows(p.companyId);
    const r = await api(p.key, "GET", `/v1/rewards/${row!.id}`);
    expectStatus(r, 200);
    expect(r.body).toMatchObject({
      object: "reward",
      partner_id: p.partner.id,
      group_id: p.group.id,
      status: "pending",
      amount: 100,
      currency: "USD",
      amount_usd_cents: 100,
      reversed_amount: 0,
      net_amount: 100,
      net_usd_cents: 100,
      payout_reference: null,
      receipt: {
        event: { type: "signup", id: customer.id, amount: null, currency: null },
        customer_id: customer.id,
        click_id: customer.click_id,
        attribution: "click",
        offer_id: offer.id,
        offer_version: 1,
        trigger_id: offer.triggers[0]!.id,
        reward_type: "flat",
        percent: null,
        usd_per_unit: 1,
        minor_unit_digits: 2,
        capped_by: null,
        reason: null,
        granted_by: null,
      },
      history: [],
    });
    expect(Date.parse(r.body.hold_until) - Date.parse(r.body.receipt.event.at)).toBe(30 * DAY_MS);
  });

  it(`a customer referred by partner key says so; an inactive offer and another group's offer reward \
nothing`, async () => {
    const p = await rewardProgram();
    await p.offer({ name: "Signup", triggers: [SIGNUP_DOLLAR] });
    await p.offer({
      name: "Off",
      active: false,
      triggers: [{ ...SIGNUP_DOLLAR, reward: { ...SIGNUP_DOLLAR.reward, amount: 7 } }],
    });
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    expectStatus(
      await api(p.key, "POST", `/v1/groups/${other.id}/offers`, { name: "Elsewhere", triggers: [SIGNUP_DOLLAR] }),
      201,
    );
    const created = bodyOf(
      await api(p.key, "POST", "/v1/customers", {
        customer_key: "by_key",
        email: "k@example.com",
        partner_key: p.partner.partner_key,
      }),
      201,
    );
    const rows = await rewardRows(p.companyId);
    expect(rows.map((row) => [row.amount, row.attribution, row.click_id, row.source_id])).toEqual([
      [100, "partner_key", null, created.customer.id],
    ]);
  });

  it(`a sale earns its percentage in the sale's currency, its USD value at the sale's own rate and \
rounding`, async () => {
    const p = await rewardProgram();
    const offer = await p.offer({ name: "Pro", triggers: [PRO_PLAN_20] });
    const customer = await p.convert("acct_1");
    const sale = await p.sale("inv_1", "acct_1", 4555, { currency: "EUR", product_key: "pro_plan" });
    expectStatus(sale, 201);
    await p.sale("inv_2", "acct_1", 9900, { product_key: "starter" });
    const rows = await rewardRows(p.companyId);
    expect(rows).toHaveLength(1);
    const reward = bodyOf(await api(p.key, "GET", `/v1/rewards/${rows[0]!.id}`), 200);
    // 20% of €45.55 = €9.11; at the sale's 1.08 USD per EUR: $9.8388 → 984 cents (the sale: 4919 cents).
    expect(sale.body.amount_usd_cents).toBe(4919);
    expect(reward).toMatchObject({
      amount: 911,
      currency: "EUR",
      amount_usd_cents: 984,
      receipt: {
        event: { type: "transaction", id: sale.body.id, amount: 4555, currency: "EUR", at: sale.body.created_at },
        customer_id: customer.id,
        attribution: "click",
        offer_id: offer.id,
        reward_type: "percent",
        percent: 20,
        usd_per_unit: 1.08,
      },
    });
  });
});

describe("rewards at ingest: exactly once", () => {
  it("a replayed, retried or concurrent event rewards once per trigger", async () => {
    const p = await rewardProgram();
    await p.offer({ name: "Both", triggers: [SIGNUP_DOLLAR, pct(10), pct(5)] });
    const xidCustomer = await p.convert("acct_1");
    // The same conversion again, five times at once.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        api(p.key, "POST", "/v1/conversions", { xid: xidCustomer.click_id, customer_key: "acct_1" }),
      ),
    );
    const body = { key: "inv_1", customer_key: "acct_1", amount: 1000, currency: "USD" };
    const results = await Promise.all(Array.from({ length: 5 }, () => api(p.key, "POST", "/v1/transactions", body)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    await api(p.key, "POST", "/v1/transactions", body);
    const rows = await rewardRows(p.companyId);
    expect(rows.map((row) => [row.source_type, row.amount]).sort()).toEqual([
      ["signup", 100],
      ["transaction", 100],
      ["transaction", 50],
    ]);
    // The database holds the rule too: a second reward for the same trigger and event is refused.
    const copy = { ...rows[0]!, id: "rwd_copy" };
    const columns = Object.keys(copy);
    await expect(
      env.DB.prepare(`INSERT INTO rewards (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`)
        .bind(...Object.values(copy))
        .run(),
    ).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it("evaluation costs the same D1 round trips with 1 or 20 matching triggers", async () => {
    const p = await rewardProgram();
    await p.convert("acct_1");
    const counted = countingD1(env.DB);
    const stores = { ...env, DB: counted.db };
    const sale = (key: string) =>
      recordTransaction(stores, p.companyId, { key, customerKey: "acct_1", amount: 1000, currency: "USD" });
    await p.offer({ name: "One", triggers: [pct(1)] });
    await sale("warm");
    counted.reset();
    await sale("one");
    const withOne = counted.calls;
    await p.offer({ name: "Many", triggers: Array.from({ length: 19 }, (_, i) => pct(i + 1)) });
    counted.reset();
    await sale("twenty");
    expect(counted.calls).toEqual(withOne);
    expect(await rewardRows(p.companyId)).toHaveLength(1 + 1 + 20);
  });
});

describe("rewards at ingest: the version in effect at the event's own time", () => {
  it("an edit applies to events from the edit on; a late event keeps the version of its own time", async () => {
    const p = await rewardProgram();
    const offer = await p.offer({ name: "Pro", triggers: [pct(20)] });
    await p.convert("acct_1");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const beforeEdit = new Date(Date.now() - 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const edited = bodyOf(
      await api(p.key, "PATCH", `/v1/offers/${offer.id}`, { triggers: [{ ...pct(30), id: offer.triggers[0]!.id }] }),
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Arrives after the edit, happened before it: the version then (20%).
    await p.sale("late", "acct_1", 1000, { created_at: beforeEdit });
    await p.sale("now", "acct_1", 1000);
    // Happened before the offer existed: nothing.
    await p.sale("ancient", "acct_1", 1000, { created_at: "2020-01-01T00:00:00Z" });
    const rows = await rewardRows(p.companyId);
    expect(rows.map((row) => [row.amount, row.offer_version])).toEqual([
      [200, 1],
      [300, 2],
    ]);
    expect(edited.version).toBe(2);
  });
});

describe("rewards at ingest: conditions and caps", () => {
  it("product and category sets, a minimum in USD and a window after signup", async () => {
    const p = await rewardProgram();
    await p.offer({
      name: "Narrow",
      triggers: [
        {
          event: "transaction",
          conditions: {
            product_key: { in: ["pro", "team"] },
            category_key: { eq: "plans" },
            min_amount_usd_cents: 5000,
            within_months_of_signup: 1,
          },
          reward: { type: "flat", amount: 700, currency: "USD" },
        },
      ],
    });
    await p.convert("acct_1");
    const base = { product_key: "team", category_key: "plans" };
    await p.sale("ok", "acct_1", 5000, base);
    await p.sale("eur-ok", "acct_1", 4630, { ...base, currency: "EUR" }); // $50.00 at 1.08
    await p.sale("small", "acct_1", 4999, base);
    await p.sale("other-product", "acct_1", 9000, { ...base, product_key: "basic" });
    await p.sale("no-product", "acct_1", 9000, { category_key: "plans" });
    await p.sale("other-category", "acct_1", 9000, { ...base, category_key: "addons" });
    const rows = await rewardRows(p.companyId);
    expect(rows.map((row) => row.amount)).toEqual([700, 700]);
  });

  it("within N months: a sale dated past the customer's signup + N calendar months earns nothing", async () => {
    const p = await rewardProgram();
    const offer = await p.offer({ name: "Pro", triggers: [PRO_PLAN_20] });
    const customer = await p.convert("acct_1");
    // The customer signed up 400 days ago, and the offer was in effect since long before.
    await env.DB.batch([
      env.DB.prepare("UPDATE customers SET created_at = ? WHERE id = ?").bind(Date.now() - 400 * DAY_MS, customer.id),
      env.DB.prepare("UPDATE offer_versions SET effective_from = 0 WHERE offer_id = ?").bind(offer.id),
    ]);
    const dated = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
    await p.sale("now", "acct_1", 1000, { product_key: "pro_plan" });
    const inWindow = await p.sale("month-1", "acct_1", 1000, { product_key: "pro_plan", created_at: dated(380) });
    expectStatus(inWindow, 201);
    await p.sale("month-13", "acct_1", 1000, { product_key: "pro_plan", created_at: dated(20) });
    expect((await rewardRows(p.companyId)).map((row) => row.source_id)).toEqual([inWindow.body.id]);
  });

  it("caps per sale and per customer, in USD; concurrent sales never pass the customer's cap", async () => {
    const p = await rewardProgram();
    await p.offer({
      name: "Capped",
      triggers: [pct(50, { max_per_transaction_usd_cents: 1000, max_per_customer_usd_cents: 2500 })],
    });
    await p.convert("acct_1");
    await p.sale("a", "acct_1", 1000); // 50% = $5
    await p.sale("b", "acct_1", 10000, { currency: "EUR" }); // 50% = €50 → capped at $10 → €9.25 ($9.99)
    const sales = await Promise.all(["c", "d", "e"].map((key) => p.sale(key, "acct_1", 10000)));
    expect(sales.map((s) => s.status)).toEqual([201, 201, 201]);
    const rows = await rewardRows(p.companyId);
    expect(rows.slice(0, 2).map((row) => [row.amount, row.currency, row.amount_usd_cents, row.capped_by])).toEqual([
      [500, "USD", 500, null],
      [925, "EUR", 999, "per_transaction"],
    ]);
    const total = rows.reduce((sum, row) => sum + row.amount_usd_cents, 0);
    expect(total).toBe(2500);
    expect(
      rows
        .slice(2)
        .map((row) => [row.amount, row.capped_by])
        .sort(),
    ).toEqual([
      [1, "per_customer"],
      [1000, "per_transaction"],
    ]);
  });

  it("first sale only: of two first sales at once, one is rewarded", async () => {
    const p = await rewardProgram();
    await p.offer({
      name: "First",
      triggers: [{ event: "transaction", conditions: { first_transaction_only: true }, reward: SIGNUP_DOLLAR.reward }],
    });
    await p.convert("acct_1");
    await Promise.all(["a", "b", "c"].map((key) => p.sale(key, "acct_1", 1000)));
    await p.sale("d", "acct_1", 1000);
    expect(await rewardRows(p.companyId)).toHaveLength(1);
  });
});

describe("refunds", () => {
  it("a 30% refund takes back 30% of a percentage reward, recorded with its refund; never below zero", async () => {
    const p = await rewardProgram();
    await p.offer({ name: "Pro", triggers: [pct(20)] });
    await p.convert("acct_1");
    await p.sale("sale", "acct_1", 10000);
    const refund = await p.sale("r1", "acct_1", -3000, { refund_of: "sale" });
    expectStatus(refund, 201);
    let [reward] = await rewardRows(p.companyId);
    expect([reward!.amount, reward!.reversed_amount, reward!.reversed_usd_cents, reward!.status]).toEqual([
      2000,
      600,
      600,
      "pending",
    ]);
    const detail = bodyOf(await api(p.key, "GET", `/v1/rewards/${reward!.id}`), 200);
    expect(detail).toMatchObject({ net_amount: 1400, net_usd_cents: 1400 });
    expect(detail.history).toEqual([
      {
        from: "pending",
        to: "pending",
        at: expect.any(String),
        by: "refund",
        reason: null,
        payout_reference: null,
        reversed_amount: 600,
        reversed_usd_cents: 600,
        transaction_id: refund.body.id,
      },
    ]);
    // More than is left of the sale: refused, nothing written.
    const before = await tableSnapshot();
    const tooMuch = await p.sale("r2", "acct_1", -7001, { refund_of: "sale" });
    expectStatus(tooMuch, 422);
    expect(fields(tooMuch)).toEqual(["amount"]);
    expect(await tableSnapshot()).toEqual(before);
    // The rest, without naming the sale: the newest sale with something left is taken back.
    await p.sale("r3", "acct_1", -7000);
    [reward] = await rewardRows(p.companyId);
    expect([reward!.reversed_amount, reward!.status]).toEqual([2000, "reversed"]);
    // A further refund finds nothing left: the reward stays at zero.
    expect((await p.sale("r4", "acct_1", -500)).status).toBe(201);
    [reward] = await rewardRows(p.companyId);
    expect(reward!.reversed_amount).toBe(2000);
  });

  it("a full refund of the first sale reverses its first-sale flat reward; a partial one does not", async () => {
    const p = await rewardProgram();
    await p.offer({
      name: "First",
      triggers: [
        {
          event: "transaction",
          conditions: { first_transaction_only: true },
          reward: { type: "flat", amount: 2500, currency: "USD" },
        },
      ],
    });
    await p.convert("acct_1");
    await p.sale("first", "acct_1", 8000);
    await p.sale("part", "acct_1", -2000, { refund_of: "first" });
    expect((await rewardRows(p.companyId))[0]!.status).toBe("pending");
    await p.sale("rest", "acct_1", -6000, { refund_of: "first" });
    const [reward] = await rewardRows(p.companyId);
    expect([reward!.status, reward!.reversed_amount, reward!.reversed_usd_cents]).toEqual(["reversed", 2500, 2500]);
  });

  it("a refund touches only the refunded sale's rewards: never another partner's, never a new row", async () => {
    const p = await rewardProgram();
    await p.offer({ name: "Both", triggers: [SIGNUP_DOLLAR, pct(10)] });
    const n = crypto.randomUUID().slice(0, 6);
    const other = bodyOf(
      await api(p.key, "POST", "/v1/partners", {
        email: `o${n}@example.com`,
        first_name: "O",
        last_name: n,
        group_id: p.group.id,
      }),
      201,
    );
    await p.convert("mine");
    await p.convert("theirs", other);
    await p.sale("m1", "mine", 5000);
    await p.sale("t1", "theirs", 5000);
    const before = await rewardRows(p.companyId);
    await p.sale("refund", "mine", -5000, { refund_of: "m1" });
    const after = await rewardRows(p.companyId);
    expect(after).toHaveLength(before.length);
    const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
    expect(changed.map((row) => [row.partner_id, row.source_type, row.status, row.reversed_amount])).toEqual([
      [p.partner.id, "transaction", "reversed", 500],
    ]);
    // A refund naming another customer's sale, or a sale in another currency, is refused.
    const otherCustomers = await p.sale("x1", "mine", -100, { refund_of: "t1" });
    expectStatus(otherCustomers, 422);
    expect(fields(otherCustomers)[0]).toBe("refund_of");
    const otherCurrency = await p.sale("x2", "theirs", -100, { refund_of: "t1", currency: "EUR" });
    expectStatus(otherCurrency, 422);
    expect(fields(otherCurrency)[0]).toBe("currency");
    const notARefund = await p.sale("x3", "mine", 100, { refund_of: "m1" });
    expectStatus(notARefund, 422);
    expect(fields(notARefund)[0]).toBe("refund_of");
  });
});

describe("manual rewards", () => {
  it("an admin grants a partner a bonus with a reason; it is pending like any reward", async () => {
    const p = await rewardProgram();
    const r = await api(p.key, "POST", `/v1/partners/${p.partner.id}/rewards`, {
      amount: 5000,
      currency: "EUR",
      reason: "Top partner of the quarter",
    });
    expectStatus(r, 201);
    expect(r.body).toMatchObject({
      partner_id: p.partner.id,
      group_id: p.group.id,
      status: "pending",
      amount: 5000,
      currency: "EUR",
      amount_usd_cents: 5400,
      receipt: {
        event: { type: "manual", id: null },
        offer_id: null,
        trigger_id: null,
        reason: "Top partner of the quarter",
        granted_by: p.keyId,
      },
    });
    expect(r.body.hold_until).toBe(r.body.created_at);
    const before = await tableSnapshot();
    const bad = await api(p.key, "POST", `/v1/partners/${p.partner.id}/rewards`, {
      amount: 0,
      currency: "XTS",
      reason: "",
    });
    expectStatus(bad, 422);
    expect(fields(bad).sort()).toEqual(["amount", "reason"]);
    const noRate = await api(p.key, "POST", `/v1/partners/${p.partner.id}/rewards`, {
      amount: 10,
      currency: "XTS",
      reason: "x",
    });
    expectStatus(noRate, 422);
    expect(fields(noRate)).toEqual(["currency"]);
    expect(await tableSnapshot()).toEqual(before);
  });
});

/** env.DB that counts round trips: every statement run on its own, and every batch, count one. */
function countingD1(db: D1Database) {
  const counter = { calls: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return (...args: unknown[]) => {
            counter.calls++;
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(wrapped, statement);
    return wrapped;
  };
  const counted = new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.calls++;
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    db: counted,
    get calls() {
      return counter.calls;
    },
    reset() {
      counter.calls = 0;
    },
  };
}
