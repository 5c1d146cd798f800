// Partners through the API; their links at the edge.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { edgeFetch } from "../helpers/fixtures";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
const partnerBody = (first: string, last: string, extra: object = {}) => ({
  email: `${first.toLowerCase()}@example.com`,
  first_name: first,
  last_name: last,
  ...extra,
});

async function tenantWithGroups() {
  const t = await newTenant();
  const a = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/a" }),
    201,
  );
  const b = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/b" }),
    201,
  );
  return { ...t, a, b };
}

describe("partners: happy path", () => {
  it("generates keys from names, unique per company, and lands in the default group", async () => {
    const t = await tenantWithGroups();
    const jane = await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe"));
    expectStatus(jane, 201);
    expect(jane.body).toMatchObject({
      object: "partner",
      partner_key: "jane-doe",
      group_id: t.a.id,
      status: "active",
      email: "jane@example.com",
    });
    const twin = await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe"));
    expectStatus(twin, 201);
    expect(twin.body.partner_key).toBe("jane-doe-2");
    const accents = await api(
      t.key,
      "POST",
      "/v1/partners",
      partnerBody("Amélie", "Núñez", { email: "amelie@example.com" }),
    );
    expectStatus(accents, 201);
    expect(accents.body.partner_key).toBe("amelie-nunez");
    const chosen = await api(
      t.key,
      "POST",
      "/v1/partners",
      partnerBody("Tom", "B", { partner_key: "TomB", group_id: t.b.id }),
    );
    expect(chosen.body).toMatchObject({ partner_key: "tomb", group_id: t.b.id });
  });

  it("lists partners with a group filter and cursor pagination", async () => {
    const t = await tenantWithGroups();
    const ids = [];
    for (const name of ["Ann", "Ben", "Cid"])
      ids.push(bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody(name, "X")), 201).id);
    await api(t.key, "POST", "/v1/partners", partnerBody("Dan", "Y", { group_id: t.b.id }));
    const page = await api(t.key, "GET", `/v1/partners?group_id=${t.a.id}&limit=2`);
    expectStatus(page, 200);
    expect(page.body.data.map((p: { id: string }) => p.id)).toEqual(ids.slice(0, 2));
    expect(page.body.has_more).toBe(true);
    const next = await api(t.key, "GET", `/v1/partners?group_id=${t.a.id}&limit=2&starting_after=${ids[1]}`);
    expectStatus(next, 200);
    expect(next.body.data.map((p: { id: string }) => p.id)).toEqual([ids[2]]);
    expect(next.body.has_more).toBe(false);
  });

  it("moves a partner: the same slugs lead to the new group's destinations", async () => {
    const t = await tenantWithGroups();
    const p = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe")), 201);
    expect((await edgeFetch(`https://${t.hostname}/jane-doe`)).headers.get("location")).toMatch(
      /^https:\/\/acme\.example\/a\?/,
    );
    const moved = await api(t.key, "PATCH", `/v1/partners/${p.id}`, { group_id: t.b.id });
    expectStatus(moved, 200);
    expect(moved.body.group_id).toBe(t.b.id);
    expect((await edgeFetch(`https://${t.hostname}/jane-doe`)).headers.get("location")).toMatch(
      /^https:\/\/acme\.example\/b\?/,
    );
  });

  it("changes a partner key without rewriting existing slugs", async () => {
    const t = await tenantWithGroups();
    const p = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe")), 201);
    const changed = await api(t.key, "PATCH", `/v1/partners/${p.id}`, { partner_key: "janed" });
    expectStatus(changed, 200);
    expect(changed.body.partner_key).toBe("janed");
    const links = await api(t.key, "GET", `/v1/partners/${p.id}/links`);
    expectStatus(links, 200);
    expect(links.body.data.map((l: { slug: string }) => l.slug)).toEqual(["jane-doe"]);
    const response = await edgeFetch(`https://${t.hostname}/jane-doe`);
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location")!).searchParams.get("ps_partner_key")).toBe("janed");
    // Links created from now on use the new key.
    await api(t.key, "POST", `/v1/groups/${t.a.id}/links`, {
      title: "Pricing",
      destination_url: "https://acme.example/p",
      link_text: "pricing",
    });
    const after = await api(t.key, "GET", `/v1/partners/${p.id}/links`);
    expectStatus(after, 200);
    expect(after.body.data.map((l: { slug: string }) => l.slug)).toEqual(["jane-doe", "janed--pricing"]);
  });

  it("archives a partner: their links go to the fallback", async () => {
    const t = await tenantWithGroups();
    await api(t.key, "PATCH", "/v1/company", { fallback_url: "https://acme.example/partners" });
    const p = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe")), 201);
    await api(t.key, "PATCH", `/v1/partners/${p.id}`, { status: "archived" });
    expect((await edgeFetch(`https://${t.hostname}/jane-doe`)).headers.get("location")).toBe(
      "https://acme.example/partners",
    );
  });
});

