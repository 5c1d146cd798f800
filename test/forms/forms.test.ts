// The form builder: a group's application, lead and deal forms through the admin API — defaults,
// edits (each a new version), field keys, reset, and turning forms on as the plan allows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import migration from "../../migrations/0007_forms.sql?raw";
import type { Plan } from "../../src/db/schema";
import { DEFAULT_FORMS, DEFAULT_STAGES } from "../../src/forms/fields";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fieldsOf = (r: { errors?: { field: string }[] }) => r.errors?.map((e) => e.field);

async function tenantWithGroup(plan: Plan = "enterprise") {
  const t = await newTenant(plan);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const form = (kind: string): `/v1/groups/${string}/forms/${string}` => `/v1/groups/${group.id}/forms/${kind}`;
  return { ...t, group, form };
}

describe("a new group's forms", () => {
  it("has the default application, lead and deal form, version 1, off", async () => {
    const t = await tenantWithGroup();
    for (const kind of ["application", "lead", "deal"] as const) {
      const form = bodyOf(await api(t.key, "GET", t.form(kind)), 200);
      expect(form).toMatchObject({ object: "form", group_id: t.group.id, kind, enabled: false, version: 1 });
      expect(form.title).toBe(DEFAULT_FORMS[kind].title);
      expect(form.fields.map((f) => f.key)).toEqual(DEFAULT_FORMS[kind].fields.map((f) => f.key));
    }
    const lead = bodyOf(await api(t.key, "GET", t.form("lead")), 200);
    expect(lead.fields).toEqual([
      {
        key: "company_name",
        label: "Company name",
        type: "text",
        required: true,
        options: [],
        help_text: null,
        placeholder: null,
      },
      {
        key: "contact_name",
        label: "Contact name",
        type: "text",
        required: true,
        options: [],
        help_text: null,
        placeholder: null,
      },
      {
        key: "contact_email",
        label: "Contact email",
        type: "email",
        required: true,
        options: [],
        help_text: null,
        placeholder: null,
      },
      {
        key: "notes",
        label: "Notes",
        type: "textarea",
        required: false,
        options: [],
        help_text: null,
        placeholder: null,
      },
    ]);
  });

  it("an unknown kind is a 422 on kind; another company's group a 404", async () => {
    const t = await tenantWithGroup();
    const other = await tenantWithGroup();
    const bad = await api(t.key, "GET", t.form("survey"));
    expectStatus(bad, 422);
    expect(fieldsOf(bad.body)).toEqual(["kind"]);
    expectStatus(await api(other.key, "GET", t.form("lead")), 404);
  });

  it("groups from before the migration get the same defaults (the migration's JSON is DEFAULT_FORMS)", () => {
    const kinds = /json_each\('(\[\{"kind":"application","title".*?)'\) v;/s.exec(migration)?.[1];
    const stages = /json_each\('(\[\{"kind":"lead","name".*?)'\) s;/s.exec(migration)?.[1];
    const versions = JSON.parse(kinds!.replaceAll("''", "'")) as { kind: string; title: string; fields: string }[];
    for (const version of versions) {
      const expected = DEFAULT_FORMS[version.kind as keyof typeof DEFAULT_FORMS];
      expect({ ...version, fields: JSON.parse(version.fields) }).toEqual({ kind: version.kind, ...expected });
    }
    const rows = JSON.parse(stages!) as { kind: "lead" | "deal"; name: string; isFinal: number }[];
    for (const kind of ["lead", "deal"] as const)
      expect(rows.filter((row) => row.kind === kind).map((row) => row.name)).toEqual(DEFAULT_STAGES[kind]);
    expect(rows.filter((row) => row.isFinal).map((row) => row.name)).toEqual(["Closed won"]);
  });
});

