// The partner portal's security: every POST is CSRF-checked before its handler runs (nothing
// written when refused); a partner sees only its own leads, deals, rewards and links; a session of
// company A never serves company B's pages, and A's sign-in links never sign in on B's.
import { describe, expect, it } from "vitest";
import { portalRouter } from "../../src/portal/portal.index";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { csrfOf, TestBrowser, textOf } from "../helpers/pages";
import { addPortalPartner, type PortalProgram, portalProgram, signIn, signInLink } from "../helpers/portal";

const LEAD = { company_name: "Globex", contact_name: "Hank", contact_email: "hank@globex.example" };

/** Every POST of the portal, with a valid body (the sign-in link's path is filled by the test). */
const POSTS: Record<string, (t: PortalProgram) => Record<string, string>> = {
  "/:company/sign-in": () => ({ email: "someone@example.com" }),
  "/:company/sign-in/:token{[A-Za-z0-9_-]{1,100}}": () => ({}),
  "/:company/sign-out": () => ({}),
  "/:company/leads": () => LEAD,
  "/:company/deals": () => LEAD,
  "/:company/profile": () => ({ first_name: "Changed", last_name: "Name" }),
};

async function concretePath(route: string, t: PortalProgram, partnerId: string) {
  if (route.includes(":token")) return (await signInLink(t, partnerId)).path;
  return route.replace("/:company", t.base);
}

describe("CSRF", () => {
  it("the table lists every POST route of the portal", () => {
    const posts = portalRouter.routes.filter((r) => r.method === "POST").map((r) => r.path);
    expect(new Set(posts)).toEqual(new Set(Object.keys(POSTS)));
  });

  for (const [route, body] of Object.entries(POSTS)) {
    it(`POST ${route}: 403 without the token, with another's, from another site; nothing written`, async () => {
      const t = await portalProgram();
      const partner = await addPortalPartner(t);
      const browser = await signIn(t, partner.id);
      const path = await concretePath(route, t, partner.id);
      const mine = csrfOf((await browser.get(`${t.base}/profile`)).html);
      const stranger = new TestBrowser();
      const theirs = csrfOf((await stranger.get(`${t.base}/sign-in`)).html);
      const attempts = [
        () => browser.post(path, body(t)),
        () => browser.post(path, body(t), theirs),
        () => browser.post(path, body(t), mine, { origin: "https://evil.example" }),
        () => browser.post(path, body(t), mine, { "sec-fetch-site": "cross-site" }),
      ];
      for (const [i, attempt] of attempts.entries()) {
        const before = await tableSnapshot();
        const r = await attempt();
        expect(r.status, `${route} attempt ${i}`).toBe(403);
        expect(textOf(r.html)).toContain("This form has expired");
        expect(await tableSnapshot(), `${route} attempt ${i} wrote something`).toEqual(before);
        expect(browser.mailer.sent).toEqual([]);
      }
      // The session survived every refused sign-out, and the same POST with the page's token goes through.
      expect((await browser.get(t.base)).status).toBe(200);
      const accepted = await browser.post(path, body(t), mine);
      expect(accepted.status, `${route}: ${textOf(accepted.html).slice(0, 300)}`).toBe(303);
    });
  }
});

