// The product article's two offer examples, end to end: "Partner signs up a new customer and earns
// $1" and "Partner sells {product_key} to their customer and earns 20% of the sale". A visitor
// follows a partner link, the merchant converts the `ps_xid`, sells the product and another one,
// refunds part of the first; then the hold passes. Rewards, totals and the group stats are checked.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { DAY_MS } from "../../src/lib/time";
import adminWorker from "../../workers/admin";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { edgeFetch, eventually } from "../helpers/fixtures";
import { PRO_PLAN_20, SIGNUP_DOLLAR } from "../helpers/offers";

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await adminWorker.scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

it(`the article's two offers: a $1 signup and 20% of each Pro Plan sale, from a click to approved \
rewards`, async () => {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Launch", destination_url: "https://acme.example/" }),
    201,
  );
  expect(group.offers_count).toBe(0); // a console shows "Create offer"
  const signupOffer = bodyOf(
    await api(t.key, "POST", `/v1/groups/${group.id}/offers`, { name: "Signup", triggers: [SIGNUP_DOLLAR] }),
    201,
  );
  const proOffer = bodyOf(
    await api(t.key, "POST", `/v1/groups/${group.id}/offers`, { name: "Pro", triggers: [PRO_PLAN_20] }),
    201,
  );
  const offers = bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/offers`), 200);
  expect(offers.data.map((o) => o.summary)).toEqual([
    "Earn $1.00 for every new customer you sign up",
    "Earn 20% of every Pro Plan sale for 12 months, up to $500 per customer",
  ]);
  expect(bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}`), 200).offers_count).toBe(2);
  const jane = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: "jane@example.com",
      first_name: "Jane",
      last_name: "Doe",
      partner_key: "jane-doe",
      group_id: group.id,
    }),
    201,
  );

  // A visitor follows Jane's link; the merchant's site receives the click id as `ps_xid`.
  const click = await edgeFetch(`https://${t.hostname}/jane-doe`, { headers: { "cf-connecting-ip": "198.51.100.7" } });
  expect(click.status).toBe(302);
  const xid = new URL(click.headers.get("location")!).searchParams.get("ps_xid")!;
  expect(xid).toMatch(/^[0-9a-z]{26}$/);
  // The click is written by the queue within seconds: until then a conversion is a 409 to retry.
  const convert = () => api(t.key, "POST", "/v1/conversions", { xid, customer_key: "acct_42", email: "ada@ex.com" });
  const converted = await eventually(async () => {
    const r = await convert();
    return r.status === 409 ? "click pending" : r.status;
  }, 201);
  expect(converted).toBe(201);
  const signupReward = bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/rewards`), 200).data[0];
  expect(signupReward?.receipt).toMatchObject({
    event: { type: "signup" },
    click_id: xid,
    attribution: "click",
    offer_id: signupOffer.id,
    offer_version: 1,
  });

  // A Pro Plan sale, a sale of another product, and a 30% refund of the Pro Plan sale.
  const pro = bodyOf(
    await api(t.key, "POST", "/v1/transactions", {
      key: "inv_1",
      customer_key: "acct_42",
      amount: 10000,
      currency: "USD",
      product_key: "pro_plan",
    }),
    201,
  );
  expectStatus(
    await api(t.key, "POST", "/v1/transactions", {
      key: "inv_2",
      customer_key: "acct_42",
      amount: 5000,
      currency: "USD",
      product_key: "starter",
    }),
    201,
  );
  expectStatus(
    await api(t.key, "POST", "/v1/transactions", {
      key: "ref_1",
      customer_key: "acct_42",
      amount: -3000,
      currency: "USD",
      refund_of: "inv_1",
    }),
    201,
  );

  const rewards = bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/rewards`), 200).data;
  expect(rewards).toHaveLength(2); // the starter sale earns nothing
  const [signup, sale] = rewards;
  expect(signup).toMatchObject({ status: "pending", amount: 100, currency: "USD", net_usd_cents: 100 });
  expect(sale).toMatchObject({
    status: "pending",
    amount: 2000,
    reversed_amount: 600,
    net_amount: 1400,
    net_usd_cents: 1400,
    receipt: {
      event: { type: "transaction", id: pro.id, amount: 10000, currency: "USD" },
      click_id: xid,
      attribution: "click",
      offer_id: proOffer.id,
      offer_version: 1,
      trigger_id: proOffer.triggers[0]!.id,
      reward_type: "percent",
      percent: 20,
      usd_per_unit: 1,
    },
  });
  const pendingTotals = bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/reward-totals`), 200);
  expect(pendingTotals).toMatchObject({
    pending: { count: 2, usd_cents: 1500 },
    approved: { count: 0, usd_cents: 0 },
    reversed: { count: 0, usd_cents: 600 },
    earned_usd_cents: 2100,
  });

  // The hourly cron, now: stats from the events; rewards stay pending through their 30-day hold.
  await cron(Date.now());
  const stats = bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/stats`), 200);
  const expectedStats = {
    partners: 1,
    clicks: 1,
    signups_paid: 1,
    signups_unpaid: 0,
    revenue_usd_cents: 10000 + 5000 - 3000, // the transactions only: rewards are not revenue
  };
  expect(stats).toMatchObject(expectedStats);
  expect(bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/reward-totals`), 200).pending.count).toBe(2);

  // 31 days later the hold has passed: the cron approves both; the stats do not move.
  const later = Date.now() + 31 * DAY_MS;
  await cron(later);
  const approved = bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/rewards?status=approved`), 200).data;
  expect(approved.map((r) => r.id)).toEqual([signup!.id, sale!.id]);
  expect(bodyOf(await api(t.key, "GET", `/v1/rewards/${sale!.id}`), 200).history.map((h) => [h.by, h.to])).toEqual([
    ["refund", "pending"],
    ["cron", "approved"],
  ]);
  expect(bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/reward-totals`), 200)).toEqual({
    object: "reward_totals",
    partner_id: jane.id,
    pending: { count: 0, usd_cents: 0 },
    approved: { count: 2, usd_cents: 1500 },
    paid: { count: 0, usd_cents: 0 },
    reversed: { count: 0, usd_cents: 600 },
    earned_usd_cents: 2100,
  });

  // Paying them changes no stat either.
  const payout = bodyOf(
    await api(t.key, "POST", "/v1/rewards/payouts", { reward_ids: [signup!.id, sale!.id], payout_reference: "P-1" }),
    200,
  );
  expect(payout.total_usd_cents).toBe(1500);
  await cron(later + DAY_MS);
  expect(bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/stats`), 200)).toMatchObject(expectedStats);
  expect(bodyOf(await api(t.key, "GET", `/v1/partners/${jane.id}/stats`), 200)).toMatchObject({
    clicks: 1,
    signups_paid: 1,
    revenue_usd_cents: 12000,
  });
});
