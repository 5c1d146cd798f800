// Default links through the API, and what partners' links do when they change.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { edgeFetch } from "../helpers/fixtures";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");

async function groupWithPartner() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", {
      name: "Affiliates",
      destination_url: "https://acme.example/home",
      utm: { utm_source: "partner" },
    }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "jane@example.com", first_name: "Jane", last_name: "Doe" }),
    201,
  );
  return { ...t, group, partner };
}

const linkBody = (text: string, extra: object = {}) => ({
  title: `Link ${text}`,
  destination_url: `https://acme.example/${text}`,
  link_text: text,
  ...extra,
});

describe("default links: happy path", () => {
  it("creates links 2 and 3, and gives every partner of the group a slug for each", async () => {
    const { key, group, partner, hostname } = await groupWithPartner();
    const pricing = await api(
      key,
      "POST",
      `/v1/groups/${group.id}/links`,
      linkBody("pricing", { description: "Plans", utm: { utm_content: "pricing" }, lock_utms: true }),
    );
    expectStatus(pricing, 201);
    expect(pricing.body).toMatchObject({
      position: 2,
      is_original: false,
      link_text: "pricing",
      lock_utms: true,
      utm: { utm_content: "pricing" },
    });
    const docs = await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("Docs-Page"));
    expect(docs.body).toMatchObject({ position: 3, link_text: "docs-page" });

    const links = await api(key, "GET", `/v1/partners/${partner.id}/links`);
    expectStatus(links, 200);
    expect(links.body.data.map((l) => [l.slug, l.url])).toEqual([
      ["jane-doe", `https://${hostname}/jane-doe`],
      ["jane-doe--pricing", `https://${hostname}/jane-doe--pricing`],
      ["jane-doe--docs-page", `https://${hostname}/jane-doe--docs-page`],
    ]);
    const response = await edgeFetch(`https://${hostname}/jane-doe--docs-page`);
    expect(response.headers.get("location")).toMatch(/^https:\/\/acme\.example\/Docs-Page\?ps_xid=/);
  });

  it("edits title, description, destination and UTMs; the next redirect uses them", async () => {
    const { key, group, hostname } = await groupWithPartner();
    const link = bodyOf(await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("pricing")), 201);
    const edited = await api(key, "PATCH", `/v1/links/${link.id}`, {
      title: "Plans",
      description: "All plans",
      destination_url: "https://acme.example/plans",
      utm: { utm_source: "edgeref", utm_medium: "partner" },
    });
    expectStatus(edited, 200);
    expect(edited.body).toMatchObject({
      title: "Plans",
      description: "All plans",
      destination_url: "https://acme.example/plans",
      utm: { utm_source: "edgeref", utm_medium: "partner" },
    });
    const response = await edgeFetch(`https://${hostname}/jane-doe--pricing`);
    expect(response.headers.get("location")).toMatch(
      /^https:\/\/acme\.example\/plans\?utm_source=edgeref&utm_medium=partner&ps_xid=/,
    );
  });

  it(`deletes link 2 (soft): its slugs then lead to the original destination; \
a new link may take the position`, async () => {
    const { key, group, hostname } = await groupWithPartner();
    const link = bodyOf(await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("pricing")), 201);
    const deleted = await api(key, "DELETE", `/v1/links/${link.id}`);
    expect(deleted.body).toEqual({ id: link.id, object: "default_link", deleted: true });
    expect((await api(key, "GET", `/v1/links/${link.id}`)).status).toBe(404);
    const response = await edgeFetch(`https://${hostname}/jane-doe--pricing`);
    expect(response.headers.get("location")).toMatch(/^https:\/\/acme\.example\/home\?utm_source=partner&ps_xid=/);
    const row = await env.DB.prepare("SELECT deleted_at FROM default_links WHERE id = ?")
      .bind(link.id)
      .first<{ deleted_at: number }>();
    expect(row!.deleted_at).toBeGreaterThan(0);
    const again = await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("features"));
    expectStatus(again, 201);
    expect(again.body.position).toBe(2);
  });
});

describe("default links: error cases", () => {
  it("refuses a 4th link with 409", async () => {
    const { key, group } = await groupWithPartner();
    await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("a"));
    await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("b"));
    const before = await tableSnapshot();
    const fourth = await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("c"));
    expectStatus(fourth, 409);
    expect(problemType(fourth)).toBe("default-link-limit");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("stays at three links under concurrent creates (the database decides)", async () => {
    const { key, group } = await groupWithPartner();
    const results = await Promise.all(
      ["a", "b", "c", "d", "e", "f"].map((text) => api(key, "POST", `/v1/groups/${group.id}/links`, linkBody(text))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    const live = await env.DB.prepare(
      "SELECT position FROM default_links WHERE group_id = ? AND deleted_at IS NULL ORDER BY position",
    )
      .bind(group.id)
      .all<{ position: number }>();
    expect(live.results.map((r) => r.position)).toEqual([1, 2, 3]);
  });

  it("refuses to change the link text, naming the field", async () => {
    const { key, group } = await groupWithPartner();
    const link = bodyOf(await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("pricing")), 201);
    const r = await api(key, "PATCH", `/v1/links/${link.id}`, { link_text: "prices", title: "New" });
    expectStatus(r, 422);
    expect(r.body.errors).toEqual([
      { field: "link_text", message: "cannot be changed once created: partners' existing links would break" },
    ]);
    expect((await api(key, "GET", `/v1/links/${link.id}`)).body).toMatchObject({
      title: "Link pricing",
      link_text: "pricing",
    });
  });

  it("never deletes the original link", async () => {
    const { key, group } = await groupWithPartner();
    const original = bodyOf(await api(key, "GET", `/v1/groups/${group.id}/links`), 200).data[0]!;
    const r = await api(key, "DELETE", `/v1/links/${original.id}`);
    expectStatus(r, 409);
    expect(problemType(r)).toBe("original-link-undeletable");
  });

  it.each([
    [linkBody("two--dashes"), "link_text"],
    [linkBody("-lead"), "link_text"],
    [linkBody("with space"), "link_text"],
    [linkBody("ünï"), "link_text"],
    [{ title: "x", destination_url: "https://a.example/" }, "link_text"],
    [linkBody("ok", { destination_url: "data:text/html,hi" }), "destination_url"],
  ])("refuses %j with 422", async (body, field) => {
    const { key, group } = await groupWithPartner();
    const r = await api(key, "POST", `/v1/groups/${group.id}/links`, body);
    expectStatus(r, 422);
    expect(r.body.errors?.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("refuses a link text the group already uses", async () => {
    const { key, group } = await groupWithPartner();
    await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("pricing"));
    const r = await api(key, "POST", `/v1/groups/${group.id}/links`, linkBody("pricing"));
    expectStatus(r, 409);
    expect(problemType(r)).toBe("link-text-taken");
  });
});