describe("CSRF tokens bound to the session", () => {
  const SESSION_COOKIE = "__Secure-edgeref_portal";

  /** POSTs a lead with `from`'s cookies (its form cookie too) but `session`'s session cookie. */
  function postWithSessionOf(from: TestBrowser, session: TestBrowser, path: string, csrf: string) {
    const cookies = from
      .cookieHeader(path)
      .split("; ")
      .filter((pair) => !pair.startsWith(`${SESSION_COOKIE}=`));
    cookies.push(`${SESSION_COOKIE}=${session.cookie(SESSION_COOKIE)!.value}`);
    return from.request(path, {
      method: "POST",
      headers: {
        cookie: cookies.join("; "),
        origin: from.origin,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ ...LEAD, _csrf: csrf }).toString(),
    });
  }

  it("a token of session A sent with session B's cookie: 403, nothing written; in A it goes through", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const [sessionA, sessionB] = [await signIn(t, partner.id), await signIn(t, partner.id)];
    const page = await sessionA.get(`${t.base}/leads`);
    expect(page.html).not.toContain(sessionA.cookie(SESSION_COOKIE)!.value);
    const tokenOfA = csrfOf(page.html);
    expect(csrfOf((await sessionB.get(`${t.base}/leads`)).html)).not.toBe(tokenOfA);
    const before = await tableSnapshot();
    const crossed = await postWithSessionOf(sessionA, sessionB, `${t.base}/leads`, tokenOfA);
    expect(crossed.status).toBe(403);
    expect(textOf(crossed.html)).toContain("This form has expired");
    expect(await tableSnapshot()).toEqual(before);
    const own = await sessionA.post(`${t.base}/leads`, LEAD, tokenOfA);
    expect(own.status).toBe(303);
    expect(textOf((await sessionA.get(`${t.base}/leads`)).html)).toContain(LEAD.company_name);
  });

  it("after sign-out a token of the old session is refused, signed out and signed in again alike", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const browser = await signIn(t, partner.id);
    const oldToken = csrfOf((await browser.get(`${t.base}/leads`)).html);
    expect((await browser.post(`${t.base}/sign-out`, {}, oldToken)).status).toBe(303);
    for (const signInAgain of [false, true]) {
      if (signInAgain) await signIn(t, partner.id, browser);
      const before = await tableSnapshot();
      const r = await browser.post(`${t.base}/leads`, LEAD, oldToken);
      expect(r.status).toBe(403);
      expect(textOf(r.html)).toContain("This form has expired");
      expect(await tableSnapshot()).toEqual(before);
    }
    // The new session's page token goes through.
    expect((await browser.submit(`${t.base}/leads`, LEAD)).status).toBe(303);
  });
});

/** A company with two partners, each with a lead, a deal and a reward of their own. */
async function twoPartners() {
  const t = await portalProgram();
  const make = async (name: string) => {
    const partner = await addPortalPartner(t, name);
    const browser = await signIn(t, partner.id);
    for (const kind of ["leads", "deals"]) {
      const r = await browser.submit(`${t.base}/${kind}`, { ...LEAD, company_name: `${name} ${kind} Inc` });
      expect(r.status).toBe(303);
    }
    expectStatus(
      await api(t.key, "POST", `/v1/partners/${partner.id}/rewards`, {
        amount: 4200,
        currency: "USD",
        reason: `${name}'s bonus`,
      }),
      201,
    );
    const links = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200);
    return { partner, browser, slug: links.data[0]!.slug };
  };
  return { t, a: await make("Alice"), b: await make("Bruno") };
}

describe("partner isolation", () => {
  it("each partner's pages show its own leads, deals, rewards, links and name, never the other's", async () => {
    const { t, a, b } = await twoPartners();
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const name = me.partner.first_name;
      const otherName = other.partner.first_name;
      for (const page of ["", "/stats", "/rewards", "/leads", "/deals", "/profile"]) {
        const r = await me.browser.get(`${t.base}${page}`);
        expect(r.status).toBe(200);
        const text = textOf(r.html);
        expect(text, page).not.toContain(otherName);
        expect(r.html, page).not.toContain(other.slug);
        expect(r.html, page).not.toContain(other.partner.email);
      }
      expect(textOf((await me.browser.get(`${t.base}/leads`)).html)).toContain(`${name} leads Inc`);
      expect(textOf((await me.browser.get(`${t.base}/deals`)).html)).toContain(`${name} deals Inc`);
      expect(textOf((await me.browser.get(`${t.base}/rewards`)).html)).toContain(`Bonus: ${name}'s bonus`);
      expect(textOf((await me.browser.get(t.base)).html)).toContain(me.slug);
      // The other's QR code file is no page of mine.
      expect((await me.browser.get(`${t.base}/links/${other.slug}/qr.svg`)).status).toBe(404);
      expect((await me.browser.get(`${t.base}/links/${me.slug}/qr.svg`)).status).toBe(200);
    }
  });
});

