// Offers on leads and deals: a lead or deal entering a chosen stage, and a deal closing, earn the
// entry's partner a flat reward in the move's own batch, once per entry, stage and trigger; the
// customer a closing creates is a signup of the group for its offers (attributed `deal`).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../src/lib/time";
import type { OfferTrigger } from "../../src/offers/model";
import { triggerSummary } from "../../src/offers/summary";
import { runRollup } from "../../src/rollup/rollup";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { rewardRows, SIGNUP_DOLLAR } from "../helpers/offers";

const fields = (r: { body: { errors?: { field: string }[] } }) => r.body.errors?.map((e) => e.field) ?? [];
const flat = (amount: number) => ({ type: "flat", amount, currency: "USD" });
const leadValues = { company_name: "Globex", contact_name: "Hank", contact_email: "hank@globex.example" };

/** A company with a group whose lead and deal forms are on, a partner with a credential, and helpers. */
async function program() {
  const t = await newTenant("enterprise");
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/" }),
    201,
  );
  for (const kind of ["lead", "deal"] as const) {
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/${kind}`, { enabled: true }), 200);
  }
  const n = crypto.randomUUID().slice(0, 8);
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: `p${n}@example.com`,
      first_name: "P",
      last_name: n,
      group_id: group.id,
    }),
    201,
  );
  const secret = bodyOf(await api(t.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "p" }), 201).secret!;
  const stages = async (kind: "lead" | "deal") =>
    bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/pipelines/${kind}`), 200).stages;
  const offer = async (body: unknown) => bodyOf(await api(t.key, "POST", `/v1/groups/${group.id}/offers`, body), 201);
  const submitLead = async () => bodyOf(await api(secret, "POST", "/partner/v1/leads", { values: leadValues }), 201);
  const registerDeal = async () => bodyOf(await api(secret, "POST", "/partner/v1/deals", { values: leadValues }), 201);
  const moveLead = async (id: string, stageId: string) =>
    expectStatus(await api(t.key, "POST", `/v1/leads/${id}/move`, { stage_id: stageId }), 200);
  const moveDeal = async (id: string, stageId: string) =>
    bodyOf(await api(t.key, "POST", `/v1/deals/${id}/move`, { stage_id: stageId }), 200);
  return { ...t, group, partner, secret, stages, offer, submitLead, registerDeal, moveLead, moveDeal };
}

const stageTrigger = (pipeline: "lead" | "deal", stageId: string, amount: number) => ({
  event: "stage_entered",
  conditions: { pipeline, stage_id: stageId },
  reward: flat(amount),
});

