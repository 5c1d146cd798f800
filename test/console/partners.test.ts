// Partners in the console: the list, filtered by group; a partner moved to another group and
// archived (and restored) through the partners service, as PATCH /v1/partners/{id} does.
import { describe, expect, it } from "vitest";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

async function twoGroups() {
  const t = await consoleTenant();
  const make = async (name: string) =>
    bodyOf(await api(t.key, "POST", "/v1/groups", { name, destination_url: "https://a.example/" }), 201);
  const affiliates = await make("Affiliates");
  const resellers = await make("Resellers");
  const jane = await addPartner(t.companyId, affiliates.id);
  const tom = await addPartner(t.companyId, resellers.id);
  return { ...t, affiliates, resellers, jane, tom };
}

const names = (html: string) =>
  [...html.matchAll(/<th scope="row"><a href="\/console\/partners\/(ptn_[0-9a-z]+)">/g)].map((m) => m[1]);

describe("partners", () => {
  it("lists the company's partners with their group, and filters them by group", async () => {
    const t = await twoGroups();
    const all = await t.browser.get("/console/partners");
    expect(all.status).toBe(200);
    expect(names(all.html)).toEqual([t.jane.id, t.tom.id]);
    expect(decodeHtml(all.html)).toContain(`${t.jane.firstName} ${t.jane.lastName}`);
    const filtered = await t.browser.get(`/console/partners?group_id=${t.resellers.id}`);
    expect(names(filtered.html)).toEqual([t.tom.id]);
    expect(filtered.html).toContain(`<option value="${t.resellers.id}" selected="">Resellers</option>`);
  });

  it("moves a partner to another group: the API then shows the new group", async () => {
    const t = await twoGroups();
    const page = await t.browser.get(`/console/partners/${t.jane.id}`);
    expect(page.html).toContain("Move partner");
    const r = await t.browser.post(`/console/partners/${t.jane.id}/move`, { group_id: t.resellers.id });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/console/partners/${t.jane.id}?notice=moved`);
    expect((await t.browser.get(r.location!)).html).toContain("The partner was moved.");
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${t.jane.id}`), 200).group_id).toBe(t.resellers.id);
    const filtered = await t.browser.get(`/console/partners?group_id=${t.resellers.id}`);
    expect(names(filtered.html)).toEqual([t.jane.id, t.tom.id]);
  });

  it("refuses a move to an archived group or none, with the reason next to the group; nothing written", async () => {
    const t = await twoGroups();
    bodyOf(await api(t.key, "POST", `/v1/groups/${t.resellers.id}/archive`), 200);
    await t.browser.get(`/console/partners/${t.jane.id}`);
    const before = await tableSnapshot();
    const archived = await t.browser.post(`/console/partners/${t.jane.id}/move`, { group_id: t.resellers.id });
    expect(archived.status).toBe(422);
    expect(fieldError(archived.html, "group_id")).toBe("Group the group is archived");
    const none = await t.browser.post(`/console/partners/${t.jane.id}/move`, { group_id: "" });
    expect(none.status).toBe(422);
    expect(fieldError(none.html, "group_id")).toBe("Select the group to move the partner to");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("archives a partner and restores them", async () => {
    const t = await twoGroups();
    await t.browser.get(`/console/partners/${t.tom.id}`);
    const archived = await t.browser.post(`/console/partners/${t.tom.id}/status`, { status: "archived" });
    expect(archived.location).toBe(`/console/partners/${t.tom.id}?notice=archived`);
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${t.tom.id}`), 200).status).toBe("archived");
    const page = await t.browser.get(archived.location!);
    expect(page.html).toContain("Restore partner");
    expect(page.html).toContain('<span class="badge muted">Archived</span>');
    const restored = await t.browser.post(`/console/partners/${t.tom.id}/status`, { status: "active" });
    expect(restored.location).toBe(`/console/partners/${t.tom.id}?notice=restored`);
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${t.tom.id}`), 200).status).toBe("active");
    const bad = await t.browser.post(`/console/partners/${t.tom.id}/status`, { status: "deleted" });
    expect(bad.status).toBe(422);
  });
});