describe("company isolation", () => {
  it("a session of company A serves none of company B's pages: each asks to sign in to B", async () => {
    const [a, b] = [await portalProgram("A"), await portalProgram("B")];
    const partnerOfA = await addPortalPartner(a);
    await addPortalPartner(b);
    const browser = await signIn(a, partnerOfA.id);
    const cookieOfA = browser.cookieHeader(a.base);
    // The browser itself never sends A's cookie to B's pages (its Path is A's portal)...
    expect(browser.cookieHeader(b.base)).not.toContain("edgeref_portal");
    // ...and a cookie copied by hand is no session there either.
    for (const page of ["", "/stats", "/rewards", "/leads", "/deals", "/profile"]) {
      const r = await browser.request(`${b.base}${page}`, { headers: { cookie: cookieOfA } });
      expect(r.status, page).toBe(303);
      expect(r.headers.get("location")).toBe(`${b.base}/sign-in`);
    }
    const csrf = csrfOf((await browser.get(`${b.base}/sign-in`)).html);
    const before = await tableSnapshot();
    const posted = await browser.request(`${b.base}/leads`, {
      method: "POST",
      headers: {
        cookie: `${cookieOfA}; ${browser.cookieHeader(b.base)}`,
        origin: browser.origin,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ ...LEAD, _csrf: csrf }).toString(),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`${b.base}/sign-in`);
    expect(await tableSnapshot()).toEqual(before);
    // A's session still works on A's pages.
    expect((await browser.get(a.base)).status).toBe(200);
  });

  it("a sign-in link of company A does nothing under company B's address, and still works for A", async () => {
    const [a, b] = [await portalProgram("A"), await portalProgram("B")];
    const partnerOfA = await addPortalPartner(a);
    const link = await signInLink(a, partnerOfA.id);
    const underB = link.path.replace(a.base, b.base);
    const browser = new TestBrowser();
    expect((await browser.get(underB)).status).toBe(404);
    const r = await browser.post(underB, {}, csrfOf((await browser.get(`${b.base}/sign-in`)).html));
    expect(r.status).toBe(404);
    expect(r.setCookies.some((c) => c.includes("edgeref_portal="))).toBe(false);
    const landing = await browser.get(link.path);
    expect((await browser.post(link.path, {}, csrfOf(landing.html))).status).toBe(303);
  });
});

describe("without a session", () => {
  it("every page of the portal asks to sign in (303), and a POST with a valid token writes nothing", async () => {
    const t = await portalProgram();
    await addPortalPartner(t);
    const browser = new TestBrowser();
    for (const page of ["", "/stats", "/rewards", "/leads", "/deals", "/profile", "/links/x/qr.svg"]) {
      const r = await browser.get(`${t.base}${page}`);
      expect(r.status, page).toBe(303);
      expect(r.headers.get("location")).toBe(`${t.base}/sign-in`);
    }
    const csrf = csrfOf((await browser.get(`${t.base}/sign-in`)).html);
    const before = await tableSnapshot();
    for (const page of ["/leads", "/deals", "/profile"]) {
      const r = await browser.post(`${t.base}${page}`, LEAD, csrf);
      expect(r.status, page).toBe(303);
    }
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an unknown company's portal and the bare /portal are 404 pages", async () => {
    const browser = new TestBrowser();
    for (const path of ["/portal", "/portal/", "/portal/no-such-company", "/portal/no-such-company/sign-in"]) {
      const r = await browser.get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
  });
});