describe("a lead entering a chosen stage", () => {
  it(`earns the lead's partner one pending flat reward (group, hold, receipt); leaving and entering again \
earns nothing more, other stages nothing`, async () => {
    const p = await program();
    const [, contacted, qualified, converted] = await p.stages("lead");
    const offer = await p.offer({
      name: "Qualified leads",
      hold_days: 14,
      triggers: [stageTrigger("lead", qualified!.id, 5000)],
    });
    const lead = await p.submitLead();
    await p.moveLead(lead.id, contacted!.id);
    expect(await rewardRows(p.companyId)).toEqual([]);

    await p.moveLead(lead.id, qualified!.id);
    const [row] = await rewardRows(p.companyId);
    expect(row).toMatchObject({
      partner_id: p.partner.id,
      group_id: p.group.id,
      customer_id: null,
      source_type: "stage_entered",
      source_id: `lead:${lead.id}:stage:${qualified!.id}`,
      offer_id: offer.id,
      offer_version: 1,
      trigger_id: offer.triggers[0]!.id,
      reward_type: "flat",
      amount: 5000,
      currency: "USD",
      amount_usd_cents: 5000,
      status: "pending",
    });
    const reward = bodyOf(await api(p.key, "GET", `/v1/rewards/${row!.id}`), 200);
    expect(reward.receipt).toMatchObject({
      event: { type: "stage_entered", lead_id: lead.id, deal_id: null, stage_id: qualified!.id, amount: null },
      customer_id: null,
      attribution: null,
      offer_id: offer.id,
      trigger_id: offer.triggers[0]!.id,
    });
    const moved = bodyOf(await api(p.key, "GET", `/v1/leads/${lead.id}`), 200);
    expect(reward.receipt.event.at).toBe(moved.history!.at(-1)!.moved_at);
    expect(Date.parse(reward.hold_until) - Date.parse(reward.receipt.event.at)).toBe(14 * DAY_MS);

    // Out and back in (twice), and on to another stage: still the one reward.
    for (const stage of [contacted, qualified, contacted, qualified, converted]) await p.moveLead(lead.id, stage!.id);
    expect((await rewardRows(p.companyId)).map((r) => r.id)).toEqual([row!.id]);
    expect(bodyOf(await api(p.key, "GET", `/v1/leads/${lead.id}`), 200).history).toHaveLength(8);
  });

  it(`a trigger on the first stage fires on submission; each lead and each trigger is rewarded once; \
a lead is evaluated against the version in effect at its move`, async () => {
    const p = await program();
    const [newStage, contacted] = await p.stages("lead");
    const onSubmit = await p.offer({ name: "Any lead", triggers: [stageTrigger("lead", newStage!.id, 100)] });
    const contactedOffer = await p.offer({
      name: "Contacted",
      triggers: [stageTrigger("lead", contacted!.id, 1000), stageTrigger("lead", contacted!.id, 300)],
    });
    const [first, second] = [await p.submitLead(), await p.submitLead()];
    await p.moveLead(first.id, contacted!.id);
    // The offer changes: the second lead's move is after the edit, the first's reward keeps version 1.
    const [kept, dropped] = contactedOffer.triggers;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const edited = await api(p.key, "PATCH", `/v1/offers/${contactedOffer.id}`, {
      triggers: [{ ...stageTrigger("lead", contacted!.id, 2000), id: kept!.id }],
    });
    expectStatus(edited, 200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await p.moveLead(second.id, contacted!.id);
    await p.moveLead(first.id, newStage!.id); // entered before: nothing more

    const rows = await rewardRows(p.companyId);
    const seen = rows.map((r) => [r.source_id, r.trigger_id, r.amount, r.offer_version]);
    expect(seen.sort()).toEqual(
      [
        [`lead:${first.id}:stage:${newStage!.id}`, onSubmit.triggers[0]!.id, 100, 1],
        [`lead:${second.id}:stage:${newStage!.id}`, onSubmit.triggers[0]!.id, 100, 1],
        [`lead:${first.id}:stage:${contacted!.id}`, kept!.id, 1000, 1],
        [`lead:${first.id}:stage:${contacted!.id}`, dropped!.id, 300, 1],
        [`lead:${second.id}:stage:${contacted!.id}`, kept!.id, 2000, 2],
      ].sort(),
    );
  });

  it("another group's offer, an inactive offer and a deal-stage trigger earn nothing for a lead", async () => {
    const p = await program();
    const [leadNew] = await p.stages("lead");
    const [dealFirst] = await p.stages("deal");
    await p.offer({ name: "Off", active: false, triggers: [stageTrigger("lead", leadNew!.id, 100)] });
    await p.offer({ name: "Deals", triggers: [stageTrigger("deal", dealFirst!.id, 100)] });
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    const [otherNew] = bodyOf(await api(p.key, "GET", `/v1/groups/${other.id}/pipelines/lead`), 200).stages;
    expectStatus(
      await api(p.key, "POST", `/v1/groups/${other.id}/offers`, {
        name: "Other",
        triggers: [stageTrigger("lead", otherNew!.id, 100)],
      }),
      201,
    );
    await p.submitLead();
    expect(await rewardRows(p.companyId)).toEqual([]);
  });
});

describe("a deal entering a stage and closing", () => {
  it(`a deal_closed trigger rewards the close once, with the customer it created; that customer is a \
signup of the group (attributed deal) for the signup triggers and in the stats`, async () => {
    const p = await program();
    const [, inProgress, closedWon] = await p.stages("deal");
    const offer = await p.offer({
      name: "Deals",
      triggers: [
        { event: "deal_closed", reward: flat(10000) },
        stageTrigger("deal", inProgress!.id, 2500),
        SIGNUP_DOLLAR,
      ],
    });
    const [closedTrigger, progressTrigger, signupTrigger] = offer.triggers;
    const deal = await p.registerDeal();
    await p.moveDeal(deal.id, inProgress!.id);
    expect((await rewardRows(p.companyId)).map((r) => [r.source_type, r.amount, r.trigger_id])).toEqual([
      ["stage_entered", 2500, progressTrigger!.id],
    ]);

    const closed = await p.moveDeal(deal.id, closedWon!.id);
    expect(closed.customer_id).toMatch(/^cus_/);
    const customer = bodyOf(await api(p.key, "GET", `/v1/customers/${closed.customer_id}`), 200);
    expect(customer).toMatchObject({ deal_id: deal.id, click_id: null, partner_id: p.partner.id });
    const rows = await rewardRows(p.companyId);
    expect(rows).toHaveLength(3);
    const common = { partner_id: p.partner.id, group_id: p.group.id, status: "pending", customer_id: customer.id };
    expect(rows.find((r) => r.trigger_id === closedTrigger!.id)).toMatchObject({
      ...common,
      source_type: "deal_closed",
      source_id: `deal:${deal.id}:closed`,
      attribution: "deal",
      amount: 10000,
    });
    const signup = rows.find((r) => r.trigger_id === signupTrigger!.id)!;
    expect(signup).toMatchObject({ ...common, source_type: "signup", source_id: customer.id, attribution: "deal" });
    expect(signup.amount).toBe(100);
    const receipt = bodyOf(await api(p.key, "GET", `/v1/rewards/${signup.id}`), 200).receipt;
    expect(receipt).toMatchObject({ event: { type: "signup", id: customer.id }, attribution: "deal" });

    await runRollup(env);
    const stats = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/stats`), 200);
    expect(stats).toMatchObject({ signups_unpaid: 1, signups_paid: 0 });
  });

  it("closing without a customer (the form says so) rewards the close, with no customer and no signup", async () => {
    const p = await program();
    const [, , closedWon] = await p.stages("deal");
    const settings = { creates_customer: false, movers: "partners" };
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/pipelines/deal/final-stage`, settings), 200);
    await p.offer({
      name: "Deals",
      triggers: [{ event: "deal_closed", reward: flat(7000) }, stageTrigger("deal", closedWon!.id, 500), SIGNUP_DOLLAR],
    });
    const deal = await p.registerDeal();
    // The partner closes it (the group allows it): the same rewards.
    expectStatus(await api(p.secret, "POST", `/partner/v1/deals/${deal.id}/move`, { stage_id: closedWon!.id }), 200);
    const rows = await rewardRows(p.companyId);
    expect(rows.map((r) => [r.source_type, r.source_id, r.amount, r.customer_id, r.attribution]).sort()).toEqual([
      ["deal_closed", `deal:${deal.id}:closed`, 7000, null, null],
      ["stage_entered", `deal:${deal.id}:stage:${closedWon!.id}`, 500, null, null],
    ]);
    const receipt = bodyOf(await api(p.key, "GET", `/v1/rewards/${rows[0]!.id}`), 200).receipt;
    expect(receipt.event).toMatchObject({ lead_id: null, deal_id: deal.id });
  });

  it("a close refused (the customer key is taken) writes no reward; the retry with a free key does", async () => {
    const p = await program();
    const [, , closedWon] = await p.stages("deal");
    await p.offer({ name: "Deals", triggers: [{ event: "deal_closed", reward: flat(7000) }, SIGNUP_DOLLAR] });
    const [first, second] = [await p.registerDeal(), await p.registerDeal()];
    const close = (id: string, key: string) =>
      api(p.key, "POST", `/v1/deals/${id}/move`, { stage_id: closedWon!.id, customer_key: key });
    expectStatus(await close(first.id, "acct_1"), 200);
    expect(await rewardRows(p.companyId)).toHaveLength(2);
    const before = await tableSnapshot();
    expectStatus(await close(second.id, "acct_1"), 409);
    expect(await tableSnapshot()).toEqual(before);
    expectStatus(await close(second.id, "acct_2"), 200);
    expect((await rewardRows(p.companyId)).map((r) => r.source_type).sort()).toEqual([
      "deal_closed",
      "deal_closed",
      "signup",
      "signup",
    ]);
  });
});