describe("partners: concurrency", () => {
  it("partners created while default links are added get a slug for every live link", async () => {
    const t = await tenantWithGroups();
    const link = (text: string) => ({ title: text, destination_url: `https://acme.example/${text}`, link_text: text });
    const [partners, defaultLinks] = await Promise.all([
      Promise.all(
        ["Ann", "Bob", "Cy", "Di", "Ed", "Fay"].map((first) =>
          api(t.key, "POST", "/v1/partners", partnerBody(first, "Racer")),
        ),
      ),
      Promise.all([
        api(t.key, "POST", `/v1/groups/${t.a.id}/links`, link("pricing")),
        api(t.key, "POST", `/v1/groups/${t.a.id}/links`, link("docs")),
      ]),
    ]);
    expect([...partners, ...defaultLinks].map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201, 201, 201]);
    for (const partner of partners.map((r) => bodyOf(r, 201))) {
      const links = await api(t.key, "GET", `/v1/partners/${partner.id}/links`);
      expectStatus(links, 200);
      const slugs = links.body.data.map((l: { slug: string }) => l.slug).sort();
      const key = partner.partner_key;
      expect(slugs, key).toEqual([key, `${key}--docs`, `${key}--pricing`].sort());
    }
  });
});

describe("partners: error cases", () => {
  it("refuses a taken partner key, and the old key of another partner, with 409", async () => {
    const t = await tenantWithGroups();
    const first = bodyOf(
      await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe", { partner_key: "jane" })),
      201,
    );
    const dup = await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Other", { partner_key: "jane" }));
    expectStatus(dup, 409);
    expect(problemType(dup)).toBe("partner-key-taken");
    await api(t.key, "PATCH", `/v1/partners/${first.id}`, { partner_key: "jane-d" });
    const before = await tableSnapshot();
    const oldKey = await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Other", { partner_key: "jane" }));
    expectStatus(oldKey, 409);
    expect(await tableSnapshot()).toEqual(before);
    // The partner who owned it may take it back.
    expect((await api(t.key, "PATCH", `/v1/partners/${first.id}`, { partner_key: "jane" })).status).toBe(200);
  });

  it("refuses a key another partner's link slugs were made from, so no slug can ever collide", async () => {
    const t = await tenantWithGroups();
    await api(t.key, "POST", `/v1/groups/${t.b.id}/links`, {
      title: "Docs",
      destination_url: "https://acme.example/docs",
      link_text: "docs",
    });
    const ann = bodyOf(
      await api(t.key, "POST", "/v1/partners", partnerBody("Ann", "Lee", { partner_key: "ann" })),
      201,
    );
    // Renamed to `kay`, then moved: her new slug is `kay--docs`; renamed again to `ann-2`.
    await api(t.key, "PATCH", `/v1/partners/${ann.id}`, { partner_key: "kay" });
    await api(t.key, "PATCH", `/v1/partners/${ann.id}`, { group_id: t.b.id });
    await api(t.key, "PATCH", `/v1/partners/${ann.id}`, { partner_key: "ann-2" });
    const slugs = bodyOf(await api(t.key, "GET", `/v1/partners/${ann.id}/links`), 200).data.map(
      (l: { slug: string }) => l.slug,
    );
    expect(slugs).toEqual(["ann", "kay--docs"]);

    const before = await tableSnapshot();
    const taken = await api(
      t.key,
      "POST",
      "/v1/partners",
      partnerBody("Kay", "Doe", { partner_key: "kay", group_id: t.b.id }),
    );
    expectStatus(taken, 409);
    expect(problemType(taken)).toBe("partner-key-taken");
    expect(await tableSnapshot()).toEqual(before);
    // Nor may an existing partner be renamed to it (a later move would need `kay--docs`).
    const bob = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Bob", "Roe")), 201);
    const renamed = await api(t.key, "PATCH", `/v1/partners/${bob.id}`, { partner_key: "kay" });
    expectStatus(renamed, 409);
    expect(problemType(renamed)).toBe("partner-key-taken");
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${bob.id}`), 200).partner_key).toBe("bob-roe");
    // A key generated from a name ("Kay !" → kay) steps around it too.
    const generated = await api(t.key, "POST", "/v1/partners", {
      email: "k@example.com",
      first_name: "Kay",
      last_name: "!",
      group_id: t.b.id,
    });
    expectStatus(generated, 201);
    expect(generated.body.partner_key).toBe("kay-2");
  });

  it(`a slug already owned by another partner (data from before the key rule) fails the change whole, \
with 409`, async () => {
    const t = await tenantWithGroups();
    const jane = bodyOf(
      await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe", { partner_key: "jane" })),
      201,
    );
    const tom = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Tom", "Roe", { group_id: t.b.id })), 201);
    await env.DB.prepare(
      "INSERT INTO partner_links (id, company_id, partner_id, slug, link_text, created_at) " +
        "VALUES ('plk_legacy', ?, ?, 'jane--docs', 'legacy', 0)",
    )
      .bind(t.companyId, tom.id)
      .run();
    const before = await tableSnapshot();
    const link = await api(t.key, "POST", `/v1/groups/${t.a.id}/links`, {
      title: "Docs",
      destination_url: "https://acme.example/docs",
      link_text: "docs",
    });
    expectStatus(link, 409);
    expect(problemType(link)).toBe("slug-conflict");
    expect(await tableSnapshot()).toEqual(before);

    await api(t.key, "POST", `/v1/groups/${t.b.id}/links`, {
      title: "Docs",
      destination_url: "https://acme.example/docs",
      link_text: "docs",
    });
    const moveBefore = await tableSnapshot();
    const move = await api(t.key, "PATCH", `/v1/partners/${jane.id}`, { group_id: t.b.id });
    expectStatus(move, 409);
    expect(problemType(move)).toBe("slug-conflict");
    expect(await tableSnapshot()).toEqual(moveBefore);
  });

  it.each([
    [partnerBody("A", "B", { email: "not-an-email" }), "email"],
    [partnerBody("A", "B", { partner_key: "has--double" }), "partner_key"],
    [partnerBody("A", "B", { partner_key: "spa ce" }), "partner_key"],
    [partnerBody("A", "B", { partner_key: "x".repeat(41) }), "partner_key"],
    [partnerBody("", "B"), "first_name"],
    [partnerBody("A", "B", { group_id: "grp_unknown" }), "group_id"],
    [partnerBody("A", "B", { group_id: "" }), "group_id"],
  ])("refuses %j with 422 naming the field", async (body, field) => {
    const t = await tenantWithGroups();
    const before = await tableSnapshot();
    const r = await api(t.key, "POST", "/v1/partners", body);
    expectStatus(r, 422);
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toContain(field);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("refuses an empty group_id on a move with 422, changing nothing", async () => {
    const t = await tenantWithGroups();
    const p = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe")), 201);
    const before = await tableSnapshot();
    const r = await api(t.key, "PATCH", `/v1/partners/${p.id}`, { group_id: "" });
    expectStatus(r, 422);
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toEqual(["group_id"]);
    expect(await tableSnapshot()).toEqual(before);
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${p.id}`), 200).group_id).toBe(t.a.id);
  });

  it("refuses a move into an archived group", async () => {
    const t = await tenantWithGroups();
    const p = bodyOf(await api(t.key, "POST", "/v1/partners", partnerBody("Jane", "Doe")), 201);
    await api(t.key, "POST", `/v1/groups/${t.b.id}/archive`);
    const r = await api(t.key, "PATCH", `/v1/partners/${p.id}`, { group_id: t.b.id });
    expectStatus(r, 422);
    expect(r.body.errors?.[0]?.field).toBe("group_id");
  });
});
