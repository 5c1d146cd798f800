// Applications: not gated (applications off) → the applicant joins at once; gated → pending until an
// admin approves (partner with links) or rejects; 409s for an email already a partner or pending;
// applications without a group land in the company's default group.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/db/schema";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fieldsOf = (r: { errors?: { field: string }[] }) => r.errors?.map((e) => e.field);

async function program(plan: Plan = "enterprise") {
  const t = await newTenant(plan);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const applicant = (email: string, extra: object = {}) => ({
    group_id: group.id,
    values: { first_name: " Jane ", last_name: "Doe", email, ...extra },
  });
  const gate = async (on: boolean) =>
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/application`, { enabled: on }), 200);
  return { ...t, group, applicant, gate };
}

const unique = () => crypto.randomUUID().slice(0, 8);

describe("not gated (applications off): the applicant joins directly", () => {
  it("creates the partner in the group, with links; the application is approved with it", async () => {
    const p = await program("starter");
    const email = `jane-${unique()}@Example.com`;
    const r = await api(p.key, "POST", "/v1/applications", p.applicant(email, { website: "https://jane.example" }));
    expectStatus(r, 201);
    expect(r.body).toMatchObject({
      object: "application",
      group_id: p.group.id,
      status: "approved",
      gated: false,
      email: email.toLowerCase(),
      values: { first_name: "Jane", last_name: "Doe", email: email.toLowerCase(), website: "https://jane.example" },
      rejection_reason: null,
    });
    expect(r.body.partner_id).toMatch(/^ptn_/);
    expect(r.body.decided_at).not.toBeNull();
    const partner = bodyOf(await api(p.key, "GET", `/v1/partners/${r.body.partner_id}`), 200);
    expect(partner).toMatchObject({
      group_id: p.group.id,
      email: email.toLowerCase(),
      first_name: "Jane",
      last_name: "Doe",
    });
    const links = bodyOf(await api(p.key, "GET", `/v1/partners/${partner.id}/links`), 200);
    expect(links.data.map((link) => link.slug)).toEqual([partner.partner_key]);
    expect(links.data[0]!.url).toBe(`https://${p.hostname}/${partner.partner_key}`);
  });
});

describe("gated (applications on): pending until decided", () => {
  it("is pending without a partner; approving creates the partner with links in the group", async () => {
    const p = await program();
    await p.gate(true);
    const email = `gated-${unique()}@example.com`;
    const submitted = await api(p.key, "POST", "/v1/applications", p.applicant(email));
    expectStatus(submitted, 201);
    expect(submitted.body).toMatchObject({ status: "pending", gated: true, partner_id: null, decided_at: null });
    const partnersBefore = bodyOf(await api(p.key, "GET", "/v1/partners"), 200).data;
    expect(partnersBefore).toEqual([]);

    const approved = await api(p.key, "POST", `/v1/applications/${submitted.body.id}/approve`, {});
    expectStatus(approved, 200);
    expect(approved.body).toMatchObject({ status: "approved", group_id: p.group.id });
    const partner = bodyOf(await api(p.key, "GET", `/v1/partners/${approved.body.partner_id}`), 200);
    expect(partner).toMatchObject({ email, group_id: p.group.id, status: "active" });
    expect(bodyOf(await api(p.key, "GET", `/v1/partners/${partner.id}/links`), 200).data).toHaveLength(1);
    const decidedBy = await env.DB.prepare("SELECT decided_by FROM applications WHERE id = ?")
      .bind(submitted.body.id)
      .first("decided_by");
    expect(decidedBy).toBe(p.keyId);

    // Decided once: a second approval or a rejection is a 409 that changes nothing.
    const before = await tableSnapshot();
    const id: string = submitted.body.id;
    for (const again of [
      await api(p.key, "POST", `/v1/applications/${id}/approve`, {}),
      await api(p.key, "POST", `/v1/applications/${id}/reject`, {}),
    ]) {
      expectStatus(again, 409);
      expect(problemType(again)).toBe("application-decided");
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an admin may place the approved partner in another group", async () => {
    const p = await program();
    await p.gate(true);
    const other = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/r" }),
      201,
    );
    const submitted = bodyOf(
      await api(p.key, "POST", "/v1/applications", p.applicant(`m-${unique()}@example.com`)),
      201,
    );
    const approved = bodyOf(
      await api(p.key, "POST", `/v1/applications/${submitted.id}/approve`, { group_id: other.id }),
      200,
    );
    expect(approved.group_id).toBe(other.id);
    expect(bodyOf(await api(p.key, "GET", `/v1/partners/${approved.partner_id}`), 200).group_id).toBe(other.id);
  });

  it("rejects with an optional reason; the applicant is no partner and may apply again", async () => {
    const p = await program();
    await p.gate(true);
    const email = `r-${unique()}@example.com`;
    const first = bodyOf(await api(p.key, "POST", "/v1/applications", p.applicant(email)), 201);
    const rejected = await api(p.key, "POST", `/v1/applications/${first.id}/reject`, {
      reason: " We only work with agencies. ",
    });
    expectStatus(rejected, 200);
    expect(rejected.body).toMatchObject({
      status: "rejected",
      rejection_reason: "We only work with agencies.",
      partner_id: null,
    });
    expect(bodyOf(await api(p.key, "GET", "/v1/partners"), 200).data).toEqual([]);
    const second = bodyOf(await api(p.key, "POST", "/v1/applications", p.applicant(email)), 201);
    const noReason = bodyOf(await api(p.key, "POST", `/v1/applications/${second.id}/reject`, {}), 200);
    expect(noReason).toMatchObject({ status: "rejected", rejection_reason: null });
    const listed = bodyOf(await api(p.key, "GET", "/v1/applications?status=rejected"), 200);
    expect(listed.data.map((a) => a.id)).toEqual([first.id, second.id]);
    expect(bodyOf(await api(p.key, "GET", "/v1/applications?status=pending"), 200).data).toEqual([]);
  });
});

