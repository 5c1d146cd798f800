// Transactions and fx rates: USD at ingest, refunds, idempotent keys.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toUsdCents } from "../../src/fx/service";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");

async function withCustomer() {
  const t = await newTenant();
  await api(t.key, "POST", "/v1/groups", { name: "A", destination_url: "https://acme.example/" });
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "j@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  const customer = bodyOf(
    await api(t.key, "POST", "/v1/customers", {
      customer_key: "acct_1",
      email: "buyer@example.com",
      partner_key: partner.partner_key,
    }),
    201,
  ).customer;
  return { ...t, partner, customer };
}

describe("transactions: happy path", () => {
  it("converts to USD at ingest with the default rates and keeps the customer's net", async () => {
    const t = await withCustomer();
    const eur = await api(t.key, "POST", "/v1/transactions", {
      key: "inv1",
      customer_key: "acct_1",
      amount: 4500,
      currency: "EUR",
      product_key: "pro",
    });
    expectStatus(eur, 201);
    expect(eur.body).toMatchObject({
      amount: 4500,
      currency: "EUR",
      usd_per_unit: 1.08,
      amount_usd_cents: 4860,
      product_key: "pro",
      partner_id: t.partner.id,
      replayed: false,
    });
    const jpy = await api(t.key, "POST", "/v1/transactions", {
      key: "inv2",
      customer_email: "BUYER@example.com",
      amount: 10000,
      currency: "JPY",
    });
    expectStatus(jpy, 201);
    expect(jpy.body.amount_usd_cents).toBe(6700); // ¥10,000 × 0.0067 = $67.00 (JPY has no minor unit)
    const kwd = await api(t.key, "POST", "/v1/transactions", {
      key: "inv3",
      customer_key: "acct_1",
      amount: 1000,
      currency: "KWD",
    });
    expectStatus(kwd, 201);
    expect(kwd.body.amount_usd_cents).toBe(325); // 1.000 KWD × 3.25
    const customer = await api(t.key, "GET", `/v1/customers/${t.customer.id}`);
    expect(customer.body).toMatchObject({ net_usd_cents: 4860 + 6700 + 325, paid: true });
  });

  it("a refund brings a customer back to unpaid when the net is no longer positive", async () => {
    const t = await withCustomer();
    await api(t.key, "POST", "/v1/transactions", {
      key: "sale",
      customer_key: "acct_1",
      amount: 2000,
      currency: "USD",
    });
    const refund = await api(t.key, "POST", "/v1/transactions", {
      key: "refund",
      customer_key: "acct_1",
      amount: -2000,
      currency: "USD",
    });
    expectStatus(refund, 201);
    expect(refund.body.amount_usd_cents).toBe(-2000);
    expect((await api(t.key, "GET", `/v1/customers/${t.customer.id}`)).body).toMatchObject({
      net_usd_cents: 0,
      paid: false,
    });
  });

  it("a replay with the same key changes nothing and says so", async () => {
    const t = await withCustomer();
    const body = { key: "inv1", customer_key: "acct_1", amount: 999, currency: "USD" };
    const first = await api(t.key, "POST", "/v1/transactions", body);
    const again = await api(t.key, "POST", "/v1/transactions", body);
    expectStatus(again, 200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(bodyOf(await api(t.key, "GET", `/v1/customers/${t.customer.id}`), 200).net_usd_cents).toBe(999);
    const concurrent = await Promise.all(
      Array.from({ length: 4 }, () => api(t.key, "POST", "/v1/transactions", { ...body, key: "inv2" })),
    );
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM transactions WHERE company_id = ?")
      .bind(t.companyId)
      .first<{ n: number }>();
    expect(rows!.n).toBe(2);
    expect(bodyOf(await api(t.key, "GET", `/v1/customers/${t.customer.id}`), 200).net_usd_cents).toBe(1998);
  });

  it("uses a company's own rate once set, for transactions from then on", async () => {
    const t = await withCustomer();
    await api(t.key, "POST", "/v1/transactions", {
      key: "before",
      customer_key: "acct_1",
      amount: 1000,
      currency: "EUR",
    });
    const set = await api(t.key, "PUT", "/v1/fx-rates/EUR", { usd_per_unit: 1.2, as_of: "2026-11-25" });
    expect(set.body).toEqual({
      object: "fx_rate",
      currency: "EUR",
      usd_per_unit: 1.2,
      minor_unit_digits: 2,
      as_of: "2026-11-25",
      source: "company",
    });
    const after = await api(t.key, "POST", "/v1/transactions", {
      key: "after",
      customer_key: "acct_1",
      amount: 1000,
      currency: "EUR",
    });
    expectStatus(after, 201);
    expect(after.body.amount_usd_cents).toBe(1200);
    const rates = bodyOf(await api(t.key, "GET", "/v1/fx-rates"), 200).data;
    expect(rates.find((r: { currency: string }) => r.currency === "EUR")?.source).toBe("company");
    expect(rates.find((r: { currency: string }) => r.currency === "GBP")).toMatchObject({
      usd_per_unit: 1.27,
      as_of: "2026-11-01",
      source: "default",
    });
    // New currencies can be added.
    await api(t.key, "PUT", "/v1/fx-rates/ISK", { usd_per_unit: 0.0072, minor_unit_digits: 0 });
    const isk = await api(t.key, "POST", "/v1/transactions", {
      key: "isk",
      customer_key: "acct_1",
      amount: 10000,
      currency: "ISK",
    });
    expectStatus(isk, 201);
    expect(isk.body.amount_usd_cents).toBe(7200);
  });

  it("rounds half away from zero, so a refund mirrors its sale", () => {
    const rate = { usdPerUnit: 1.085, minorUnitDigits: 2 };
    expect(toUsdCents(100, rate)).toBe(109);
    expect(toUsdCents(-100, rate)).toBe(-109);
  });
});

describe("transactions: error cases", () => {
  it.each([
    [{ key: "k", customer_key: "acct_1", amount: 100, currency: "XXX" }, "currency"],
    [{ key: "k", customer_key: "acct_1", amount: 100, currency: "usd" }, "currency"],
    [{ key: "k", customer_key: "acct_1", amount: 1.5, currency: "USD" }, "amount"],
    [{ key: "k", customer_key: "nobody", amount: 100, currency: "USD" }, "customer_key"],
    [{ key: "k", amount: 100, currency: "USD" }, "customer_key"],
    [
      { key: "k", customer_key: "acct_1", customer_email: "buyer@example.com", amount: 100, currency: "USD" },
      "customer_key",
    ],
    [
      { key: "k", customer_key: "acct_1", amount: 100, currency: "USD", created_at: "2099-01-01T00:00:00Z" },
      "created_at",
    ],
    [{ key: "k", customer_key: "acct_1", amount: 100, currency: "USD", created_at: "yesterday" }, "created_at"],
    [
      { key: "k", customer_key: "acct_1", amount: 100, currency: "USD", created_at: "1999-12-31T23:59:59.999Z" },
      "created_at",
    ],
    [
      { key: "k", customer_key: "acct_1", amount: 100, currency: "USD", created_at: "1970-01-01T00:00:00Z" },
      "created_at",
    ],
    [{ key: "k", customer_key: "acct_1", amount: 0, currency: "USD" }, "amount"],
  ])("refuses %j with 422 naming the field", async (body, field) => {
    const t = await withCustomer();
    const r = await api(t.key, "POST", "/v1/transactions", body);
    expectStatus(r, 422);
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toContain(field);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM transactions WHERE company_id = ?")
      .bind(t.companyId)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });

  it("accepts created_at from 2000-01-01 to one day ahead", async () => {
    const t = await withCustomer();
    const first = await api(t.key, "POST", "/v1/transactions", {
      key: "y2k",
      customer_key: "acct_1",
      amount: 100,
      currency: "USD",
      created_at: "2000-01-01T00:00:00Z",
    });
    expectStatus(first, 201);
    expect(first.body.created_at).toBe("2000-01-01T00:00:00.000Z");
    const soon = new Date(Date.now() + 86_400_000 - 60_000).toISOString();
    expect(
      (
        await api(t.key, "POST", "/v1/transactions", {
          key: "soon",
          customer_key: "acct_1",
          amount: 100,
          currency: "USD",
          created_at: soon,
        })
      ).status,
    ).toBe(201);
  });

  it.each([
    [{ amount: 200 }, ["amount"]],
    [{ currency: "EUR" }, ["currency"]],
    [{ product_key: "other" }, ["product_key"]],
    [{ category_key: "books" }, ["category_key"]],
    [{ created_at: "2026-01-02T00:00:00Z" }, ["created_at"]],
    [{ customer_key: "acct_2" }, ["customer_key"]],
    [{ customer_key: undefined, customer_email: "other@example.com" }, ["customer_email"]],
    [{ amount: -100, product_key: undefined }, ["amount", "product_key"]],
  ])("refuses the key reused with %j with 422 transaction-key-reused, changing nothing", async (change, differing) => {
    const t = await withCustomer();
    await api(t.key, "POST", "/v1/customers", {
      customer_key: "acct_2",
      email: "other@example.com",
      partner_key: t.partner.partner_key,
    });
    const body = {
      key: "inv",
      customer_key: "acct_1",
      amount: 100,
      currency: "USD",
      product_key: "pro",
      created_at: "2026-01-01T00:00:00Z",
    };
    expect((await api(t.key, "POST", "/v1/transactions", body)).status).toBe(201);
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", "/v1/transactions", JSON.parse(JSON.stringify({ ...body, ...change })));
    expectStatus(r, 422);
    expect(problemType(r)).toBe("transaction-key-reused");
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toEqual(differing);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("replays the key when every detail matches, naming the customer by key or by email", async () => {
    const t = await withCustomer();
    const body = {
      key: "inv",
      customer_key: "acct_1",
      amount: 100,
      currency: "USD",
      created_at: "2026-01-01T00:00:00Z",
    };
    const first = await api(t.key, "POST", "/v1/transactions", body);
    const again = await api(t.key, "POST", "/v1/transactions", {
      ...body,
      customer_key: undefined,
      customer_email: "Buyer@example.com",
    });
    expectStatus(again, 200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    // Sent without created_at, the first call is stamped now: a retry without it is the same call,
    // a retry that adds one is not.
    const stamped = { key: "inv2", customer_key: "acct_1", amount: 100, currency: "USD" };
    expect((await api(t.key, "POST", "/v1/transactions", stamped)).status).toBe(201);
    expect(bodyOf(await api(t.key, "POST", "/v1/transactions", stamped), 200).replayed).toBe(true);
    const dated = await api(t.key, "POST", "/v1/transactions", { ...stamped, created_at: "2026-01-01T00:00:00Z" });
    expectStatus(dated, 422);
    expect(dated.body.errors?.map((e: { field: string }) => e.field)).toEqual(["created_at"]);
  });

  it("refuses a bad rate", async () => {
    const t = await withCustomer();
    expect((await api(t.key, "PUT", "/v1/fx-rates/EUR", { usd_per_unit: -1 })).status).toBe(422);
    expect((await api(t.key, "PUT", "/v1/fx-rates/euro", { usd_per_unit: 1 })).status).toBe(422);
  });
});
