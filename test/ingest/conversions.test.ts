// Conversions: tying customers to the partner of a click, by the company's attribution model.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import type { ClickKind } from "../../src/db/schema";
import { recordConversion, recordTransaction } from "../../src/ingest/service";
import { DAY_MS } from "../../src/lib/time";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { clickEvent, recordClick } from "../helpers/clicks";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");

async function program(model: "last_click" | "first_click" = "last_click", windowDays = 90) {
  const t = await newTenant();
  await api(t.key, "PATCH", "/v1/company", { attribution_model: model, attribution_window_days: windowDays });
  const a = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
    201,
  );
  const b = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/b" }),
    201,
  );
  const jane = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: "j@example.com",
      first_name: "Jane",
      last_name: "Doe",
      group_id: a.id,
    }),
    201,
  );
  const tom = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: "t@example.com",
      first_name: "Tom",
      last_name: "Roe",
      group_id: b.id,
    }),
    201,
  );
  const click = (partner: { id: string; group_id: string }, ts = Date.now()) =>
    recordClick({ companyId: t.companyId, groupId: partner.group_id, partnerId: partner.id }, ts);
  return { ...t, a, b, jane, tom, click };
}

describe("conversions: happy path", () => {
  it("binds a new customer to the click's partner and group, and says so on a replay", async () => {
    const p = await program();
    const xid = await p.click(p.jane);
    const first = await api(p.key, "POST", "/v1/conversions", {
      xid,
      customer_key: "acct_1",
      email: "Buyer@Example.com",
    });
    expectStatus(first, 201);
    expect(first.body.customer).toMatchObject({
      customer_key: "acct_1",
      email: "buyer@example.com",
      partner_id: p.jane.id,
      group_id: p.a.id,
      click_id: xid,
      paid: false,
    });
    const replay = await api(p.key, "POST", "/v1/conversions", { xid, customer_key: "acct_1" });
    expectStatus(replay, 200);
    expect(replay.body).toMatchObject({ replayed: true, rebound: false });
    const n = await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE company_id = ?")
      .bind(p.companyId)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("the same conversion sent five times at once creates one customer; the others are replays", async () => {
    const p = await program();
    const xid = await p.click(p.jane);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api(p.key, "POST", "/v1/conversions", { xid, customer_key: "acct_race" })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const bodies = results.map((r) => bodyOf(r, r.status === 201 ? 201 : 200));
    expect(bodies.filter((body) => body.replayed).length).toBe(4);
    expect(new Set(bodies.map((body) => body.customer.id)).size).toBe(1);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE company_id = ?")
      .bind(p.companyId)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("last click: a newer click of another partner rebinds a customer who has not paid yet", async () => {
    const p = await program("last_click");
    const old = await p.click(p.jane, Date.now() - 2 * DAY_MS);
    const newer = await p.click(p.tom, Date.now() - DAY_MS);
    await api(p.key, "POST", "/v1/conversions", { xid: old, customer_key: "acct_1" });
    const r = await api(p.key, "POST", "/v1/conversions", { xid: newer, customer_key: "acct_1" });
    expectStatus(r, 200);
    expect(r.body).toMatchObject({
      rebound: true,
      customer: { partner_id: p.tom.id, group_id: p.b.id, click_id: newer },
    });
    // An older click does not take it back.
    const back = await api(p.key, "POST", "/v1/conversions", { xid: old, customer_key: "acct_1" });
    expect(back.body).toMatchObject({ kept_earlier_attribution: true, customer: { partner_id: p.tom.id } });
  });

  it("first click: the customer keeps its first partner", async () => {
    const p = await program("first_click");
    const first = await p.click(p.jane, Date.now() - 2 * DAY_MS);
    const later = await p.click(p.tom, Date.now() - DAY_MS);
    await api(p.key, "POST", "/v1/conversions", { xid: first, customer_key: "acct_1" });
    const r = await api(p.key, "POST", "/v1/conversions", { xid: later, customer_key: "acct_1" });
    expect(r.body).toMatchObject({
      kept_earlier_attribution: true,
      rebound: false,
      customer: { partner_id: p.jane.id },
    });
  });

  it("a customer bound and paying stays with its partner, even under last click", async () => {
    const p = await program("last_click");
    const first = await p.click(p.jane, Date.now() - 2 * DAY_MS);
    const later = await p.click(p.tom, Date.now() - DAY_MS);
    await api(p.key, "POST", "/v1/conversions", { xid: first, customer_key: "acct_1" });
    await api(p.key, "POST", "/v1/transactions", {
      key: "inv1",
      customer_key: "acct_1",
      amount: 1000,
      currency: "USD",
    });
    const r = await api(p.key, "POST", "/v1/conversions", { xid: later, customer_key: "acct_1" });
    expect(r.body).toMatchObject({ kept_earlier_attribution: true, customer: { partner_id: p.jane.id } });
  });

  it(`a customer created by partner key is bound at its creation: \
later clicks may rebind it (last click)`, async () => {
    const p = await program("last_click");
    const created = await api(p.key, "POST", "/v1/customers", {
      customer_key: "acct_9",
      email: "c@example.com",
      partner_key: p.jane.partner_key,
    });
    expectStatus(created, 201);
    const xid = await p.click(p.tom);
    const r = await api(p.key, "POST", "/v1/conversions", { xid, customer_key: "acct_9" });
    expect(r.body).toMatchObject({ rebound: true, customer: { partner_id: p.tom.id } });
  });
});

describe("conversions: error cases", () => {
  it("refuses a click older than the attribution window", async () => {
    const p = await program("last_click", 30);
    const xid = await p.click(p.jane, Date.now() - 31 * DAY_MS);
    const r = await api(p.key, "POST", "/v1/conversions", { xid, customer_key: "acct_1" });
    expectStatus(r, 422);
    expect(problemType(r)).toBe("click-expired");
    expect(r.body.errors?.[0]?.field).toBe("xid");
  });

  it("answers an unknown click id with 422 on xid, and a just-issued one with 409 click-pending", async () => {
    const p = await program();
    const unknown = await api(p.key, "POST", "/v1/conversions", {
      xid: "00000000000000000000000000",
      customer_key: "acct_1",
    });
    expectStatus(unknown, 422);
    expect(unknown.body.errors?.[0]?.field).toBe("xid");
    const { sortableToken } = await import("../../src/lib/ids");
    const pending = await api(p.key, "POST", "/v1/conversions", { xid: sortableToken(), customer_key: "acct_1" });
    expectStatus(pending, 409);
    expect(problemType(pending)).toBe("click-pending");
  });

  it(`refuses a click recorded from a HEAD request with 422 on xid; \
bot and prefetch clicks still convert`, async () => {
    const p = await program();
    const clickOf = async (kind: ClickKind) => {
      const event = clickEvent(
        { companyId: p.companyId, groupId: p.a.id, partnerId: p.jane.id },
        Date.now() - 60_000,
        kind,
      );
      await writeClicks(env.DB, [event]);
      return event.clickId;
    };
    const head = await api(p.key, "POST", "/v1/conversions", { xid: await clickOf("head"), customer_key: "acct_head" });
    expectStatus(head, 422);
    expect(head.body.errors).toEqual([{ field: "xid", message: expect.stringContaining("HEAD") }]);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE company_id = ?")
      .bind(p.companyId)
      .first<{ n: number }>();
    expect(n!.n).toBe(0);
    expect(
      (await api(p.key, "POST", "/v1/conversions", { xid: await clickOf("prefetch"), customer_key: "acct_prefetch" }))
        .status,
    ).toBe(201);
    expect(
      (await api(p.key, "POST", "/v1/conversions", { xid: await clickOf("bot"), customer_key: "acct_bot" })).status,
    ).toBe(201);
  });

  it("never uses another company's click", async () => {
    const p = await program();
    const other = await program();
    const xid = await other.click(other.jane, Date.now() - DAY_MS);
    const r = await api(p.key, "POST", "/v1/conversions", { xid, customer_key: "acct_1" });
    expectStatus(r, 422);
  });

  it("refuses a customer key that exists with another partner (customers endpoint), changing nothing", async () => {
    const p = await program();
    await api(p.key, "POST", "/v1/customers", {
      customer_key: "k",
      email: "k@example.com",
      partner_key: p.jane.partner_key,
    });
    const replay = await api(p.key, "POST", "/v1/customers", {
      customer_key: "k",
      email: "k@example.com",
      partner_key: p.jane.partner_key,
    });
    expectStatus(replay, 200);
    expect(replay.body.replayed).toBe(true);
    const other = await api(p.key, "POST", "/v1/customers", {
      customer_key: "k",
      email: "k@example.com",
      partner_key: p.tom.partner_key,
    });
    expectStatus(other, 409);
    const unknownPartner = await api(p.key, "POST", "/v1/customers", {
      customer_key: "z",
      email: "z@example.com",
      partner_key: "nobody",
    });
    expectStatus(unknownPartner, 422);
    expect(unknownPartner.body.errors?.[0]?.field).toBe("partner_key");
  });
});

describe("conversions: racing a transaction", () => {
  it(`a rebinding conversion that commits while a transaction is in flight: \
the transaction credits the new partner and group`, async () => {
    const p = await program("last_click");
    const old = await p.click(p.jane, Date.now() - 2 * DAY_MS);
    const newer = await p.click(p.tom, Date.now() - DAY_MS);
    await api(p.key, "POST", "/v1/conversions", { xid: old, customer_key: "acct_1" });
    // The transaction has read the customer (bound to Jane); the conversion to Tom's newer click
    // commits just before the transaction's write.
    let rebound = false;
    const racingDb = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            if (!rebound) {
              rebound = true;
              expect((await recordConversion(env, p.companyId, { xid: newer, customerKey: "acct_1" })).rebound).toBe(
                true,
              );
            }
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { transaction } = await recordTransaction({ ...env, DB: racingDb }, p.companyId, {
      key: "inv_race",
      customerKey: "acct_1",
      amount: 5000,
      currency: "USD",
    });
    expect(rebound).toBe(true);
    expect(transaction).toMatchObject({ partnerId: p.tom.id, groupId: p.b.id, amountUsdCents: 5000 });
    const nets = await env.DB.prepare(
      "SELECT id, net_revenue_usd_cents AS net FROM groups WHERE company_id = ? ORDER BY id",
    )
      .bind(p.companyId)
      .all<{ id: string; net: number }>();
    expect(Object.fromEntries(nets.results.map((g) => [g.id, g.net]))).toEqual({ [p.a.id]: 0, [p.b.id]: 5000 });
    const customer = await api(p.key, "GET", `/v1/customers/${transaction.customerId}`);
    expect(customer.body).toMatchObject({ partner_id: p.tom.id, group_id: p.b.id, net_usd_cents: 5000 });
  });
});
