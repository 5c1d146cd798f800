// Offers: triggers, versions (an edit never rewrites history), validation, summaries, offers_count.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { PRO_PLAN_20, SIGNUP_DOLLAR } from "../helpers/offers";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fields = (r: { body: { errors?: { field: string }[] } }) => r.body.errors?.map((e) => e.field) ?? [];

async function withGroup() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Launch", destination_url: "https://acme.example/" }),
    201,
  );
  return { ...t, group };
}

describe("offers: create, read, summaries", () => {
  it("creates the article's two offers, each with a one-line summary generated from its trigger", async () => {
    const t = await withGroup();
    const signup = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "Signup bonus",
      triggers: [SIGNUP_DOLLAR],
    });
    expectStatus(signup, 201);
    expect(signup.body).toMatchObject({
      object: "offer",
      group_id: t.group.id,
      version: 1,
      name: "Signup bonus",
      description: "",
      active: true,
      hold_days: 30,
      summary: "Earn $1.00 for every new customer you sign up",
      effective_to: null,
    });
    expect(signup.body.id).toMatch(/^ofr_/);
    expect(signup.body.triggers).toEqual([
      {
        id: expect.stringMatching(/^trg_/),
        event: "signup",
        conditions: {},
        reward: { type: "flat", amount: 100, currency: "USD" },
        summary: "Earn $1.00 for every new customer you sign up",
      },
    ]);
    const pro = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "Pro plan",
      hold_days: 14,
      triggers: [PRO_PLAN_20],
    });
    expectStatus(pro, 201);
    expect(pro.body.summary).toBe("Earn 20% of every Pro Plan sale for 12 months, up to $500 per customer");
    expect(pro.body.triggers[0]).toMatchObject({
      conditions: { product_key: { eq: "pro_plan" }, within_months_of_signup: 12 },
      reward: { type: "percent", percent: 20, max_per_customer_usd_cents: 50000 },
    });

    const listed = await api(t.key, "GET", `/v1/groups/${t.group.id}/offers`);
    expectStatus(listed, 200);
    expect(listed.body.data.map((o) => o.summary)).toEqual([
      "Earn $1.00 for every new customer you sign up",
      "Earn 20% of every Pro Plan sale for 12 months, up to $500 per customer",
    ]);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${pro.body.id}`), 200)).toEqual(pro.body);
  });

  it("summarises every kind of condition and cap", async () => {
    const t = await withGroup();
    const r = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "All of it",
      triggers: [
        {
          event: "transaction",
          conditions: { first_transaction_only: true, product_key: { in: ["pro_plan", "team-plan", "max"] } },
          reward: { type: "flat", amount: 5000, currency: "EUR" },
        },
        {
          event: "transaction",
          conditions: { category_key: { in: ["software", "add_ons"] }, min_amount_usd_cents: 5000 },
          reward: { type: "percent", percent: 12.5, max_per_transaction_usd_cents: 10000 },
        },
        {
          event: "transaction",
          conditions: { within_months_of_signup: 1 },
          reward: { type: "flat", amount: 500, currency: "JPY", max_per_customer_usd_cents: 2550 },
        },
      ],
    });
    expectStatus(r, 201);
    expect(r.body.triggers.map((trigger) => trigger.summary)).toEqual([
      "Earn €50.00 for each customer's first sale when it is a Pro Plan, Team Plan or Max sale",
      "Earn 12.5% of every sale in the Software or Add Ons categories of at least $50, up to $100 per sale",
      "Earn ¥500 for every sale for 1 month, up to $25.50 per customer",
    ]);
    expect(r.body.summary).toBe(
      r.body.triggers
        .map((trigger) => trigger.summary)
        .join("; ")
        .replace("; Earn", "; earn")
        .replace("; Earn", "; earn"),
    );
  });

  it("a group says how many active offers it has (0: nothing to earn yet), in its listing and on its own", async () => {
    const t = await withGroup();
    const count = async () => {
      const listed = bodyOf(await api(t.key, "GET", "/v1/groups"), 200).data.find((g) => g.id === t.group.id);
      const own = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200);
      expect(own.offers_count).toBe(listed!.offers_count);
      return own.offers_count;
    };
    expect(await count()).toBe(0);
    const offer = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "A", triggers: [SIGNUP_DOLLAR] }),
      201,
    );
    await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "Inactive",
      active: false,
      triggers: [SIGNUP_DOLLAR],
    });
    expect(await count()).toBe(1);
    expect((await api(t.key, "PATCH", `/v1/offers/${offer.id}`, { active: false })).status).toBe(200);
    expect(await count()).toBe(0);
  });
});

describe("offers: editing creates a version in effect from the edit", () => {
  it("keeps every version with its time span; a trigger sent with its id keeps its identity", async () => {
    const t = await withGroup();
    const v1 = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "Pro", triggers: [PRO_PLAN_20] }),
      201,
    );
    const triggerId = v1.triggers[0]!.id;
    const edited = await api(t.key, "PATCH", `/v1/offers/${v1.id}`, {
      triggers: [{ ...PRO_PLAN_20, id: triggerId, reward: { type: "percent", percent: 25 } }, SIGNUP_DOLLAR],
    });
    expectStatus(edited, 200);
    expect(edited.body).toMatchObject({ version: 2, name: "Pro", effective_to: null, created_at: v1.created_at });
    expect(edited.body.triggers).toHaveLength(2);
    expect(edited.body.triggers[0]!.id).toBe(triggerId);
    expect(edited.body.triggers[1]!.id).not.toBe(triggerId);
    expect(edited.body.summary).toBe(
      "Earn 25% of every Pro Plan sale for 12 months; earn $1.00 for every new customer you sign up",
    );

    const versions = bodyOf(await api(t.key, "GET", `/v1/offers/${v1.id}/versions`), 200).data;
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0]).toEqual({ ...v1, effective_to: edited.body.effective_from });
    expect(versions[1]).toEqual(edited.body);
    expect(Date.parse(edited.body.effective_from)).toBeGreaterThanOrEqual(Date.parse(v1.effective_from));

    // The same values again: no new version.
    const same = await api(t.key, "PATCH", `/v1/offers/${v1.id}`, { name: "Pro" });
    expect(bodyOf(same, 200).version).toBe(2);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${v1.id}/versions`), 200).data).toHaveLength(2);
  });

  it("two edits at once both land, as two versions", async () => {
    const t = await withGroup();
    const offer = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "Pro", triggers: [PRO_PLAN_20] }),
      201,
    );
    const results = await Promise.all([
      api(t.key, "PATCH", `/v1/offers/${offer.id}`, { name: "One" }),
      api(t.key, "PATCH", `/v1/offers/${offer.id}`, { hold_days: 7 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const current = bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}`), 200);
    expect(current).toMatchObject({ version: 3, name: "One", hold_days: 7 });
    const versions = bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}/versions`), 200).data;
    expect(versions.filter((v) => v.effective_to === null)).toHaveLength(1);
  });
});

