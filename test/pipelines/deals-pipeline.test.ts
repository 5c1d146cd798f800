// Deals: custom stages with a final one; partners edit and move their own open deals; the company
// registers deals for partners; the final stage's rules decide who may close a deal and whether
// closing creates a customer of the deal's partner and group (a signup in the group's stats).
// The rewards of closing are in test/rewards/stage-rewards.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runRollup } from "../../src/rollup/rollup";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fieldsOf = (r: { errors?: { field: string }[] }) => r.errors?.map((e) => e.field);
const values = { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "Hank@Globex.example" };

async function program() {
  const t = await newTenant("enterprise");
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/" }),
    201,
  );
  expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/deal`, { enabled: true }), 200);
  const n = crypto.randomUUID().slice(0, 8);
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: `p${n}@example.com`, first_name: "P", last_name: n }),
    201,
  );
  const secret = bodyOf(await api(t.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "p" }), 201).secret!;
  const pipeline = `/v1/groups/${group.id}/pipelines/deal` as const;
  const stages = async () => bodyOf(await api(t.key, "GET", pipeline), 200).stages;
  const [registered, inProgress, closedWon] = await stages();
  const register = async () => bodyOf(await api(secret, "POST", "/partner/v1/deals", { values }), 201);
  return { ...t, group, partner, secret, pipeline, stages, register, registered, inProgress, closedWon };
}

describe("deal stages", () => {
  it("keep their final stage last: new stages go before it, it cannot move or be removed", async () => {
    const p = await program();
    expect(p.closedWon).toMatchObject({ name: "Closed won", is_final: true, position: 3 });
    const pipeline = bodyOf(await api(p.key, "GET", p.pipeline), 200);
    expect(pipeline.final_stage).toEqual({ movers: "company", creates_customer: true });
    const added = bodyOf(await api(p.key, "POST", `${p.pipeline}/stages`, { name: "Negotiation" }), 201);
    expect(added.position).toBe(3);
    const late = bodyOf(await api(p.key, "PATCH", `${p.pipeline}/stages/${p.registered!.id}`, { position: 4 }), 200);
    expect(late.position).toBe(3);
    expect((await p.stages()).map((s) => s.name)).toEqual(["In progress", "Negotiation", "Registered", "Closed won"]);
    const before = await tableSnapshot();
    const moveFinal = await api(p.key, "PATCH", `${p.pipeline}/stages/${p.closedWon!.id}`, { position: 1 });
    expectStatus(moveFinal, 422);
    expect(fieldsOf(moveFinal.body)).toEqual(["position"]);
    const removeFinal = await api(p.key, "DELETE", `${p.pipeline}/stages/${p.closedWon!.id}`);
    expectStatus(removeFinal, 409);
    expect(problemType(removeFinal)).toBe("stage-required");
    expect(await tableSnapshot()).toEqual(before);
    const renamed = bodyOf(await api(p.key, "PATCH", `${p.pipeline}/stages/${p.closedWon!.id}`, { name: "Won" }), 200);
    expect(renamed).toMatchObject({ name: "Won", is_final: true });
  });
});

describe("partners and their open deals", () => {
  it("a partner edits its own open deal: values sent replace theirs, checked by the deal's form version", async () => {
    const p = await program();
    const deal = await p.register();
    const edited = await api(p.secret, "PATCH", `/partner/v1/deals/${deal.id}`, {
      values: { deal_value: "25000", notes: " Signing next week ", contact_name: "Hank S." },
    });
    expectStatus(edited, 200);
    expect(edited.body.values).toEqual({
      company_name: "Globex",
      contact_name: "Hank S.",
      contact_email: "hank@globex.example",
      deal_value: 25000,
      notes: "Signing next week",
    });
    const cleared = bodyOf(
      await api(p.secret, "PATCH", `/partner/v1/deals/${deal.id}`, { values: { notes: null } }),
      200,
    );
    expect(cleared.values.notes).toBeUndefined();
    const before = await tableSnapshot();
    const bad = await api(p.secret, "PATCH", `/partner/v1/deals/${deal.id}`, {
      values: { company_name: "", deal_value: "lots", colour: "red" },
    });
    expectStatus(bad, 422);
    expect(fieldsOf(bad.body)?.sort()).toEqual(["values.colour", "values.company_name", "values.deal_value"]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("a partner moves its own deal between open stages; its history says the partner did", async () => {
    const p = await program();
    const deal = await p.register();
    const moved = await api(p.secret, "POST", `/partner/v1/deals/${deal.id}/move`, { stage_id: p.inProgress!.id });
    expectStatus(moved, 200);
    expect(moved.body.stage.name).toBe("In progress");
    const history = bodyOf(await api(p.key, "GET", `/v1/deals/${deal.id}`), 200).history!;
    expect(history.at(-1)).toMatchObject({
      from_stage: { name: "Registered" },
      to_stage: { name: "In progress" },
      moved_by: { kind: "partner", id: p.partner.id },
    });
  });

  it("the company registers a deal for a partner: the partner's own, in its group", async () => {
    const p = await program();
    const r = await api(p.key, "POST", "/v1/deals", { partner_id: p.partner.id, values });
    expectStatus(r, 201);
    expect(r.body).toMatchObject({
      object: "deal",
      partner_id: p.partner.id,
      group_id: p.group.id,
      submitted_by: "company",
      stage: { name: "Registered" },
      closed_at: null,
    });
    expect(r.body.history![0]!.moved_by).toEqual({ kind: "company", id: p.keyId });
    const own = bodyOf(await api(p.secret, "GET", "/partner/v1/deals"), 200).data.map((d) => d.id);
    expect(own).toEqual([r.body.id]);

    const before = await tableSnapshot();
    const unknown = await api(p.key, "POST", "/v1/deals", { partner_id: "ptn_nope", values });
    expectStatus(unknown, 422);
    expect(fieldsOf(unknown.body)).toEqual(["partner_id"]);
    const invalid = await api(p.key, "POST", "/v1/deals", { partner_id: p.partner.id, values: { company_name: 1 } });
    expectStatus(invalid, 422);
    expect(fieldsOf(invalid.body)?.sort()).toEqual([
      "values.company_name",
      "values.contact_email",
      "values.contact_name",
    ]);
    expect(await tableSnapshot()).toEqual(before);
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/deal`, { enabled: false }), 200);
    const off = await api(p.key, "POST", "/v1/deals", { partner_id: p.partner.id, values });
    expectStatus(off, 409);
    expect(problemType(off)).toBe("form-disabled");
  });
});