describe("stage triggers: validation and summaries", () => {
  it(`a stage of another group, pipeline or company, a percentage, a cap per customer or a sale's \
condition is a 422 naming the field; nothing is written`, async () => {
    const p = await program();
    const [leadNew] = await p.stages("lead");
    const [dealFirst] = await p.stages("deal");
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Other", destination_url: "https://acme.example/o" }),
      201,
    );
    const [otherStage] = bodyOf(await api(p.key, "GET", `/v1/groups/${other.id}/pipelines/lead`), 200).stages;
    const stranger = await program();
    const [strangerStage] = await stranger.stages("lead");
    const before = await tableSnapshot();
    const r = await api(p.key, "POST", `/v1/groups/${p.group.id}/offers`, {
      name: "Bad",
      triggers: [
        stageTrigger("lead", otherStage!.id, 100),
        stageTrigger("lead", strangerStage!.id, 100),
        stageTrigger("deal", leadNew!.id, 100),
        stageTrigger("lead", "stg_nope", 100),
      ],
    });
    expectStatus(r, 422);
    expect(fields(r)).toEqual([0, 1, 2, 3].map((i) => `triggers.${i}.conditions.stage_id`));

    const shapes = await api(p.key, "POST", `/v1/groups/${p.group.id}/offers`, {
      name: "Bad",
      triggers: [
        { ...stageTrigger("lead", leadNew!.id, 100), reward: { type: "percent", percent: 10 } },
        { event: "deal_closed", reward: { type: "percent", percent: 10 } },
        { event: "deal_closed", reward: { ...flat(100), max_per_customer_usd_cents: 500 } },
        { event: "stage_entered", reward: flat(100) },
        {
          ...stageTrigger("deal", dealFirst!.id, 100),
          conditions: { pipeline: "deal", stage_id: dealFirst!.id, product_key: { eq: "x" } },
        },
        { event: "deal_closed", conditions: { pipeline: "deal" }, reward: flat(100) },
        { ...SIGNUP_DOLLAR, conditions: { stage_id: leadNew!.id } },
      ],
    });
    expectStatus(shapes, 422);
    expect(fields(shapes).sort()).toEqual(
      [
        "triggers.0.reward.type",
        "triggers.1.reward.type",
        "triggers.2.reward.max_per_customer_usd_cents",
        "triggers.3.conditions.pipeline",
        "triggers.3.conditions.stage_id",
        "triggers.4.conditions.product_key",
        "triggers.5.conditions.pipeline",
        "triggers.6.conditions.stage_id",
      ].sort(),
    );
    const percent = shapes.body.errors!.find((e) => e.field === "triggers.0.reward.type")!;
    expect(percent.message).toContain("use `flat`");
    expect(await tableSnapshot()).toEqual(before);
  });

  it(`summaries name the stage by its current name; a removed stage's trigger stays harmless and \
can be sent back as read, but no new trigger may name it`, async () => {
    const p = await program();
    const pipeline = `/v1/groups/${p.group.id}/pipelines/lead` as const;
    const [, , qualified] = await p.stages("lead");
    const [, inProgress] = await p.stages("deal");
    const demo = bodyOf(await api(p.key, "POST", `${pipeline}/stages`, { name: "Demo booked" }), 201);
    const offer = await p.offer({
      name: "Pipeline",
      triggers: [
        stageTrigger("lead", qualified!.id, 5000),
        stageTrigger("deal", inProgress!.id, 2500),
        { event: "deal_closed", reward: flat(10000) },
        stageTrigger("lead", demo.id, 1000),
      ],
    });
    expect(offer.triggers.map((t) => t.summary)).toEqual([
      "Earn $50.00 when a lead enters Qualified",
      "Earn $25.00 when a deal enters In progress",
      "Earn $100.00 when a deal closes",
      "Earn $10.00 when a lead enters Demo booked",
    ]);
    expect(offer.summary).toBe(
      "Earn $50.00 when a lead enters Qualified; earn $25.00 when a deal enters In progress; " +
        "earn $100.00 when a deal closes; earn $10.00 when a lead enters Demo booked",
    );
    expect(offer.triggers[0]!.conditions).toEqual({ pipeline: "lead", stage_id: qualified!.id });
    // Without the stages' names at hand (a caller that does not look them up), no stage is named.
    const stored: OfferTrigger = {
      id: offer.triggers[0]!.id,
      event: "stage_entered",
      conditions: { pipeline: "lead", stageId: qualified!.id },
      reward: { type: "flat", amount: 5000, currency: "USD", minorUnitDigits: 2 },
    };
    expect(triggerSummary(stored)).toBe("Earn $50.00 when a lead enters a chosen stage");

    expectStatus(await api(p.key, "PATCH", `${pipeline}/stages/${qualified!.id}`, { name: "Sales qualified" }), 200);
    expectStatus(await api(p.key, "DELETE", `${pipeline}/stages/${demo.id}`), 200);
    const read = bodyOf(await api(p.key, "GET", `/v1/offers/${offer.id}`), 200);
    expect(read.triggers.map((t) => t.summary)).toEqual([
      "Earn $50.00 when a lead enters Sales qualified",
      "Earn $25.00 when a deal enters In progress",
      "Earn $100.00 when a deal closes",
      "Earn $10.00 when a lead enters a removed stage",
    ]);
    const listed = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/offers`), 200);
    expect(listed.data[0]!.summary).toBe(read.summary);

    // Sent back as read (ids kept): accepted. A new trigger naming the removed stage: refused.
    const asRead = read.triggers.map(({ summary: _, ...trigger }) => trigger);
    const resent = await api(p.key, "PATCH", `/v1/offers/${offer.id}`, { triggers: asRead, name: "Renamed" });
    expectStatus(resent, 200);
    expect(resent.body.version).toBe(2);
    const fresh = await api(p.key, "PATCH", `/v1/offers/${offer.id}`, {
      triggers: [...asRead.slice(0, 3), stageTrigger("lead", demo.id, 1000)],
    });
    expectStatus(fresh, 422);
    expect(fields(fresh)).toEqual(["triggers.3.conditions.stage_id"]);
  });
});
