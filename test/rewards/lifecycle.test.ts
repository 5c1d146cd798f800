// A reward's lifecycle (pending → approved → paid; reversed), its recorded history, the read API
// (a partner's rewards, totals per status), the CSV export, and the simulation.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../src/lib/time";
import adminWorker from "../../workers/admin";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { rewardProgram, rewardRows, SIGNUP_DOLLAR } from "../helpers/offers";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fields = (r: { body: { errors?: { field: string }[] } }) => r.body.errors?.map((e) => e.field) ?? [];

async function cron(scheduledTime: number) {
  const ctx = createExecutionContext();
  await adminWorker.scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** A program with `n` bonuses of $1.00, $2.00, … granted to its partner (pending, no hold). */
async function withBonuses(n: number) {
  const p = await rewardProgram();
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await api(p.key, "POST", `/v1/partners/${p.partner.id}/rewards`, {
      amount: 100 * i,
      currency: "USD",
      reason: `bonus ${i}`,
    });
    ids.push(bodyOf(r, 201).id);
  }
  const change = (id: string, body: object) => api(p.key, "PATCH", `/v1/rewards/${id}`, body);
  return { ...p, ids, change };
}

describe("lifecycle: pending → approved by the hourly cron once the hold has passed", () => {
  it("approves only rewards past their hold, records it, and a second run changes nothing", async () => {
    const p = await rewardProgram();
    await p.offer({ name: "Signup", hold_days: 30, triggers: [SIGNUP_DOLLAR] });
    await p.convert("acct_1");
    const [reward] = await rewardRows(p.companyId);
    await cron(Date.now() + 29 * DAY_MS);
    expect((await rewardRows(p.companyId))[0]!.status).toBe("pending");
    const at = Date.now() + 31 * DAY_MS;
    await cron(at);
    const approved = bodyOf(await api(p.key, "GET", `/v1/rewards/${reward!.id}`), 200);
    expect(approved.status).toBe("approved");
    expect(approved.history).toEqual([
      {
        from: "pending",
        to: "approved",
        at: new Date(at).toISOString(),
        by: "cron",
        reason: null,
        payout_reference: null,
        reversed_amount: 0,
        reversed_usd_cents: 0,
        transaction_id: null,
      },
    ]);
    await cron(at + DAY_MS);
    expect(bodyOf(await api(p.key, "GET", `/v1/rewards/${reward!.id}`), 200).history).toHaveLength(1);
  });
});