describe("offers: validation (422 naming each field, nothing written)", () => {
  const flat = (reward: object) => ({ event: "signup", reward: { type: "flat", currency: "USD", ...reward } });
  const sale = (reward: object, conditions: object = {}) => ({
    event: "transaction",
    conditions,
    reward: { type: "percent", ...reward },
  });
  it.each([
    ["a percentage of 0", [sale({ percent: 0 })], ["triggers.0.reward.percent"]],
    ["a percentage over 100", [sale({ percent: 100.5 })], ["triggers.0.reward.percent"]],
    ["a percentage with three decimals", [sale({ percent: 12.345 })], ["triggers.0.reward.percent"]],
    ["a flat amount of 0", [flat({ amount: 0 })], ["triggers.0.reward.amount"]],
    ["a negative flat amount", [flat({ amount: -100 })], ["triggers.0.reward.amount"]],
    ["a currency without a rate", [flat({ amount: 100, currency: "XTS" })], ["triggers.0.reward.currency"]],
    ["a currency that is no code", [flat({ amount: 100, currency: "usd" })], ["triggers.0.reward.currency"]],
    [
      "sale-only conditions on a signup",
      [
        {
          event: "signup",
          conditions: { first_transaction_only: true, product_key: { eq: "pro" }, within_months_of_signup: 3 },
          reward: { type: "flat", amount: 100, currency: "USD" },
        },
      ],
      [
        "triggers.0.conditions.product_key",
        "triggers.0.conditions.first_transaction_only",
        "triggers.0.conditions.within_months_of_signup",
      ],
    ],
    [
      "a percentage of a signup",
      [{ event: "signup", reward: { type: "percent", percent: 5 } }],
      ["triggers.0.reward.type"],
    ],
    [
      "both eq and in",
      [sale({ percent: 5 }, { product_key: { eq: "a", in: ["b"] } })],
      ["triggers.0.conditions.product_key"],
    ],
    ["an empty set", [sale({ percent: 5 }, { category_key: { in: [] } })], ["triggers.0.conditions.category_key.in"]],
    [
      "an unknown event",
      [{ event: "lead", reward: { type: "flat", amount: 1, currency: "USD" } }],
      ["triggers.0.event"],
    ],
    [
      "an unknown reward type",
      [{ event: "signup", reward: { type: "points", amount: 1 } }],
      ["triggers.0.reward.type"],
    ],
    [
      "a per-sale cap on a flat reward",
      [
        {
          event: "transaction",
          reward: { type: "flat", amount: 1, currency: "USD", max_per_transaction_usd_cents: 5 },
        },
      ],
      ["triggers.0.reward.max_per_transaction_usd_cents"],
    ],
    ["a trigger id on a new offer", [{ ...flat({ amount: 100 }), id: "trg_x" }], ["triggers.0.id"]],
    ["no trigger", [], ["triggers"]],
  ])("%s", async (_, triggers, expected) => {
    const t = await withGroup();
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "X", triggers });
    expectStatus(r, 422);
    expect(problemType(r)).toBe("validation-failed");
    expect(fields(r)).toEqual(expected);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("names every bad field of a body at once, and refuses an edit naming another offer's trigger", async () => {
    const t = await withGroup();
    const r = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "",
      hold_days: 400,
      triggers: [flat({ amount: 0 }), sale({ percent: 101 })],
      colour: "red",
    });
    expectStatus(r, 422);
    expect(fields(r).sort()).toEqual(
      ["colour", "hold_days", "name", "triggers.0.reward.amount", "triggers.1.reward.percent"].sort(),
    );
    const a = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "A", triggers: [SIGNUP_DOLLAR] }),
      201,
    );
    const b = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "B", triggers: [SIGNUP_DOLLAR] }),
      201,
    );
    const before = await tableSnapshot();
    const edit = await api(t.key, "PATCH", `/v1/offers/${a.id}`, {
      triggers: [{ ...SIGNUP_DOLLAR, id: b.triggers[0]!.id }],
    });
    expectStatus(edit, 422);
    expect(fields(edit)).toEqual(["triggers.0.id"]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("bounds a group's active triggers at 50, counted inside the write", async () => {
    const t = await withGroup();
    const triggers = Array.from({ length: 20 }, () => SIGNUP_DOLLAR);
    const created = await Promise.all(
      [1, 2, 3].map((n) => api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: `O${n}`, triggers })),
    );
    expect(created.map((r) => r.status).sort()).toEqual([201, 201, 422]);
    const refused = created.find((r) => r.status === 422)!;
    expect(fields(refused)).toEqual(["triggers"]);
    // Inactive offers do not count; activating one that would pass the bound is refused.
    const inactive = await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
      name: "Off",
      active: false,
      triggers,
    });
    expectStatus(inactive, 201);
    const activate = await api(t.key, "PATCH", `/v1/offers/${inactive.body.id}`, { active: true });
    expectStatus(activate, 422);
    expect(fields(activate)).toEqual(["triggers"]);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM offer_versions WHERE offer_id = ?")
      .bind(inactive.body.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it("answers 404 for a group or offer of another company", async () => {
    const t = await withGroup();
    const other = await withGroup();
    const offer = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, { name: "A", triggers: [SIGNUP_DOLLAR] }),
      201,
    );
    for (const [method, path, body] of [
      ["POST", `/v1/groups/${t.group.id}/offers`, { name: "B", triggers: [SIGNUP_DOLLAR] }],
      ["GET", `/v1/groups/${t.group.id}/offers`, undefined],
      ["GET", `/v1/offers/${offer.id}`, undefined],
      ["PATCH", `/v1/offers/${offer.id}`, { name: "Taken" }],
    ] as const) {
      const r = await api(other.key, method, path, body);
      expectStatus(r, 404, `${method} ${path}`);
      expect(problemType(r)).toBe("not-found");
    }
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}`), 200).name).toBe("A");
  });
});
