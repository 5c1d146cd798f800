// Money is bounded so that no company's input can overflow a total (issue 8, point 1): the
// amount, a rate, one transaction's USD value, a customer's and a group's running net. Each bound
// is shown at its edge: just inside is recorded, just past it is a 422 on the field and writes nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  MAX_AMOUNT_MINOR,
  MAX_CUSTOMER_NET_USD_CENTS,
  MAX_GROUP_NET_USD_CENTS,
  MAX_TRANSACTION_USD_CENTS,
  MAX_USD_PER_UNIT,
} from "../../src/ingest/limits";
import { type ApiResult, api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const fields = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);

async function withCustomer(customerKey = "acct_1") {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "https://acme.example/" }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  const customer = bodyOf(
    await api(t.key, "POST", "/v1/customers", {
      customer_key: customerKey,
      email: "buyer@example.com",
      partner_key: partner.partner_key,
    }),
    201,
  ).customer;
  let n = 0;
  const pay = (amount: number, currency = "USD", key = customerKey) =>
    api(t.key, "POST", "/v1/transactions", { key: `inv_${++n}`, customer_key: key, amount, currency });
  const addCustomer = async (key: string) =>
    bodyOf(
      await api(t.key, "POST", "/v1/customers", {
        customer_key: key,
        email: `${key}@example.com`,
        partner_key: partner.partner_key,
      }),
      201,
    ).customer;
  return { ...t, group, partner, customer, pay, addCustomer };
}

const groupNet = async (groupId: string) =>
  (await env.DB.prepare("SELECT net_revenue_usd_cents AS n FROM groups WHERE id = ?")
    .bind(groupId)
    .first<{ n: number }>())!.n;

/** Sends a request that must be refused with 422 on `field` and checks that no row changed. */
async function refusedWithoutWrites(send: () => Promise<ApiResult>, field: string) {
  const before = await tableSnapshot();
  const r = await send();
  expectStatus(r, 422);
  expect(fields(r)).toEqual([field]);
  expect(await tableSnapshot()).toEqual(before);
  return r;
}

describe("money limits: the issue's repro", () => {
  it(`refuses the rate of 1,000,000 USD per unit, \
and with a legal rate the 50,000,000,000-unit transaction`, async () => {
    const t = await withCustomer();
    const rate = await refusedWithoutWrites(
      () => api(t.key, "PUT", "/v1/fx-rates/ZZZ", { usd_per_unit: 1_000_000, minor_unit_digits: 0 }),
      "usd_per_unit",
    );
    expect(rate.body.errors?.[0]?.message).toContain(String(MAX_USD_PER_UNIT));

    expect(
      (await api(t.key, "PUT", "/v1/fx-rates/ZZZ", { usd_per_unit: MAX_USD_PER_UNIT, minor_unit_digits: 0 })).status,
    ).toBe(200);
    const huge = await refusedWithoutWrites(() => t.pay(50_000_000_000, "ZZZ"), "amount");
    expect(huge.body.errors?.[0]?.message).toContain("one transaction is worth at most $100,000,000");
    expect(huge.body.detail).toContain("USD value limit");
  });
});

