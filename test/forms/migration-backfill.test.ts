// Migration 0007's hand-written part gives groups created before it the forms and pipelines a new
// group is created with. Its own file: the backfill acts on every group of the database.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import migration from "../../migrations/0007_forms.sql?raw";
import { DEFAULT_FORMS, DEFAULT_STAGES } from "../../src/forms/fields";
import { api, bodyOf, newTenant } from "../helpers/admin";

const HAND_WRITTEN = "-- ---- Hand-written (issue 11)";

describe("groups from before migration 0007", () => {
  it("get the default forms (version 1) and pipelines, usable through the API", async () => {
    const t = await newTenant("enterprise");
    const now = Date.now();
    // A group as it was written before the migration: no forms, no stages.
    const groupId = `grp_${now.toString(36)}legacy`;
    await env.DB.prepare(
      "INSERT INTO groups (id, company_id, name, slug, created_at, updated_at) VALUES (?1, ?2, 'Old', 'old', ?3, ?3)",
    )
      .bind(groupId, t.companyId, now)
      .run();
    const statements = migration
      .slice(migration.indexOf(HAND_WRITTEN))
      .split("--> statement-breakpoint")
      .map((sql) => sql.trim())
      .filter(Boolean);
    expect(statements).toHaveLength(3);
    await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));

    for (const kind of ["application", "lead", "deal"] as const) {
      const form = bodyOf(await api(t.key, "GET", `/v1/groups/${groupId}/forms/${kind}`), 200);
      expect(form).toMatchObject({ version: 1, title: DEFAULT_FORMS[kind].title, enabled: false });
      expect(form.fields.map((f) => f.key)).toEqual(DEFAULT_FORMS[kind].fields.map((f) => f.key));
    }
    for (const kind of ["lead", "deal"] as const) {
      const pipeline = bodyOf(await api(t.key, "GET", `/v1/groups/${groupId}/pipelines/${kind}`), 200);
      expect(pipeline.stages.map((s) => s.name)).toEqual(DEFAULT_STAGES[kind]);
      expect(pipeline.stages.every((s) => /^stg_[0-9a-z]{26}$/.test(s.id))).toBe(true);
    }
    // And it edits like any other.
    const edited = bodyOf(await api(t.key, "PATCH", `/v1/groups/${groupId}/forms/lead`, { title: "Leads" }), 200);
    expect(edited.version).toBe(2);
  });
});
