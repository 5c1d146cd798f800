// What the console lets nobody do: a form POST without its CSRF token (every POST route), a viewer's
// write (every write route, and no write control shown to a viewer), a non-owner's user management,
// and a user of one company reading or changing another company's groups, partners, keys or users
// by putting their ids in the URL or the form. Each refusal writes nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/api-keys/service";
import { submitApplication } from "../../src/applications/service";
import { consoleRouter } from "../../src/console/console.index";
import { registerDeal } from "../../src/deals/service";
import { createGroup, updateGroup } from "../../src/groups/service";
import { submitLead } from "../../src/leads/service";
import { claimLinkDomain, listLinkDomains } from "../../src/link-domains/service";
import { createDefaultLink } from "../../src/links/service";
import { createOffer } from "../../src/offers/service";
import { addStage, listStages } from "../../src/pipelines/service";
import { createInvite } from "../../src/users/service";
import { tableSnapshot } from "../helpers/admin";
import { addConsoleUser, ConsoleBrowser, consoleTenant, fieldError } from "../helpers/console";
import { addPartner } from "../helpers/fixtures";

/** A company with an owner, an admin and a viewer signed in, and one of everything the console changes. */
async function company() {
  const owner = await consoleTenant("enterprise", "owner");
  const admin = await addConsoleUser(owner.companyId, "admin");
  const viewer = await addConsoleUser(owner.companyId, "viewer");
  const group = await createGroup(env, owner.companyId, { name: "Affiliates", destinationUrl: "https://a.example/" });
  const other = await createGroup(env, owner.companyId, { name: "Resellers", destinationUrl: "https://a.example/r" });
  const partner = await addPartner(owner.companyId, group.id);
  const signupDollar = {
    event: "signup" as const,
    conditions: {},
    reward: { type: "flat" as const, amount: 100, currency: "USD" },
  };
  const offer = await createOffer(env, owner.companyId, group.id, { name: "Launch", triggers: [signupDollar] }, "test");
  const link = await createDefaultLink(env, owner.companyId, group.id, {
    title: "Pricing",
    destinationUrl: "https://a.example/pricing",
    linkText: "pricing",
  });
  const key = await createApiKey(env, owner.companyId, { name: "second" });
  const { invite, token } = await createInvite(env, owner.companyId, owner.user.id, {
    email: `invitee-${crypto.randomUUID().slice(0, 8)}@console.test`,
    role: "viewer",
  });
  const tabs = await formTabsFixture(owner.companyId, group.id, partner.id);
  // The tenant's verified domain (verifying it again looks nothing up) and a pending claim to remove.
  const [verifiedDomain] = await listLinkDomains(env, owner.companyId);
  const pendingDomain = await claimLinkDomain(env, owner.companyId, {
    hostname: `try.${crypto.randomUUID().slice(0, 8)}.com`,
  });
  return {
    ...owner,
    owner: owner.browser,
    admin,
    viewer,
    ids: {
      ...tabs,
      groupId: group.id,
      otherGroupId: other.id,
      partnerId: partner.id,
      offerId: offer.offer.id,
      linkId: link.id,
      keyId: key.id,
      verifiedDomainId: verifiedDomain!.id,
      pendingDomainId: pendingDomain.id,
      inviteId: invite.id,
      userId: admin.user.id,
      token,
    },
  };
}
type Ids = Awaited<ReturnType<typeof company>>["ids"];

/** For the form tabs (leads, deals, applications): a lead, a deal, two pending applications, spare stages. */
async function formTabsFixture(companyId: string, groupId: string, partnerId: string) {
  await updateGroup(env, companyId, groupId, {
    leadSubmissionEnabled: true,
    dealRegistrationEnabled: true,
    applicationFormEnabled: true,
  });
  const caller = { companyId, partnerId, credentialId: "test" };
  const values = { company_name: "Globex", contact_name: "Hank", contact_email: "hank@globex.example" };
  const lead = await submitLead(env, caller, values);
  const deal = await registerDeal(env, caller, values);
  const spareLeadStage = await addStage(env, companyId, groupId, "lead", { name: "Spare" });
  const spareDealStage = await addStage(env, companyId, groupId, "deal", { name: "Spare" });
  const stageNamed = async (kind: "lead" | "deal", name: string) =>
    (await listStages(env, companyId, groupId, kind)).find((stage) => stage.name === name)!.id;
  const apply = (first: string) =>
    submitApplication(env, companyId, {
      groupId,
      values: { first_name: first, last_name: "Doe", email: `${first}-${crypto.randomUUID().slice(0, 8)}@apply.test` },
    });
  return {
    leadId: lead.id,
    dealId: deal.id,
    spareLeadStageId: spareLeadStage.stage.id,
    spareDealStageId: spareDealStage.stage.id,
    contactedStageId: await stageNamed("lead", "Contacted"),
    inProgressStageId: await stageNamed("deal", "In progress"),
    approveApplicationId: (await apply("approve")).id,
    rejectApplicationId: (await apply("reject")).id,
  };
}