describe("the final stage", () => {
  it("company only (default): a partner moving its deal there is a 403, nothing written", async () => {
    const p = await program();
    const deal = await p.register();
    const before = await tableSnapshot();
    const r = await api(p.secret, "POST", `/partner/v1/deals/${deal.id}/move`, { stage_id: p.closedWon!.id });
    expectStatus(r, 403);
    expect(problemType(r)).toBe("final-stage-company-only");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("the company closes a deal: a customer of its partner and group, a signup in the group's stats", async () => {
    const p = await program();
    const deal = await p.register();
    const closed = await api(p.key, "POST", `/v1/deals/${deal.id}/move`, { stage_id: p.closedWon!.id });
    expectStatus(closed, 200);
    expect(closed.body.stage).toMatchObject({ name: "Closed won", is_final: true });
    expect(closed.body.closed_at).not.toBeNull();
    expect(closed.body.customer_id).toMatch(/^cus_/);
    const customer = bodyOf(await api(p.key, "GET", `/v1/customers/${closed.body.customer_id}`), 200);
    expect(customer).toMatchObject({
      customer_key: `deal:${deal.id}`,
      email: "hank@globex.example",
      name: "Globex",
      partner_id: p.partner.id,
      group_id: p.group.id,
    });
    await runRollup(env);
    const stats = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/stats`), 200);
    expect(stats).toMatchObject({ signups_unpaid: 1, signups_paid: 0 });

    // Closed: it neither moves nor changes any more, for the company or the partner.
    const before = await tableSnapshot();
    for (const r of [
      await api(p.key, "POST", `/v1/deals/${deal.id}/move`, { stage_id: p.inProgress!.id }),
      await api(p.secret, "POST", `/partner/v1/deals/${deal.id}/move`, { stage_id: p.inProgress!.id }),
      await api(p.secret, "PATCH", `/partner/v1/deals/${deal.id}`, { values: { notes: "more" } }),
    ]) {
      expectStatus(r, 409);
      expect(problemType(r)).toBe("deal-closed");
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it("with the company's own customer key; a key that exists already is a 409 and the deal stays open", async () => {
    const p = await program();
    const [first, second] = [await p.register(), await p.register()];
    const closed = await api(p.key, "POST", `/v1/deals/${first.id}/move`, {
      stage_id: p.closedWon!.id,
      customer_key: "acct_4711",
    });
    expectStatus(closed, 200);
    expect(bodyOf(await api(p.key, "GET", `/v1/customers/${closed.body.customer_id}`), 200).customer_key).toBe(
      "acct_4711",
    );
    const before = await tableSnapshot();
    const taken = await api(p.key, "POST", `/v1/deals/${second.id}/move`, {
      stage_id: p.closedWon!.id,
      customer_key: "acct_4711",
    });
    expectStatus(taken, 409);
    expect(problemType(taken)).toBe("customer-exists");
    expect(fieldsOf(taken.body)).toEqual(["customer_key"]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("partners too: a partner closes its own deal, and the customer is still the deal's partner's", async () => {
    const p = await program();
    const settings = await api(p.key, "PATCH", `/v1/groups/${p.group.id}/pipelines/deal/final-stage`, {
      movers: "partners",
    });
    expectStatus(settings, 200);
    expect(settings.body.final_stage).toEqual({ movers: "partners", creates_customer: true });
    const deal = await p.register();
    const closed = await api(p.secret, "POST", `/partner/v1/deals/${deal.id}/move`, { stage_id: p.closedWon!.id });
    expectStatus(closed, 200);
    expect(closed.body.closed_at).not.toBeNull();
    const seen = bodyOf(await api(p.key, "GET", `/v1/deals/${deal.id}`), 200);
    expect(seen.history!.at(-1)!.moved_by).toEqual({ kind: "partner", id: p.partner.id });
    const customer = bodyOf(await api(p.key, "GET", `/v1/customers/${seen.customer_id}`), 200);
    expect(customer).toMatchObject({ partner_id: p.partner.id, group_id: p.group.id });
  });

  it("closing without creating a customer, when the deal form says so", async () => {
    const p = await program();
    await api(p.key, "PATCH", `/v1/groups/${p.group.id}/pipelines/deal/final-stage`, { creates_customer: false });
    const deal = await p.register();
    const closed = bodyOf(await api(p.key, "POST", `/v1/deals/${deal.id}/move`, { stage_id: p.closedWon!.id }), 200);
    expect(closed.closed_at).not.toBeNull();
    expect(closed.customer_id).toBeNull();
    const customers = await env.DB.prepare("SELECT count(*) AS n FROM customers WHERE company_id = ?")
      .bind(p.companyId)
      .first("n");
    expect(customers).toBe(0);
  });

  it("a deal registered after the partner moved groups stays in the group it was registered in", async () => {
    const p = await program();
    const deal = await p.register();
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Elsewhere", destination_url: "https://acme.example/e" }),
      201,
    );
    expectStatus(await api(p.key, "PATCH", `/v1/partners/${p.partner.id}`, { group_id: other.id }), 200);
    const closed = bodyOf(await api(p.key, "POST", `/v1/deals/${deal.id}/move`, { stage_id: p.closedWon!.id }), 200);
    const customer = bodyOf(await api(p.key, "GET", `/v1/customers/${closed.customer_id}`), 200);
    expect(customer).toMatchObject({ partner_id: p.partner.id, group_id: p.group.id });
  });
});