describe("409s for an applicant who is already in", () => {
  it("an active partner's email, in any letter case: 409 partner-exists, nothing written", async () => {
    for (const gated of [false, true]) {
      const p = await program();
      await p.gate(gated);
      const email = `dup-${unique()}@example.com`;
      expectStatus(
        await api(p.key, "POST", "/v1/partners", { email, first_name: "A", last_name: "B", group_id: p.group.id }),
        201,
      );
      const before = await tableSnapshot();
      const r = await api(p.key, "POST", "/v1/applications", p.applicant(email.toUpperCase()));
      expectStatus(r, 409);
      expect(problemType(r)).toBe("partner-exists");
      expect(fieldsOf(r.body)).toEqual(["values.email"]);
      expect(await tableSnapshot()).toEqual(before);
    }
  });

  it("an email already pending (in any group of the company): 409 application-pending, nothing written", async () => {
    const p = await program();
    await p.gate(true);
    const email = `twice-${unique()}@example.com`;
    expectStatus(await api(p.key, "POST", "/v1/applications", p.applicant(email)), 201);
    const before = await tableSnapshot();
    const r = await api(p.key, "POST", "/v1/applications", { values: p.applicant(` ${email.toUpperCase()}`).values });
    expectStatus(r, 409);
    expect(problemType(r)).toBe("application-pending");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("approving once the email became a partner meanwhile: 409 partner-exists, still pending", async () => {
    const p = await program();
    await p.gate(true);
    const email = `late-${unique()}@example.com`;
    const pending = bodyOf(await api(p.key, "POST", "/v1/applications", p.applicant(email)), 201);
    await api(p.key, "POST", "/v1/partners", { email, first_name: "A", last_name: "B" });
    const before = await tableSnapshot();
    const r = await api(p.key, "POST", `/v1/applications/${pending.id}/approve`, {});
    expectStatus(r, 409);
    expect(problemType(r)).toBe("partner-exists");
    expect(await tableSnapshot()).toEqual(before);
    expect(bodyOf(await api(p.key, "GET", `/v1/applications/${pending.id}`), 200).status).toBe("pending");
  });
});

describe("applications without a group (the marketplace path)", () => {
  it("land in the company's default group; changing the default changes where the next ones land", async () => {
    const p = await program("starter");
    const first = bodyOf(
      await api(p.key, "POST", "/v1/applications", { values: p.applicant(`a-${unique()}@example.com`).values }),
      201,
    );
    expect(first.group_id).toBe(p.group.id);
    expect(bodyOf(await api(p.key, "GET", `/v1/partners/${first.partner_id}`), 200).group_id).toBe(p.group.id);

    const t = await program("enterprise");
    const second = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Marketplace", destination_url: "https://acme.example/m" }),
      201,
    );
    expectStatus(await api(t.key, "PATCH", "/v1/company", { default_group_id: second.id }), 200);
    const landed = bodyOf(
      await api(t.key, "POST", "/v1/applications", { values: t.applicant(`b-${unique()}@example.com`).values }),
      201,
    );
    expect(landed.group_id).toBe(second.id);
    // The default group's own gate decides: gated there → pending there.
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${second.id}/forms/application`, { enabled: true }), 200);
    const pending = bodyOf(
      await api(t.key, "POST", "/v1/applications", { values: t.applicant(`c-${unique()}@example.com`).values }),
      201,
    );
    expect(pending).toMatchObject({ group_id: second.id, status: "pending" });
  });

  it("no group at all: 409 no-group; another company's group or an archived one: 422 group_id", async () => {
    const empty = await newTenant();
    const none = await api(empty.key, "POST", "/v1/applications", {
      values: { first_name: "A", last_name: "B", email: "a@b.co" },
    });
    expectStatus(none, 409);
    expect(problemType(none)).toBe("no-group");
    const p = await program();
    const other = await program();
    const foreign = await api(p.key, "POST", "/v1/applications", {
      ...p.applicant("x@example.com"),
      group_id: other.group.id,
    });
    expectStatus(foreign, 422);
    expect(fieldsOf(foreign.body)).toEqual(["group_id"]);
    const spare = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Old", destination_url: "https://acme.example/o" }),
      201,
    );
    expectStatus(await api(p.key, "POST", `/v1/groups/${spare.id}/archive`), 200);
    const archived = await api(p.key, "POST", "/v1/applications", {
      ...p.applicant("y@example.com"),
      group_id: spare.id,
    });
    expectStatus(archived, 422);
    expect(fieldsOf(archived.body)).toEqual(["group_id"]);
  });
});

describe("validation and form versions", () => {
  it("is validated by the group's application form: every bad field at once, nothing written", async () => {
    const p = await program();
    const before = await tableSnapshot();
    const r = await api(p.key, "POST", "/v1/applications", {
      group_id: p.group.id,
      values: { first_name: "", email: "nope", website: "ftp://x", colour: "red" },
    });
    expectStatus(r, 422);
    expect(fieldsOf(r.body)?.sort()).toEqual(
      ["values.colour", "values.email", "values.first_name", "values.last_name", "values.website"].sort(),
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an application keeps the form version it was made with, readable after edits and a reset", async () => {
    const p = await program();
    await p.gate(true);
    const form = `/v1/groups/${p.group.id}/forms/application` as const;
    await api(p.key, "POST", `${form}/fields`, {
      key: "audience",
      label: "Audience size",
      type: "number",
      required: true,
    });
    const made = bodyOf(
      await api(p.key, "POST", "/v1/applications", p.applicant(`v-${unique()}@example.com`, { audience: "1200" })),
      201,
    );
    expect(made.form.version).toBe(2);
    // Now the field goes, another is added, and the form is reset.
    await api(p.key, "DELETE", `${form}/fields/audience`);
    await api(p.key, "PATCH", form, { title: "Join us" });
    await api(p.key, "POST", `${form}/reset`);
    const read = bodyOf(await api(p.key, "GET", `/v1/applications/${made.id}`), 200);
    expect(read.values).toMatchObject({ audience: 1200 });
    expect(read.form.version).toBe(2);
    expect(read.form.fields.map((f) => f.key)).toContain("audience");
    expect(read.form.fields.find((f) => f.key === "audience")).toMatchObject({
      label: "Audience size",
      type: "number",
    });
    // The next application uses the current (reset) form: `audience` is no field of it.
    const next = await api(
      p.key,
      "POST",
      "/v1/applications",
      p.applicant(`w-${unique()}@example.com`, { audience: 5 }),
    );
    expectStatus(next, 422);
    expect(fieldsOf(next.body)).toEqual(["values.audience"]);
  });
});