describe("lifecycle: admin changes", () => {
  it("approve, pay, and every illegal move is a 409 that writes nothing", async () => {
    const p = await withBonuses(1);
    const [id] = p.ids;
    const approved = await p.change(id!, { status: "approved", reason: "checked" });
    expectStatus(approved, 200);
    expect(approved.body.history.at(-1)).toMatchObject({
      from: "pending",
      to: "approved",
      by: p.keyId,
      reason: "checked",
    });
    const paid = await p.change(id!, { status: "paid", payout_reference: "PAY-1" });
    expectStatus(paid, 200);
    expect(paid.body).toMatchObject({ status: "paid", payout_reference: "PAY-1" });
    expect(paid.body.history.map((h) => h.to)).toEqual(["approved", "paid"]);
    const before = await tableSnapshot();
    for (const body of [{ status: "pending" }, { status: "approved" }, { status: "reversed", reason: "x" }]) {
      const r = await p.change(id!, body);
      expectStatus(r, 409, JSON.stringify(body));
      expect(problemType(r)).toBe("reward-status-conflict");
      expect(r.body.detail).toContain("A paid reward cannot become");
    }
    expect(await tableSnapshot()).toEqual(before);
    // Asking for the status it has changes nothing.
    expect((await p.change(id!, { status: "paid", payout_reference: "PAY-1" })).status).toBe(200);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("reverses a pending or approved reward with a reason (required), taking back what is left", async () => {
    const p = await withBonuses(2);
    const noReason = await p.change(p.ids[0]!, { status: "reversed" });
    expectStatus(noReason, 422);
    expect(fields(noReason)).toEqual(["reason"]);
    const noReference = await p.change(p.ids[0]!, { status: "paid" });
    expectStatus(noReference, 422);
    expect(fields(noReference)).toEqual(["payout_reference"]);
    const reversed = await p.change(p.ids[0]!, { status: "reversed", reason: "fraud" });
    expectStatus(reversed, 200);
    expect(reversed.body).toMatchObject({ status: "reversed", reversed_amount: 100, net_usd_cents: 0 });
    expect(reversed.body.history).toEqual([
      expect.objectContaining({
        from: "pending",
        to: "reversed",
        by: p.keyId,
        reason: "fraud",
        reversed_usd_cents: 100,
      }),
    ]);
    await p.change(p.ids[1]!, { status: "approved" });
    expect((await p.change(p.ids[1]!, { status: "pending" })).status).toBe(409);
    expect((await p.change(p.ids[0]!, { status: "approved" })).status).toBe(409);
  });

  it("pays a set of approved rewards under one reference, all or none", async () => {
    const p = await withBonuses(3);
    await p.change(p.ids[0]!, { status: "approved" });
    await p.change(p.ids[1]!, { status: "approved" });
    const before = await tableSnapshot();
    const mixed = await api(p.key, "POST", "/v1/rewards/payouts", {
      reward_ids: [p.ids[0], p.ids[2]],
      payout_reference: "PAY-7",
    });
    expectStatus(mixed, 409);
    expect(problemType(mixed)).toBe("reward-status-conflict");
    expect(mixed.body.errors).toEqual([
      { field: "reward_ids.1", message: "is pending: only approved rewards are paid" },
    ]);
    const unknown = await api(p.key, "POST", "/v1/rewards/payouts", {
      reward_ids: ["rwd_nope", p.ids[0]],
      payout_reference: "PAY-7",
    });
    expectStatus(unknown, 422);
    expect(fields(unknown)).toEqual(["reward_ids.0"]);
    const twice = await api(p.key, "POST", "/v1/rewards/payouts", {
      reward_ids: [p.ids[0], p.ids[0]],
      payout_reference: "PAY-7",
    });
    expectStatus(twice, 422);
    expect(fields(twice)).toEqual(["reward_ids"]);
    expect(await tableSnapshot()).toEqual(before);

    const paid = await api(p.key, "POST", "/v1/rewards/payouts", {
      reward_ids: [p.ids[1], p.ids[0]],
      payout_reference: "PAY-7",
    });
    expectStatus(paid, 200);
    expect(paid.body).toMatchObject({ object: "payout", payout_reference: "PAY-7", count: 2, total_usd_cents: 300 });
    expect(paid.body.rewards.map((r) => [r.id, r.status])).toEqual([
      [p.ids[1], "paid"],
      [p.ids[0], "paid"],
    ]);
  });

  it("two payouts of the same reward at once: one pays it, the other is a 409", async () => {
    const p = await withBonuses(1);
    await p.change(p.ids[0]!, { status: "approved" });
    const results = await Promise.all(
      ["A", "B"].map((ref) => api(p.key, "POST", "/v1/rewards/payouts", { reward_ids: p.ids, payout_reference: ref })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const detail = bodyOf(await api(p.key, "GET", `/v1/rewards/${p.ids[0]}`), 200);
    expect(detail.history.filter((h) => h.to === "paid")).toHaveLength(1);
  });
});

describe("read API", () => {
  it("lists a partner's rewards by status with cursor pagination, and totals them per status", async () => {
    const p = await withBonuses(5);
    await p.change(p.ids[0]!, { status: "approved" });
    await p.change(p.ids[1]!, { status: "approved" });
    await p.change(p.ids[1]!, { status: "paid", payout_reference: "P" });
    await p.change(p.ids[2]!, { status: "reversed", reason: "no" });
    const page1 = bodyOf(await api(p.key, "GET", `/v1/partners/${p.partner.id}/rewards?limit=2`), 200);
    expect(page1.data.map((r) => r.id)).toEqual(p.ids.slice(0, 2));
    expect(page1.has_more).toBe(true);
    const page2 = bodyOf(
      await api(p.key, "GET", `/v1/partners/${p.partner.id}/rewards?limit=2&starting_after=${p.ids[1]}`),
      200,
    );
    expect(page2.data.map((r) => r.id)).toEqual(p.ids.slice(2, 4));
    const pending = bodyOf(await api(p.key, "GET", `/v1/partners/${p.partner.id}/rewards?status=pending`), 200);
    expect(pending.data.map((r) => r.id)).toEqual(p.ids.slice(3));
    const lost = await api(p.key, "GET", `/v1/partners/${p.partner.id}/rewards?status=lost`);
    expectStatus(lost, 422);
    expect(fields(lost)).toEqual(["status"]);

    const totals = await api(p.key, "GET", `/v1/partners/${p.partner.id}/reward-totals`);
    expect(bodyOf(totals, 200)).toEqual({
      object: "reward_totals",
      partner_id: p.partner.id,
      pending: { count: 2, usd_cents: 900 },
      approved: { count: 1, usd_cents: 100 },
      paid: { count: 1, usd_cents: 200 },
      reversed: { count: 1, usd_cents: 300 },
      earned_usd_cents: 1500,
    });
  });

  it("exports every reward of the company as CSV, filtered by status, formulas defused", async () => {
    const p = await withBonuses(2);
    await api(p.key, "POST", `/v1/partners/${p.partner.id}/rewards`, {
      amount: 1234,
      currency: "JPY",
      reason: '=HYPERLINK("x")',
    });
    await p.change(p.ids[0]!, { status: "approved" });
    const other = await withBonuses(1);
    const csv = await api(p.key, "GET", "/v1/exports/rewards.csv");
    expectStatus(csv, 200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = String(csv.body).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "reward_id,created_at,status,partner_id,partner_key,group_id,customer_id,source_type,source_id,event_at," +
        "offer_id,offer_version,trigger_id,reward_type,percent,currency,amount,reversed_amount,net_amount," +
        "usd_per_unit,amount_usd,reversed_usd,net_usd,hold_until,payout_reference,reason",
    );
    expect(lines).toHaveLength(4);
    const cells = lines.slice(1).map((line) => line.split(","));
    expect(cells.map((c) => [c[0], c[2], c[4], c[15], c[16], c[22]])).toEqual([
      [p.ids[0], "approved", p.partner.partner_key, "USD", "1.00", "1.00"],
      [p.ids[1], "pending", p.partner.partner_key, "USD", "2.00", "2.00"],
      [expect.any(String), "pending", p.partner.partner_key, "JPY", "1234", "8.27"],
    ]);
    expect(lines[3]).toMatch(/,"'=HYPERLINK\(""x""\)"$/);
    expect(csv.body).not.toContain(other.ids[0]);
    const approvedOnly = await api(p.key, "GET", "/v1/exports/rewards.csv?status=approved");
    expectStatus(approvedOnly, 200);
    expect(String(approvedOnly.body).trimEnd().split("\n")).toHaveLength(2);
  });
});

describe("simulation", () => {
  it(`replays past events through an offer as ingest did, and a draft through its own rules; writes \
nothing`, async () => {
    const p = await rewardProgram();
    const from = new Date(Date.now() - DAY_MS).toISOString();
    const offer = await p.offer({
      name: "Mixed",
      triggers: [
        SIGNUP_DOLLAR,
        { event: "transaction", reward: { type: "percent", percent: 15, max_per_customer_usd_cents: 2000 } },
        {
          event: "transaction",
          conditions: { first_transaction_only: true },
          reward: { type: "flat", amount: 500, currency: "EUR" },
        },
      ],
    });
    await p.convert("a");
    await p.convert("b");
    await p.sale("a1", "a", 10000);
    await p.sale("a2", "a", 10000, { currency: "EUR" });
    await p.sale("b1", "b", 3333);
    await p.sale("b1-refund", "b", -1111, { refund_of: "b1" });
    const live = await rewardRows(p.companyId);
    const liveNet = live.reduce((sum, r) => sum + r.amount_usd_cents - r.reversed_usd_cents, 0);
    const to = new Date(Date.now() + 60_000).toISOString();

    const before = await tableSnapshot();
    const simulated = await api(p.key, "POST", `/v1/offers/${offer.id}/simulate`, { from, to });
    expectStatus(simulated, 200);
    expect(simulated.body).toMatchObject({
      object: "offer_simulation",
      offer_id: offer.id,
      group_id: p.group.id,
      version: 1,
      events: { signups: 2, transactions: 3 },
      rewards: live.length,
      total_usd_cents: liveNet,
      partners: [{ partner_id: p.partner.id, rewards: live.length, usd_cents: liveNet }],
    });
    const draft = await api(p.key, "POST", `/v1/groups/${p.group.id}/offers/simulate`, {
      from,
      to,
      offer: { name: "Draft", triggers: [SIGNUP_DOLLAR] },
    });
    expectStatus(draft, 200);
    expect(draft.body).toMatchObject({ offer_id: null, version: null, rewards: 2, total_usd_cents: 200 });
    expect(await tableSnapshot()).toEqual(before);

    const bad = await api(p.key, "POST", `/v1/groups/${p.group.id}/offers/simulate`, {
      from: to,
      to: from,
      offer: { name: "Draft", triggers: [{ event: "signup", reward: { type: "flat", amount: 1, currency: "XTS" } }] },
    });
    expectStatus(bad, 422);
    expect(fields(bad)).toEqual(["to"]);
    const noRate = await api(p.key, "POST", `/v1/groups/${p.group.id}/offers/simulate`, {
      from,
      to,
      offer: { name: "Draft", triggers: [{ event: "signup", reward: { type: "flat", amount: 1, currency: "XTS" } }] },
    });
    expectStatus(noRate, 422);
    expect(fields(noRate)).toEqual(["offer.triggers.0.reward.currency"]);
    const tooLong = await api(p.key, "POST", `/v1/offers/${offer.id}/simulate`, {
      from: "2025-01-01T00:00:00Z",
      to: "2026-01-03T00:00:00Z",
    });
    expectStatus(tooLong, 422);
    expect(fields(tooLong)).toEqual(["to"]);
  });
});