interface Write {
  path: string;
  fields: Record<string, string>;
}

/** An offer form's one trigger (a $1 signup reward), named as the API names its fields. */
const SIGNUP_TRIGGER = {
  "triggers.0.event": "signup",
  "triggers.0.reward.type": "flat",
  "triggers.0.reward.amount": "1",
  "triggers.0.reward.currency": "USD",
};

/** The routes of the form editor (src/console/tabs/form-editor.tsx) in the tab `slug`, in an order that succeeds. */
function formEditorWrites(slug: string, fieldKey: string): Record<string, (ids: Ids) => Write> {
  const route = (rest: string) => `/groups/:groupId/${slug}${rest}`;
  const path = (ids: Ids, rest: string) => `/console/groups/${ids.groupId}/${slug}${rest}`;
  return {
    [route("/enabled")]: (ids) => ({ path: path(ids, "/enabled"), fields: { enabled: "true" } }),
    [route("/form")]: (ids) => ({ path: path(ids, "/form"), fields: { title: "Our form", description: "" } }),
    [route("/fields")]: (ids) => ({ path: path(ids, "/fields"), fields: { label: "Budget", type: "number" } }),
    [route("/fields/:fieldKey")]: (ids) => ({
      path: path(ids, `/fields/${fieldKey}`),
      fields: { label: "Renamed", type: "text", help_text: "", placeholder: "" },
    }),
    [route("/fields/:fieldKey/move")]: (ids) => ({
      path: path(ids, `/fields/${fieldKey}/move`),
      fields: { position: "1" },
    }),
    [route("/fields/:fieldKey/remove")]: (ids) => ({ path: path(ids, `/fields/${fieldKey}/remove`), fields: {} }),
    [route("/reset")]: (ids) => ({ path: path(ids, "/reset"), fields: {} }),
  };
}

/** The routes of the pipeline editor (src/console/tabs/pipeline-editor.tsx) and the entry pages of a tab. */
function pipelineWrites(slug: string, kind: "lead" | "deal"): Record<string, (ids: Ids) => Write> {
  const route = (rest: string) => `/groups/:groupId/${slug}${rest}`;
  const path = (ids: Ids, rest: string) => `/console/groups/${ids.groupId}/${slug}${rest}`;
  const spare = (ids: Ids) => (kind === "lead" ? ids.spareLeadStageId : ids.spareDealStageId);
  return {
    [route("/stages")]: (ids) => ({ path: path(ids, "/stages"), fields: { name: "Demo booked" } }),
    [route("/stages/:stageId")]: (ids) => ({ path: path(ids, `/stages/${spare(ids)}`), fields: { name: "Spare 2" } }),
    [route("/stages/:stageId/move")]: (ids) => ({
      path: path(ids, `/stages/${spare(ids)}/move`),
      fields: { position: "1" },
    }),
    [route("/stages/:stageId/remove")]: (ids) => ({ path: path(ids, `/stages/${spare(ids)}/remove`), fields: {} }),
    [route(`/${kind}s/:entryId/move`)]: (ids) => ({
      path: path(ids, `/${kind}s/${kind === "lead" ? ids.leadId : ids.dealId}/move`),
      fields: { stage_id: kind === "lead" ? ids.contactedStageId : ids.inProgressStageId },
    }),
  };
}