describe("editing a form", () => {
  it("title, description and the whole field list: a new version each; order, additions, removals", async () => {
    const t = await tenantWithGroup();
    const edited = await api(t.key, "PATCH", t.form("lead"), {
      title: "  Refer a customer ",
      description: "We reply within a day.",
      fields: [
        { key: "contact_email", label: "Email", type: "email", required: true },
        { key: "company_name", label: "Company", type: "text", required: true },
        { label: "Company size", type: "select", options: ["1-10", "11-100", "100+"], help_text: "Employees" },
        { label: "Budget", type: "number" },
      ],
    });
    expectStatus(edited, 200);
    expect(edited.body).toMatchObject({ version: 2, title: "Refer a customer", description: "We reply within a day." });
    expect(edited.body.fields.map((f) => [f.key, f.label, f.type, f.required])).toEqual([
      ["contact_email", "Email", "email", true],
      ["company_name", "Company", "text", true],
      ["company_size", "Company size", "select", false],
      ["budget", "Budget", "number", false],
    ]);
    expect(edited.body.fields[2]).toMatchObject({ options: ["1-10", "11-100", "100+"], help_text: "Employees" });
    // A title alone is a new version too; the fields stay.
    const retitled = bodyOf(await api(t.key, "PATCH", t.form("lead"), { title: "Leads" }), 200);
    expect(retitled.version).toBe(3);
    expect(retitled.fields.map((f) => f.key)).toEqual(["contact_email", "company_name", "company_size", "budget"]);
    const { results } = await env.DB.prepare(
      "SELECT version, origin, created_by FROM form_versions WHERE group_id = ? AND kind = 'lead' ORDER BY version",
    )
      .bind(t.group.id)
      .all();
    expect(results).toEqual([
      { version: 1, origin: "default", created_by: null },
      { version: 2, origin: "edit", created_by: t.keyId },
      { version: 3, origin: "edit", created_by: t.keyId },
    ]);
  });

  it("keys are unique: duplicates, bad keys and options on the wrong types are 422s naming each field", async () => {
    const t = await tenantWithGroup();
    const before = await tableSnapshot();
    const r = await api(t.key, "PATCH", t.form("lead"), {
      fields: [
        { key: "name", label: "Name", type: "text" },
        { key: "name", label: "Other name", type: "text" },
        { key: "Bad Key", label: "X", type: "text" },
        { key: "size", label: "Size", type: "select" },
        { key: "note", label: "Note", type: "textarea", options: ["a"] },
        { key: "kind", label: "Kind", type: "dropdown" },
        { key: "opts", label: "Opts", type: "multi-select", options: ["a", "a"] },
      ],
    });
    expectStatus(r, 422);
    expect(fieldsOf(r.body)).toEqual(["fields.2.key", "fields.5.type", "fields.6.options"]);
    const r2 = await api(t.key, "PATCH", t.form("lead"), {
      fields: [
        { key: "name", label: "Name", type: "text" },
        { key: "name", label: "Other name", type: "text" },
        { key: "size", label: "Size", type: "select" },
        { key: "note", label: "Note", type: "textarea", options: ["a"] },
      ],
    });
    expectStatus(r2, 422);
    expect(fieldsOf(r2.body)).toEqual(["fields.1.key", "fields.2.options", "fields.3.options"]);
    const empty = await api(t.key, "PATCH", t.form("lead"), { fields: [] });
    expectStatus(empty, 422);
    expect(fieldsOf(empty.body)).toEqual(["fields"]);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("adds a field where asked, with a key made from its label that stays when the label changes", async () => {
    const t = await tenantWithGroup();
    const added = await api(t.key, "POST", `${t.form("lead")}/fields`, {
      label: "Company size",
      type: "select",
      options: ["small", "large"],
      position: 2,
    });
    expectStatus(added, 201);
    expect(added.body.version).toBe(2);
    expect(added.body.fields.map((f) => f.key)).toEqual([
      "company_name",
      "company_size",
      "contact_name",
      "contact_email",
      "notes",
    ]);
    // Same label again: another key; an explicit key taken already: 422 on key.
    const again = bodyOf(
      await api(t.key, "POST", `${t.form("lead")}/fields`, { label: "Company size", type: "text" }),
      201,
    );
    expect(again.fields.at(-1)!.key).toBe("company_size_2");
    const taken = await api(t.key, "POST", `${t.form("lead")}/fields`, { key: "notes", label: "N", type: "text" });
    expectStatus(taken, 422);
    expect(fieldsOf(taken.body)).toEqual(["key"]);
    const noOptions = await api(t.key, "POST", `${t.form("lead")}/fields`, { label: "Pick", type: "select" });
    expectStatus(noOptions, 422);
    expect(fieldsOf(noOptions.body)).toEqual(["options"]);

    const relabelled = await api(t.key, "PATCH", `${t.form("lead")}/fields/company_size`, {
      label: "Headcount",
      position: 1,
    });
    expectStatus(relabelled, 200);
    expect(relabelled.body.fields[0]).toMatchObject({
      key: "company_size",
      label: "Headcount",
      options: ["small", "large"],
    });
    const rekeyed = await api(t.key, "PATCH", `${t.form("lead")}/fields/company_size`, { key: "size" });
    expectStatus(rekeyed, 422);
    expect(fieldsOf(rekeyed.body)).toEqual(["key"]);
  });

  it("changes a field's type (options go with a select), and refuses a select without options", async () => {
    const t = await tenantWithGroup();
    await api(t.key, "POST", `${t.form("deal")}/fields`, {
      key: "tier",
      label: "Tier",
      type: "select",
      options: ["a", "b"],
    });
    const asText = bodyOf(await api(t.key, "PATCH", `${t.form("deal")}/fields/tier`, { type: "text" }), 200);
    expect(asText.fields.find((f) => f.key === "tier")).toMatchObject({ type: "text", options: [] });
    const asSelect = await api(t.key, "PATCH", `${t.form("deal")}/fields/tier`, { type: "multi-select" });
    expectStatus(asSelect, 422);
    expect(fieldsOf(asSelect.body)).toEqual(["options"]);
    const missing = await api(t.key, "PATCH", `${t.form("deal")}/fields/nope`, { label: "X" });
    expectStatus(missing, 404);
  });

  it("removes a field in a new version; the application keeps first_name, last_name and email", async () => {
    const t = await tenantWithGroup();
    const removed = await api(t.key, "DELETE", `${t.form("lead")}/fields/notes`);
    expectStatus(removed, 200);
    expect(removed.body.version).toBe(2);
    expect(removed.body.fields.map((f) => f.key)).not.toContain("notes");
    expectStatus(await api(t.key, "DELETE", `${t.form("lead")}/fields/notes`), 404);
    const before = await tableSnapshot();
    const locked = await api(t.key, "DELETE", `${t.form("application")}/fields/email`);
    expectStatus(locked, 422);
    expect(fieldsOf(locked.body)).toEqual(["field_key"]);
    const retyped = await api(t.key, "PATCH", `${t.form("application")}/fields/email`, { type: "text" });
    expectStatus(retyped, 422);
    expect(fieldsOf(retyped.body)).toEqual(["type"]);
    const optional = await api(t.key, "PATCH", `${t.form("application")}/fields/first_name`, { required: false });
    expectStatus(optional, 422);
    expect(fieldsOf(optional.body)).toEqual(["required"]);
    const dropped = await api(t.key, "PATCH", t.form("application"), {
      fields: [{ key: "email", label: "Email", type: "email", required: true }],
    });
    expectStatus(dropped, 422);
    expect(fieldsOf(dropped.body)).toEqual(["fields", "fields"]);
    expect(await tableSnapshot()).toEqual(before);
    // Its label and place may change.
    const relabelled = await api(t.key, "PATCH", `${t.form("application")}/fields/email`, {
      label: "Work email",
      position: 1,
    });
    expectStatus(relabelled, 200);
    expect(relabelled.body.fields[0]).toMatchObject({ key: "email", label: "Work email" });
  });

  it("reset restores the kind's default in a new version", async () => {
    const t = await tenantWithGroup();
    await api(t.key, "PATCH", t.form("deal"), { title: "Deals", fields: [{ key: "x", label: "X", type: "text" }] });
    const reset = await api(t.key, "POST", `${t.form("deal")}/reset`);
    expectStatus(reset, 200);
    expect(reset.body.version).toBe(3);
    expect(reset.body.title).toBe(DEFAULT_FORMS.deal.title);
    expect(reset.body.fields.map((f) => f.key)).toEqual(DEFAULT_FORMS.deal.fields.map((f) => f.key));
    const origin = await env.DB.prepare(
      "SELECT origin FROM form_versions WHERE group_id = ? AND kind = 'deal' AND version = 3",
    )
      .bind(t.group.id)
      .first("origin");
    expect(origin).toBe("reset");
  });
});

describe("turning forms on and off", () => {
  it("is what the plan allows: 403 with the plan-feature type, nothing written", async () => {
    const cases = [
      ["starter", "lead", "plan-feature-lead-submission"],
      ["starter", "deal", "plan-feature-deal-registration"],
      ["starter", "application", "plan-feature-application-forms"],
      ["growth", "deal", "plan-feature-deal-registration"],
    ] as const;
    for (const [plan, kind, type] of cases) {
      const t = await tenantWithGroup(plan);
      const before = await tableSnapshot();
      // An edit sent with it is not written either.
      const r = await api(t.key, "PATCH", t.form(kind), { enabled: true, title: "New title" });
      expectStatus(r, 403, `${plan} ${kind}`);
      expect(problemType(r)).toBe(type);
      expect(await tableSnapshot()).toEqual(before);
      // Turning it off is always allowed.
      expectStatus(await api(t.key, "PATCH", t.form(kind), { enabled: false }), 200);
    }
  });

  it("on a plan with the feature: the form and the group's features say so; off again", async () => {
    const t = await tenantWithGroup("growth");
    const on = await api(t.key, "PATCH", t.form("lead"), { enabled: true });
    expectStatus(on, 200);
    expect(on.body).toMatchObject({ enabled: true, version: 1 });
    const group = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}`), 200);
    expect(group.features).toEqual({ lead_submission: true, deal_registration: false, application_form: false });
    expect(bodyOf(await api(t.key, "PATCH", t.form("application"), { enabled: true }), 200).enabled).toBe(true);
    expect(bodyOf(await api(t.key, "PATCH", t.form("lead"), { enabled: false }), 200).enabled).toBe(false);
    // An empty edit changes nothing.
    const before = await tableSnapshot();
    expect(bodyOf(await api(t.key, "PATCH", t.form("lead"), {}), 200)).toMatchObject({ enabled: false, version: 1 });
    expect(await tableSnapshot()).toEqual(before);
    // The group's own switch is the same flag.
    await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { features: { lead_submission: true } });
    expect(bodyOf(await api(t.key, "GET", t.form("lead")), 200).enabled).toBe(true);
  });
});