describe("money limits: each bound at its edge", () => {
  it("a rate's usd_per_unit: more than 0, at most 100,000; minor_unit_digits 0..4", async () => {
    const t = await withCustomer();
    expect((await api(t.key, "PUT", "/v1/fx-rates/ZZA", { usd_per_unit: MAX_USD_PER_UNIT })).status).toBe(200);
    expect((await api(t.key, "PUT", "/v1/fx-rates/ZZB", { usd_per_unit: 1e-9 })).status).toBe(200);
    expect((await api(t.key, "PUT", "/v1/fx-rates/ZZC", { usd_per_unit: 1, minor_unit_digits: 4 })).status).toBe(200);
    await refusedWithoutWrites(
      () => api(t.key, "PUT", "/v1/fx-rates/ZZD", { usd_per_unit: MAX_USD_PER_UNIT + 0.01 }),
      "usd_per_unit",
    );
    await refusedWithoutWrites(() => api(t.key, "PUT", "/v1/fx-rates/ZZD", { usd_per_unit: 0 }), "usd_per_unit");
    await refusedWithoutWrites(
      () => api(t.key, "PUT", "/v1/fx-rates/ZZD", { usd_per_unit: 1, minor_unit_digits: 5 }),
      "minor_unit_digits",
    );
  });

  it("amount: a nonzero integer with |amount| at most 1e12 minor units", async () => {
    const t = await withCustomer();
    // A currency worth little, so that only the amount bound is in play.
    await api(t.key, "PUT", "/v1/fx-rates/ZZL", { usd_per_unit: 0.000001, minor_unit_digits: 2 });
    const max = await t.pay(MAX_AMOUNT_MINOR, "ZZL");
    expectStatus(max, 201);
    expect(max.body).toMatchObject({ amount: MAX_AMOUNT_MINOR, amount_usd_cents: 1_000_000 });
    expect((await t.pay(-MAX_AMOUNT_MINOR, "ZZL")).status).toBe(201);
    await refusedWithoutWrites(() => t.pay(MAX_AMOUNT_MINOR + 1, "ZZL"), "amount");
    await refusedWithoutWrites(() => t.pay(-MAX_AMOUNT_MINOR - 1, "ZZL"), "amount");
    await refusedWithoutWrites(() => t.pay(0, "USD"), "amount");
  });

  it("one transaction's USD value: at most $100,000,000 either way", async () => {
    const t = await withCustomer();
    const sale = await t.pay(MAX_TRANSACTION_USD_CENTS);
    expectStatus(sale, 201);
    expect(sale.body.amount_usd_cents).toBe(MAX_TRANSACTION_USD_CENTS);
    expect((await t.pay(-MAX_TRANSACTION_USD_CENTS)).status).toBe(201);
    await refusedWithoutWrites(() => t.pay(MAX_TRANSACTION_USD_CENTS + 1), "amount");
    await refusedWithoutWrites(() => t.pay(-MAX_TRANSACTION_USD_CENTS - 1), "amount");
    // The converted value counts, after rounding: ¥14,925,373,135 × 0.0067 = $100,000,000.0045 → 1e10 cents,
    // while one yen more is $100,000,000.0112 → 10,000,000,001 cents.
    expect(bodyOf(await t.pay(14_925_373_135, "JPY"), 201).amount_usd_cents).toBe(MAX_TRANSACTION_USD_CENTS);
    await refusedWithoutWrites(() => t.pay(14_925_373_136, "JPY"), "amount");
  });

  it("a customer's running net: at most $1,000,000,000 either way", async () => {
    const t = await withCustomer();
    for (let i = 0; i < MAX_CUSTOMER_NET_USD_CENTS / MAX_TRANSACTION_USD_CENTS; i++) {
      expect((await t.pay(MAX_TRANSACTION_USD_CENTS)).status).toBe(201);
    }
    const customer = await api(t.key, "GET", `/v1/customers/${t.customer.id}`);
    expectStatus(customer, 200);
    expect(customer.body.net_usd_cents).toBe(MAX_CUSTOMER_NET_USD_CENTS);
    const over = await refusedWithoutWrites(() => t.pay(1), "amount");
    expect(over.body.errors?.[0]?.message).toContain("a customer's net is limited to ±$1,000,000,000");
    // A refund brings it back inside; so does the other direction's bound hold.
    expect((await t.pay(-1)).status).toBe(201);
    const refunds = await t.addCustomer("acct_refunds");
    for (let i = 0; i < 10; i++)
      expect((await t.pay(-MAX_TRANSACTION_USD_CENTS, "USD", "acct_refunds")).status).toBe(201);
    await refusedWithoutWrites(() => t.pay(-1, "USD", "acct_refunds"), "amount");
    expect(bodyOf(await api(t.key, "GET", `/v1/customers/${refunds.id}`), 200).net_usd_cents).toBe(
      -MAX_CUSTOMER_NET_USD_CENTS,
    );
  });

  it("a group's running net: at most $100,000,000,000 either way, and it follows every transaction", async () => {
    const t = await withCustomer();
    await t.pay(12_345);
    await t.pay(-345);
    expect(await groupNet(t.group.id)).toBe(12_000);
    // A group that already earned just under the bound (a thousand $100M customers' worth, set directly).
    await env.DB.prepare("UPDATE groups SET net_revenue_usd_cents = ? WHERE id = ?")
      .bind(MAX_GROUP_NET_USD_CENTS - MAX_TRANSACTION_USD_CENTS, t.group.id)
      .run();
    expect((await t.pay(MAX_TRANSACTION_USD_CENTS)).status).toBe(201);
    expect(await groupNet(t.group.id)).toBe(MAX_GROUP_NET_USD_CENTS);
    await t.addCustomer("acct_2");
    const over = await refusedWithoutWrites(() => t.pay(1, "USD", "acct_2"), "amount");
    expect(over.body.errors?.[0]?.message).toContain("a group's net is limited to ±$100,000,000,000");
    expect(over.body.detail).toContain("group's running net");
    await env.DB.prepare("UPDATE groups SET net_revenue_usd_cents = ? WHERE id = ?")
      .bind(-MAX_GROUP_NET_USD_CENTS, t.group.id)
      .run();
    await refusedWithoutWrites(() => t.pay(-1, "USD", "acct_2"), "amount");
    expect((await t.pay(1, "USD", "acct_2")).status).toBe(201);
  });

  it("concurrent transactions cannot overshoot a running net together", async () => {
    const t = await withCustomer();
    for (let i = 0; i < 9; i++) await t.pay(MAX_TRANSACTION_USD_CENTS);
    // Each of these fits alone; only one fits with the others.
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        api(t.key, "POST", "/v1/transactions", {
          key: `race_${i}`,
          customer_key: "acct_1",
          amount: MAX_TRANSACTION_USD_CENTS,
          currency: "USD",
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422, 422]);
    for (const r of results.filter((r) => r.status === 422)) expect(fields(r)).toEqual(["amount"]);
    expect(bodyOf(await api(t.key, "GET", `/v1/customers/${t.customer.id}`), 200).net_usd_cents).toBe(
      MAX_CUSTOMER_NET_USD_CENTS,
    );
    expect(await groupNet(t.group.id)).toBe(MAX_CUSTOMER_NET_USD_CENTS);
  });
});