/** The Lead submission, Deal registration and Application tabs' write routes. */
const FORM_TAB_WRITES: Record<string, (ids: Ids) => Write> = {
  ...formEditorWrites("lead-submission", "notes"),
  ...pipelineWrites("lead-submission", "lead"),
  ...formEditorWrites("deal-registration", "notes"),
  ...pipelineWrites("deal-registration", "deal"),
  "/groups/:groupId/deal-registration/final-stage": (ids) => ({
    path: `/console/groups/${ids.groupId}/deal-registration/final-stage`,
    fields: { movers: "partners", creates_customer: "yes" },
  }),
  "/groups/:groupId/deal-registration/deals": (ids) => ({
    path: `/console/groups/${ids.groupId}/deal-registration/deals`,
    fields: { partner_id: ids.partnerId, company_name: "Initech", contact_name: "Bill", contact_email: "b@i.example" },
  }),
  ...formEditorWrites("application", "company"),
  "/groups/:groupId/application/applications/:applicationId/approve": (ids) => ({
    path: `/console/groups/${ids.groupId}/application/applications/${ids.approveApplicationId}/approve`,
    fields: {},
  }),
  "/groups/:groupId/application/applications/:applicationId/reject": (ids) => ({
    path: `/console/groups/${ids.groupId}/application/applications/${ids.rejectApplicationId}/reject`,
    fields: { reason: "Not now" },
  }),
};

/** Every write route of the signed-in console, with a request that succeeds for its owner. */
const WRITES: Record<string, (ids: Ids) => Write> = {
  ...FORM_TAB_WRITES,
  "/groups": () => ({ path: "/console/groups", fields: { name: "New group", destination_url: "https://a.example/n" } }),
  "/groups/:groupId/settings": (ids) => ({
    path: `/console/groups/${ids.groupId}/settings`,
    fields: { name: "Renamed", terms_url: "" },
  }),
  "/groups/:groupId/offers": (ids) => ({
    path: `/console/groups/${ids.groupId}/offers`,
    fields: { name: "New offer", active: "yes", hold_days: "30", ...SIGNUP_TRIGGER },
  }),
  "/groups/:groupId/offers/:offerId": (ids) => ({
    path: `/console/groups/${ids.groupId}/offers/${ids.offerId}`,
    fields: { name: "Renamed offer", hold_days: "7", ...SIGNUP_TRIGGER },
  }),
  "/groups/:groupId/links": (ids) => ({
    path: `/console/groups/${ids.groupId}/links`,
    fields: { title: "Docs", destination_url: "https://a.example/docs", link_text: "docs" },
  }),
  "/groups/:groupId/links/referral-links": (ids) => ({
    path: `/console/groups/${ids.groupId}/links/referral-links`,
    fields: { referral_links_enabled: "false" },
  }),
  "/groups/:groupId/links/:linkId": (ids) => ({
    path: `/console/groups/${ids.groupId}/links/${ids.linkId}`,
    fields: { title: "Plans", destination_url: "https://a.example/plans" },
  }),
  "/groups/:groupId/links/:linkId/delete": (ids) => ({
    path: `/console/groups/${ids.groupId}/links/${ids.linkId}/delete`,
    fields: {},
  }),
  "/groups/:groupId/social-content": (ids) => ({
    path: `/console/groups/${ids.groupId}/social-content`,
    fields: { channel: "twitter", intent: "update", "twitter.message": "Try it: {link}" },
  }),
  "/partners/:partnerId/move": (ids) => ({
    path: `/console/partners/${ids.partnerId}/move`,
    fields: { group_id: ids.otherGroupId },
  }),
  "/partners/:partnerId/status": (ids) => ({
    path: `/console/partners/${ids.partnerId}/status`,
    fields: { status: "archived" },
  }),
  "/settings": (ids) => ({
    path: "/console/settings",
    fields: { default_group_id: ids.otherGroupId, terms_url: "https://a.example.com/terms", fallback_url: "" },
  }),
  "/settings/link-domains": () => ({
    path: "/console/settings/link-domains",
    fields: { hostname: `try.${crypto.randomUUID().slice(0, 8)}.com`, cookie_domain: "" },
  }),
  "/settings/link-domains/:domainId/verify": (ids) => ({
    path: `/console/settings/link-domains/${ids.verifiedDomainId}/verify`,
    fields: {},
  }),
  "/settings/link-domains/:domainId/remove": (ids) => ({
    path: `/console/settings/link-domains/${ids.pendingDomainId}/remove`,
    fields: {},
  }),
  "/settings/api-keys": () => ({ path: "/console/settings/api-keys", fields: { name: "CI" } }),
  "/settings/api-keys/:keyId/revoke": (ids) => ({ path: `/console/settings/api-keys/${ids.keyId}/revoke`, fields: {} }),
  "/settings/users/invites": () => ({
    path: "/console/settings/users/invites",
    fields: { email: `new-${crypto.randomUUID().slice(0, 8)}@console.test`, role: "admin" },
  }),
  "/settings/users/invites/:inviteId/revoke": (ids) => ({
    path: `/console/settings/users/invites/${ids.inviteId}/revoke`,
    fields: {},
  }),
  "/settings/users/:userId/remove": (ids) => ({ path: `/console/settings/users/${ids.userId}/remove`, fields: {} }),
};

