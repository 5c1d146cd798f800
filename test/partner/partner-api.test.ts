// Partner access: credentials the company issues (shown once, stored hashed, revocable), and the
// partner API with which a partner submits leads and deals and reads only its own.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { openApiDocument, operationsOf } from "../helpers/openapi";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const fieldsOf = (r: { errors?: { field: string }[] }) => r.errors?.map((e) => e.field);
const unique = () => crypto.randomUUID().slice(0, 8);

/** A company whose group takes leads and deals, with partners that hold credentials. */
async function program() {
  const t = await newTenant("enterprise");
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  for (const kind of ["lead", "deal"] as const)
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/${kind}`, { enabled: true }), 200);
  const partner = async () => {
    const n = unique();
    const created = bodyOf(
      await api(t.key, "POST", "/v1/partners", { email: `p${n}@example.com`, first_name: "P", last_name: n }),
      201,
    );
    const credential = bodyOf(
      await api(t.key, "POST", `/v1/partners/${created.id}/credentials`, { name: "portal" }),
      201,
    );
    return { ...created, secret: credential.secret!, credentialId: credential.id };
  };
  return { ...t, group, partner };
}

const lead = (company = "Globex") => ({
  values: { company_name: company, contact_name: "Hank", contact_email: "Hank@Globex.example" },
});

describe("partner credentials", () => {
  it("are shown once, stored as a SHA-256 only, listed by prefix, and not shown again on a replay", async () => {
    const p = await program();
    const partner = bodyOf(
      await api(p.key, "POST", "/v1/partners", { email: `c${unique()}@example.com`, first_name: "C", last_name: "D" }),
      201,
    );
    const headers = { "idempotency-key": `cred-${unique()}` };
    const created = await api(p.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "CRM" }, headers);
    expectStatus(created, 201);
    expect(created.body).toMatchObject({ object: "partner_credential", partner_id: partner.id, name: "CRM" });
    expect(created.body.secret).toMatch(/^pc_live_[A-Za-z0-9_-]{43}$/);
    expect(created.body.prefix).toBe(created.body.secret!.slice(0, 14));
    const stored = await env.DB.prepare("SELECT * FROM partner_credentials WHERE id = ?").bind(created.body.id).first();
    expect(stored!.secret_hash).toBe(await sha256Hex(created.body.secret!));
    expect(JSON.stringify(await tableSnapshot())).not.toContain(created.body.secret!);
    const replay = await api(p.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "CRM" }, headers);
    expectStatus(replay, 201);
    expect(replay.body.secret).toBeNull();
    const listed = bodyOf(await api(p.key, "GET", `/v1/partners/${partner.id}/credentials`), 200);
    expect(listed.data).toEqual([{ ...created.body, secret: undefined }].map(({ secret: _, ...rest }) => rest));
  });

  it("let the partner in; revoked, or with the partner archived, they are refused with 401", async () => {
    const p = await program();
    const partner = await p.partner();
    expectStatus(await api(partner.secret, "GET", "/partner/v1/leads"), 200);
    const revoked = await api(p.key, "DELETE", `/v1/partners/${partner.id}/credentials/${partner.credentialId}`);
    expectStatus(revoked, 200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const refused = await api(partner.secret, "GET", "/partner/v1/leads");
    expectStatus(refused, 401);
    expect(problemType(refused)).toBe("partner-credential-revoked");

    const other = await p.partner();
    expectStatus(await api(p.key, "PATCH", `/v1/partners/${other.id}`, { status: "archived" }), 200);
    const archived = await api(other.secret, "GET", "/partner/v1/deals");
    expectStatus(archived, 401);
    expect(problemType(archived)).toBe("partner-credential-revoked");
    const noNew = await api(p.key, "POST", `/v1/partners/${other.id}/credentials`, { name: "again" });
    expectStatus(noNew, 422);
    expect(fieldsOf(noNew.body)).toEqual(["partner_id"]);
  });

  it("are at most 10 live per partner: the 11th is a 403 writing nothing; revoking one makes room", async () => {
    const p = await program();
    const partner = await p.partner(); // holds one already
    const issue = (name: string) => api(p.key, "POST", `/v1/partners/${partner.id}/credentials`, { name });
    await Promise.all(Array.from({ length: 9 }, (_, n) => issue(`tool ${n}`).then((r) => expectStatus(r, 201))));
    const before = await tableSnapshot();
    const eleventh = await issue("one too many");
    expectStatus(eleventh, 403);
    expect(problemType(eleventh)).toBe("partner-credential-limit");
    expect(await tableSnapshot()).toEqual(before);
    // The limit is per partner: another partner of the company still gets one (p.partner() issues it).
    expect((await p.partner()).secret).toMatch(/^pc_live_/);
    expectStatus(await api(p.key, "DELETE", `/v1/partners/${partner.id}/credentials/${partner.credentialId}`), 200);
    expectStatus(await issue("after revoking one"), 201);
  });

  it("are not API keys, and API keys are not partner credentials", async () => {
    const p = await program();
    const partner = await p.partner();
    const keyOnPartnerApi = await api(p.key, "GET", "/partner/v1/leads");
    expectStatus(keyOnPartnerApi, 401);
    expect(problemType(keyOnPartnerApi)).toBe("partner-credential-invalid");
    const credentialOnAdminApi = await api(partner.secret, "GET", "/v1/leads");
    expectStatus(credentialOnAdminApi, 401);
    expect(problemType(credentialOnAdminApi)).toBe("api-key-invalid");
    const missing = await api(null, "GET", "/partner/v1/deals");
    expectStatus(missing, 401);
    expect(problemType(missing)).toBe("api-key-missing");
    const unknown = await api(`pc_live_${"A".repeat(43)}`, "GET", "/partner/v1/deals");
    expectStatus(unknown, 401);
    expect(problemType(unknown)).toBe("partner-credential-invalid");
  });
});

describe("a partner's leads and deals", () => {
  it("submits a lead: validated and normalised by its lead form, in the first stage, with its history", async () => {
    const p = await program();
    const partner = await p.partner();
    const r = await api(partner.secret, "POST", "/partner/v1/leads", lead("  Globex "));
    expectStatus(r, 201);
    expect(r.body).toMatchObject({
      object: "lead",
      stage: { name: "New", is_final: false },
      values: { company_name: "Globex", contact_name: "Hank", contact_email: "hank@globex.example" },
      form: { version: 1, title: "Submit a lead" },
    });
    const seen = bodyOf(await api(p.key, "GET", `/v1/leads/${r.body.id}`), 200);
    expect(seen).toMatchObject({ partner_id: partner.id, group_id: p.group.id, submitted_by: "partner" });
    expect(seen.history).toEqual([
      {
        id: expect.stringMatching(/^mov_/),
        from_stage: null,
        to_stage: { id: seen.stage.id, name: "New" },
        moved_by: { kind: "partner", id: partner.id },
        moved_at: seen.created_at,
      },
    ]);
  });

  it("registers a deal; the form must be on and the values valid, else nothing is written", async () => {
    const p = await program();
    const partner = await p.partner();
    const deal = await api(partner.secret, "POST", "/partner/v1/deals", {
      values: { ...lead().values, deal_value: "25000", expected_close_date: "2026-12-15" },
    });
    expectStatus(deal, 201);
    expect(deal.body).toMatchObject({ object: "deal", stage: { name: "Registered" }, closed_at: null });
    expect(deal.body.values).toMatchObject({ deal_value: 25000, expected_close_date: "2026-12-15" });

    const before = await tableSnapshot();
    const invalid = await api(partner.secret, "POST", "/partner/v1/deals", {
      values: { company_name: "", contact_email: "x", deal_value: "lots", colour: "red" },
    });
    expectStatus(invalid, 422);
    expect(fieldsOf(invalid.body)?.sort()).toEqual(
      [
        "values.colour",
        "values.company_name",
        "values.contact_email",
        "values.contact_name",
        "values.deal_value",
      ].sort(),
    );
    expect(await tableSnapshot()).toEqual(before);
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/lead`, { enabled: false }), 200);
    const afterToggle = await tableSnapshot();
    const off = await api(partner.secret, "POST", "/partner/v1/leads", lead());
    expectStatus(off, 409);
    expect(problemType(off)).toBe("form-disabled");
    expect(await tableSnapshot()).toEqual(afterToggle);
  });

  it("reads its group's form with the pipeline's stages", async () => {
    const p = await program();
    const partner = await p.partner();
    const form = bodyOf(await api(partner.secret, "GET", "/partner/v1/forms/deal"), 200);
    expect(form).toMatchObject({ kind: "deal", enabled: true, group_id: p.group.id, title: "Register a deal" });
    expect(form.stages.map((s) => [s.name, s.is_final])).toEqual([
      ["Registered", false],
      ["In progress", false],
      ["Closed won", true],
    ]);
    const bad = await api(partner.secret, "GET", "/partner/v1/forms/application");
    expectStatus(bad, 422);
  });

  it("sees only its own: another partner's lead or deal is a 404, lists hold only its own", async () => {
    const p = await program();
    const [alice, bob] = [await p.partner(), await p.partner()];
    const aliceLead = bodyOf(await api(alice.secret, "POST", "/partner/v1/leads", lead("A")), 201);
    const aliceDeal = bodyOf(await api(alice.secret, "POST", "/partner/v1/deals", lead("A")), 201);
    const bobLead = bodyOf(await api(bob.secret, "POST", "/partner/v1/leads", lead("B")), 201);
    const before = await tableSnapshot();
    expectStatus(await api(bob.secret, "GET", `/partner/v1/leads/${aliceLead.id}`), 404);
    expectStatus(await api(bob.secret, "GET", `/partner/v1/deals/${aliceDeal.id}`), 404);
    expectStatus(
      await api(bob.secret, "PATCH", `/partner/v1/deals/${aliceDeal.id}`, { values: { notes: "mine" } }),
      404,
    );
    expect(await tableSnapshot()).toEqual(before);
    expect(bodyOf(await api(bob.secret, "GET", "/partner/v1/leads"), 200).data.map((l) => l.id)).toEqual([bobLead.id]);
    expect(bodyOf(await api(bob.secret, "GET", "/partner/v1/deals"), 200).data).toEqual([]);
    const cursor = await api(bob.secret, "GET", `/partner/v1/leads?starting_after=${aliceLead.id}`);
    expectStatus(cursor, 422);
    expect(fieldsOf(cursor.body)).toEqual(["starting_after"]);
    // The company sees both.
    const all = bodyOf(await api(p.key, "GET", "/v1/leads"), 200).data.map((l) => l.id);
    expect(all).toEqual([aliceLead.id, bobLead.id]);
    const bobs = bodyOf(await api(p.key, "GET", `/v1/leads?partner_id=${bob.id}`), 200).data.map((l) => l.id);
    expect(bobs).toEqual([bobLead.id]);
  });

  it("an Idempotency-Key is the partner's own: the same key from another partner is another request", async () => {
    const p = await program();
    const [alice, bob] = [await p.partner(), await p.partner()];
    const headers = { "idempotency-key": `same-${unique()}` };
    const first = bodyOf(await api(alice.secret, "POST", "/partner/v1/leads", lead(), headers), 201);
    const replay = await api(alice.secret, "POST", "/partner/v1/leads", lead(), headers);
    expectStatus(replay, 201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(first.id);
    const other = await api(bob.secret, "POST", "/partner/v1/leads", lead(), headers);
    expectStatus(other, 201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(other.body.id).not.toBe(first.id);
  });

  it("cannot edit a lead after submission: the partner API has no such operation", async () => {
    const p = await program();
    const partner = await p.partner();
    const submitted = bodyOf(await api(partner.secret, "POST", "/partner/v1/leads", lead()), 201);
    const before = await tableSnapshot();
    for (const method of ["PATCH", "PUT", "DELETE"]) {
      const r = await api(partner.secret, method, `/partner/v1/leads/${submitted.id}`, { values: { notes: "x" } });
      expect(r.status, method).toBe(404);
    }
    const moved = await api(partner.secret, "POST", `/partner/v1/leads/${submitted.id}/move`, { stage_id: "x" });
    expect(moved.status).toBe(404);
    expect(await tableSnapshot()).toEqual(before);
    const doc = await openApiDocument();
    const leadWrites = operationsOf(doc).filter(
      ({ path, method }) => path.startsWith("/partner/v1/leads") && method !== "get",
    );
    expect(leadWrites.map(({ path, method }) => `${method} ${path}`)).toEqual(["post /partner/v1/leads"]);
  });
});