/** POST routes open without a session (their own checks are tested in sign-in and invites tests). */
const OPEN_POSTS: Record<string, (ids: Ids) => Write> = {
  "/sign-in": () => ({ path: "/console/sign-in", fields: { email: "x@console.test", password: "whatever it is" } }),
  "/sign-out": () => ({ path: "/console/sign-out", fields: {} }),
  "/invites/:token": (ids) => ({ path: `/console/invites/${ids.token}`, fields: { password: "a long new password" } }),
};

const ALL_POSTS = { ...WRITES, ...OPEN_POSTS };

let a: Awaited<ReturnType<typeof company>>;
let b: Awaited<ReturnType<typeof company>>;

beforeAll(async () => {
  a = await company();
  b = await company();
});

describe("console security", () => {
  it("every POST route of the console is in this file's tables", () => {
    const routes = consoleRouter.routes.filter((route) => route.method === "POST").map((route) => route.path);
    expect(new Set(routes)).toEqual(new Set(Object.keys(ALL_POSTS)));
  });

  it.each(Object.keys(ALL_POSTS))(
    "POST %s without its CSRF token, or from another origin: 403, nothing written",
    async (route) => {
      const { path, fields } = ALL_POSTS[route]!(a.ids);
      const before = await tableSnapshot();
      const noToken = await a.owner.post(path, { ...fields, _csrf: "" });
      expect(noToken.status).toBe(403);
      expect(noToken.html).toContain("<h1>This form has expired</h1>");
      const crossSite = await a.owner.post(path, fields, { origin: "https://evil.example" });
      expect(crossSite.status).toBe(403);
      expect(crossSite.html).toContain("<h1>This form has expired</h1>");
      // A token made for another browser's cookie.
      const stranger = new ConsoleBrowser();
      await stranger.get("/console/sign-in");
      const foreign = await a.owner.post(path, { ...fields, _csrf: stranger.csrf });
      expect(foreign.status).toBe(403);
      expect(await tableSnapshot()).toEqual(before);
    },
  );

  it.each(Object.keys(WRITES))(
    "a viewer's POST %s is refused with a 403 page before it runs: nothing written",
    async (route) => {
      const { path, fields } = WRITES[route]!(a.ids);
      await a.viewer.browser.get("/console");
      const before = await tableSnapshot();
      const r = await a.viewer.browser.post(path, fields);
      expect(r.status).toBe(403);
      expect(r.html).toContain("<h1>You cannot do this</h1>");
      expect(await tableSnapshot()).toEqual(before);
    },
  );

  it("a viewer is shown no write control: no form but sign-out and the partner filter, no 'Create group'", async () => {
    const pages = [
      "/console",
      `/console/groups/${a.ids.groupId}/settings`,
      `/console/groups/${a.ids.groupId}/offers`,
      `/console/groups/${a.ids.groupId}/offers/${a.ids.offerId}`,
      `/console/groups/${a.ids.groupId}/links`,
      `/console/groups/${a.ids.groupId}/links/${a.ids.linkId}`,
      `/console/groups/${a.ids.groupId}/social-content`,
      `/console/groups/${a.ids.groupId}/lead-submission`,
      `/console/groups/${a.ids.groupId}/lead-submission/leads/${a.ids.leadId}`,
      `/console/groups/${a.ids.groupId}/deal-registration`,
      `/console/groups/${a.ids.groupId}/deal-registration/deals/${a.ids.dealId}`,
      `/console/groups/${a.ids.groupId}/application`,
      `/console/groups/${a.ids.groupId}/application/applications/${a.ids.approveApplicationId}`,
      "/console/partners",
      `/console/partners/${a.ids.partnerId}`,
      "/console/settings",
      "/console/settings/link-domains",
      "/console/settings/api-keys",
    ];
    for (const path of pages) {
      const r = await a.viewer.browser.get(path);
      expect(r.status, path).toBe(200);
      const actions = [...r.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);
      expect(actions, path).toEqual(["/console/sign-out"]);
      expect(r.html, path).not.toMatch(
        /Create group|Create key|Move partner|Archive partner|<button type="submit">Save/,
      );
    }
    expect((await a.viewer.browser.get("/console/groups/new")).status).toBe(403);
    expect((await a.viewer.browser.get("/console/settings/users")).status).toBe(403);
    expect((await a.viewer.browser.get(`/console/settings/link-domains/${a.ids.pendingDomainId}/remove`)).status).toBe(
      403,
    );
    // A viewer may still sign out.
    const viewer = await addConsoleUser(a.companyId, "viewer");
    await viewer.browser.get("/console");
    expect((await viewer.browser.post("/console/sign-out")).location).toBe("/console/sign-in?notice=signed-out");
  });

  it("the owner's request of each write route goes through (the table's requests are real ones)", async () => {
    const c = await company();
    for (const route of Object.keys(WRITES)) {
      const { path, fields } = WRITES[route]!(c.ids);
      await c.owner.get("/console");
      const r = await c.owner.post(path, fields);
      expect([200, 303], `${route}: ${r.html.slice(0, 300)}`).toContain(r.status);
      expect(r.html, route).not.toContain('class="error-summary"');
    }
  });

  it("users and invites are the owner's: an admin gets 403 for the page and every users POST", async () => {
    expect((await a.admin.browser.get("/console/settings/users")).status).toBe(403);
    const settings = await a.admin.browser.get("/console/settings");
    expect(settings.html).not.toContain('href="/console/settings/users"');
    const before = await tableSnapshot();
    for (const route of Object.keys(WRITES).filter((r) => r.startsWith("/settings/users"))) {
      const { path, fields } = WRITES[route]!(a.ids);
      expect((await a.admin.browser.post(path, fields)).status, route).toBe(403);
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("CSRF tokens bound to the session", () => {
  const SESSION_COOKIE = "__Secure-edgeref_console";
  const NEW_GROUP = { name: "Bound group", destination_url: "https://a.example/bound" };

  /** A browser with all of `from`'s cookies (its form cookie too) but `session`'s session cookie. */
  function withSessionOf(from: ConsoleBrowser, session: ConsoleBrowser) {
    const mixed = new ConsoleBrowser();
    for (const [name, value] of from.cookies) mixed.cookies.set(name, value);
    mixed.cookies.set(SESSION_COOKIE, session.cookies.get(SESSION_COOKIE)!);
    return mixed;
  }

  it("a token of session A sent with session B's cookie: 403, nothing written; in A it goes through", async () => {
    const owner = await consoleTenant();
    const sessionA = owner.browser;
    const sessionB = new ConsoleBrowser();
    expect((await sessionB.signIn(owner.email)).status).toBe(303);
    const page = await sessionA.get("/console/groups/new");
    expect(page.html).not.toContain(sessionA.cookies.get(SESSION_COOKIE));
    const tokenOfA = sessionA.csrf;
    const before = await tableSnapshot();
    const crossed = await withSessionOf(sessionA, sessionB).post("/console/groups", { ...NEW_GROUP, _csrf: tokenOfA });
    expect(crossed.status).toBe(403);
    expect(crossed.html).toContain("<h1>This form has expired</h1>");
    expect(await tableSnapshot()).toEqual(before);
    // B's own page token differs, and A's token still works in A.
    await sessionB.get("/console/groups/new");
    expect(sessionB.csrf).not.toBe(tokenOfA);
    const own = await sessionA.post("/console/groups", { ...NEW_GROUP, _csrf: tokenOfA });
    expect(own.status).toBe(303);
    const created = await env.DB.prepare("SELECT name FROM groups WHERE company_id = ?").bind(owner.companyId).all();
    expect(created.results).toEqual([{ name: NEW_GROUP.name }]);
  });

  it("after sign-out a token of the old session is refused, signed out and signed in again alike", async () => {
    const { browser, email } = await consoleTenant();
    await browser.get("/console/groups/new");
    const oldToken = browser.csrf;
    expect((await browser.post("/console/sign-out")).status).toBe(303);
    for (const signInAgain of [false, true]) {
      if (signInAgain) expect((await browser.signIn(email)).status).toBe(303);
      const before = await tableSnapshot();
      const r = await browser.post("/console/groups", { ...NEW_GROUP, _csrf: oldToken });
      expect(r.status).toBe(403);
      expect(r.html).toContain("<h1>This form has expired</h1>");
      expect(await tableSnapshot()).toEqual(before);
    }
    // The new session's page token goes through.
    await browser.get("/console/groups/new");
    expect((await browser.post("/console/groups", NEW_GROUP)).status).toBe(303);
  });
});

describe("company isolation", () => {
  it("a user of A opening B's group, tabs or partner by id gets the 404 page", async () => {
    for (const path of [
      `/console/groups/${b.ids.groupId}`,
      `/console/groups/${b.ids.groupId}/settings`,
      `/console/groups/${b.ids.groupId}/offers`,
      `/console/groups/${b.ids.groupId}/offers/${b.ids.offerId}`,
      `/console/groups/${a.ids.groupId}/offers/${b.ids.offerId}`,
      `/console/groups/${b.ids.groupId}/links`,
      `/console/groups/${a.ids.groupId}/links/${b.ids.linkId}`,
      `/console/groups/${a.ids.groupId}/links/${b.ids.linkId}/delete`,
      `/console/groups/${b.ids.groupId}/social-content`,
      `/console/groups/${b.ids.groupId}/lead-submission`,
      `/console/groups/${a.ids.groupId}/lead-submission/leads/${b.ids.leadId}`,
      `/console/groups/${a.ids.groupId}/deal-registration/deals/${b.ids.dealId}`,
      `/console/groups/${a.ids.groupId}/application/applications/${b.ids.approveApplicationId}`,
      `/console/partners/${b.ids.partnerId}`,
      `/console/settings/link-domains/${b.ids.pendingDomainId}/remove`,
    ]) {
      const r = await a.owner.get(path);
      expect(r.status, path).toBe(404);
      expect(r.html, path).toContain("<h1>Page not found</h1>");
      expect(r.html, path).not.toContain("Resellers");
    }
  });

  it("B's ids in A's write URLs: 404, and nothing of B (or A) changes", async () => {
    const withIds = Object.keys(WRITES).filter((route) => route.includes(":"));
    for (const route of withIds) {
      const { path, fields } = WRITES[route]!(b.ids);
      await a.owner.get("/console");
      const before = await tableSnapshot();
      const r = await a.owner.post(path, fields);
      expect(r.status, route).toBe(404);
      expect(await tableSnapshot(), route).toEqual(before);
    }
  });

  it("B's group in A's forms (move a partner, default group, the partner filter): a 422 on that field", async () => {
    await a.owner.get("/console");
    const before = await tableSnapshot();
    const move = await a.owner.post(`/console/partners/${a.ids.partnerId}/move`, { group_id: b.ids.groupId });
    expect(move.status).toBe(422);
    expect(fieldError(move.html, "group_id")).toMatch(/^Group no group with id/);
    const settings = await a.owner.post("/console/settings", {
      default_group_id: b.ids.groupId,
      terms_url: "",
      fallback_url: "",
    });
    expect(settings.status).toBe(422);
    expect(fieldError(settings.html, "default_group_id")).toBe("Default group must be a live group of this company");
    expect(await tableSnapshot()).toEqual(before);
    const filter = await a.owner.get(`/console/partners?group_id=${b.ids.groupId}`);
    expect(filter.status).toBe(422);
    expect(fieldError(filter.html, "group_id")).toBe("Group no group with this id in your company");
    expect(filter.html).not.toContain(b.ids.partnerId);
  });

  it("lists show only the user's company: groups, partners, keys, users", async () => {
    const pages = await Promise.all(
      ["/console", "/console/partners", "/console/settings/api-keys", "/console/settings/users"].map((path) =>
        a.owner.get(path),
      ),
    );
    const html = pages.map((page) => page.html).join("\n");
    expect(html).not.toContain(b.ids.groupId);
    expect(html).not.toContain(b.ids.partnerId);
    expect(html).not.toContain(b.ids.keyId);
    expect(html).not.toContain(b.email);
    expect(html).toContain(a.ids.groupId);
    expect(html).toContain(a.email);
  });
});
