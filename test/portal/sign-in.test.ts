// Signing in to the partner portal: one-time links (256-bit, stored hashed, 15 minutes, used once,
// only by the POST of the page they open), the session cookie, sign-out, and the "email me a link"
// form, which answers the same whether or not the address is a partner's.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { consumeSignInLink } from "../../src/portal/sign-in-links";
import { api, expectStatus, tableSnapshot } from "../helpers/admin";
import { csrfOf, TestBrowser, textOf } from "../helpers/pages";
import { addPortalPartner, portalProgram, signIn, signInLink } from "../helpers/portal";

const linkRow = async (token: string) =>
  env.DB.prepare("SELECT * FROM portal_sign_in_links WHERE token_hash = ?")
    .bind(await sha256Hex(token))
    .first<{ used_at: number | null; expires_at: number; company_id: string }>();

const sessionsOf = (partnerId: string) =>
  env.DB.prepare("SELECT * FROM web_sessions WHERE kind = 'partner' AND subject_id = ? ORDER BY id")
    .bind(partnerId)
    .all<{ id: string; token_hash: string; revoked_at: number | null; company_id: string }>()
    .then((r) => r.results);

describe("sign-in links", () => {
  it("a link signs in once: its POST starts a session and opens the portal; used again, it says so", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t, "Jane");
    const link = await signInLink(t, partner.id);
    const browser = new TestBrowser();
    const landing = await browser.get(link.path);
    const csrf = csrfOf(landing.html);
    const first = await browser.post(link.path, {}, csrf);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(t.base);
    const home = await browser.get(t.base);
    expect(home.status).toBe(200);
    expect(textOf(home.html)).toContain("Hello Jane");
    expect((await linkRow(link.token))!.used_at).toBeTypeOf("number");

    const other = new TestBrowser();
    const again = await other.post(link.path, {}, csrfOf((await other.get(`${t.base}/sign-in`)).html));
    expect(again.status).toBe(410);
    expect(textOf(again.html)).toContain("This sign-in link has already been used");
    expect(again.setCookies.filter((c) => c.startsWith("__Secure-edgeref_portal="))).toEqual([]);
    expect((await other.get(link.path)).status).toBe(410);
    expect(await sessionsOf(partner.id)).toHaveLength(1);
  });

  it("opening the link (GET) consumes nothing and sets no session: a mail scanner cannot burn it", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const scanner = new TestBrowser();
    for (let i = 0; i < 3; i++) {
      const opened = await scanner.get(link.path);
      expect(opened.status).toBe(200);
      expect(textOf(opened.html)).toContain("Press the button to sign in");
      expect(opened.html).toContain(`<form method="post" action="${link.path}"`);
      expect(opened.setCookies.some((c) => c.includes("edgeref_portal"))).toBe(false);
    }
    expect((await linkRow(link.token))!.used_at).toBeNull();
    expect(await sessionsOf(partner.id)).toEqual([]);
    await signIn(t, partner.id);
  });

  it("two POSTs of one link at the same time: exactly one signs in (the conditional UPDATE)", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const [a, b] = [new TestBrowser(), new TestBrowser()];
    const [csrfA, csrfB] = [csrfOf((await a.get(link.path)).html), csrfOf((await b.get(link.path)).html)];
    const answers = await Promise.all([a.post(link.path, {}, csrfA), b.post(link.path, {}, csrfB)]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 410]);
    expect(await sessionsOf(partner.id)).toHaveLength(1);
  });

  it("a link works for 15 minutes: expired, its page and its POST say so (410) and nothing signs in", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const { expires_at } = (await linkRow(link.token))!;
    // Up to the last millisecond before expires_at it works; from expires_at on it does not (service level).
    expect(await consumeSignInLink(env, t.companyId, link.token, expires_at)).toEqual({
      ok: false,
      failure: "expired",
    });
    expect((await linkRow(link.token))!.used_at).toBeNull();
    const late = await signInLink(t, partner.id);
    const row = (await linkRow(late.token))!;
    expect(await consumeSignInLink(env, t.companyId, late.token, row.expires_at - 1)).toMatchObject({ ok: true });

    const browser = new TestBrowser();
    const csrf = csrfOf((await browser.get(`${t.base}/sign-in`)).html);
    await env.DB.prepare("UPDATE portal_sign_in_links SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1, await sha256Hex(link.token))
      .run();
    const page = await browser.get(link.path);
    expect(page.status).toBe(410);
    expect(textOf(page.html)).toContain("This sign-in link has expired");
    expect(page.html).toContain(`href="${t.base}/sign-in"`);
    const posted = await browser.post(link.path, {}, csrf);
    expect(posted.status).toBe(410);
    expect(await sessionsOf(partner.id)).toEqual([]);
  });

  it("an unknown or malformed token: a 404 page, no lookup needed for a malformed one", async () => {
    const t = await portalProgram();
    const browser = new TestBrowser();
    for (const token of ["A".repeat(43), "short", "x".repeat(100)]) {
      const r = await browser.get(`${t.base}/sign-in/${token}`);
      expect(r.status, token).toBe(404);
      expect(textOf(r.html)).toContain("This sign-in link does not work");
    }
  });

  it("the token and the session cookie are stored only as SHA-256 hashes", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const browser = new TestBrowser();
    await browser.post(link.path, {}, csrfOf((await browser.get(link.path)).html));
    const sessionToken = browser.cookie("__Secure-edgeref_portal")!.value;
    expect(sessionToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [session] = await sessionsOf(partner.id);
    expect(session!.token_hash).toBe(await sha256Hex(sessionToken));
    expect((await linkRow(link.token))!.company_id).toBe(t.companyId);
    const stored = JSON.stringify(await tableSnapshot());
    expect(stored).not.toContain(link.token);
    expect(stored).not.toContain(sessionToken);
  });

  it("the session cookie: HttpOnly, Secure, SameSite=Lax, only for the company's portal path, 30 days", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const browser = new TestBrowser();
    const r = await browser.post(link.path, {}, csrfOf((await browser.get(link.path)).html));
    const cookie = r.setCookies.find((c) => c.includes("edgeref_portal="));
    expect(cookie).toMatch(
      new RegExp(
        `^__Secure-edgeref_portal=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=/portal/${t.company.slug}; ` +
          "HttpOnly; Secure; SameSite=Lax$",
      ),
    );
  });

  it("on plain-http localhost (npm start) the cookie is not Secure (the browser would drop it there)", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const link = await signInLink(t, partner.id);
    const browser = new TestBrowser(undefined, "http://localhost:8788");
    const r = await browser.post(link.path, {}, csrfOf((await browser.get(link.path)).html));
    expect(r.setCookies.find((c) => c.includes("edgeref_portal="))).toMatch(
      new RegExp(
        `^edgeref_portal=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=/portal/${t.company.slug}; HttpOnly; SameSite=Lax$`,
      ),
    );
    expect((await browser.get(t.base)).status).toBe(200);
  });

  it("signing out revokes the session: the same cookie opens nothing afterwards", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const browser = await signIn(t, partner.id);
    const cookie = browser.cookieHeader(t.base);
    const home = await browser.get(`${t.base}/profile`);
    const out = await browser.post(`${t.base}/sign-out`, {}, csrfOf(home.html));
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe(`${t.base}/sign-in?signed-out`);
    expect(out.setCookies).toContainEqual(
      expect.stringMatching(/^__Secure-edgeref_portal=; Max-Age=0; Path=\/portal\//),
    );
    expect(textOf((await browser.get(`${t.base}/sign-in?signed-out`)).html)).toContain("You are signed out.");
    // The old cookie, replayed by hand, is refused: the session is revoked on the server.
    const replayed = await new TestBrowser().request(`${t.base}/profile`, { headers: { cookie } });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get("location")).toBe(`${t.base}/sign-in`);
    expect((await sessionsOf(partner.id))[0]!.revoked_at).toBeTypeOf("number");
  });

  it("an archived partner: its session ends and its links no longer sign in", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const browser = await signIn(t, partner.id);
    const link = await signInLink(t, partner.id);
    expectStatus(await api(t.key, "PATCH", `/v1/partners/${partner.id}`, { status: "archived" }), 200);
    const r = await browser.get(t.base);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${t.base}/sign-in`);
    expect((await sessionsOf(partner.id))[0]!.revoked_at).toBeTypeOf("number");
    const other = new TestBrowser();
    const page = await other.get(link.path);
    expect(page.status).toBe(403);
    expect((await other.post(link.path, {}, csrfOf((await other.get(`${t.base}/sign-in`)).html))).status).toBe(403);
  });
});

describe("email me a sign-in link", () => {
  it("a partner's address gets one mail whose link signs in; the answer is a 'check your email' page", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t, "Jane");
    const browser = new TestBrowser();
    const r = await browser.submit(`${t.base}/sign-in`, { email: `  ${partner.email.toUpperCase()} ` });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${t.base}/check-email`);
    expect(browser.mailer.sent).toHaveLength(1);
    const [mail] = browser.mailer.sent;
    expect(mail).toMatchObject({
      to: partner.email,
      subject: `Your sign-in link for the ${t.company.name} partner portal`,
    });
    expect(mail!.text).toContain("Hi Jane,");
    const [url] = browser.mailer.linksTo(partner.email);
    expect(url).toMatch(new RegExp(`^https://admin\\.edgeref\\.test${t.base}/sign-in/[A-Za-z0-9_-]{43}$`));
    const path = new URL(url!).pathname;
    const signedIn = await browser.post(path, {}, csrfOf((await browser.get(path)).html));
    expect(signedIn.status).toBe(303);
    expect((await browser.get(t.base)).status).toBe(200);
  });

  it("no enumeration: an unknown, an archived and a partner's address get the very same answer", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const archived = await addPortalPartner(t);
    expectStatus(await api(t.key, "PATCH", `/v1/partners/${archived.id}`, { status: "archived" }), 200);
    const answers = [];
    for (const email of [partner.email, "nobody@example.com", archived.email]) {
      const browser = new TestBrowser();
      const r = await browser.submit(`${t.base}/sign-in`, { email });
      const page = await browser.get(r.headers.get("location")!);
      answers.push({
        status: r.status,
        location: r.headers.get("location"),
        cookies: r.setCookies.map((c) => c.slice(0, c.indexOf("="))),
        page: page.html.replace(/name="_csrf" value="[^"]+"/, ""),
        mails: browser.mailer.sent.length,
      });
    }
    expect(answers[1]).toEqual({ ...answers[0], mails: 0 });
    expect(answers[2]).toEqual({ ...answers[0], mails: 0 });
    expect(answers[0]!.mails).toBe(1);
    expect(textOf(answers[0]!.page)).toContain("If the address you entered belongs to a partner");
  });

  it("a partner of another company asking on this company's page gets nothing", async () => {
    const [a, b] = [await portalProgram("A"), await portalProgram("B")];
    const partnerOfB = await addPortalPartner(b);
    const browser = new TestBrowser();
    const r = await browser.submit(`${a.base}/sign-in`, { email: partnerOfB.email });
    expect(r.headers.get("location")).toBe(`${a.base}/check-email`);
    expect(browser.mailer.sent).toEqual([]);
  });

  it("an address that is no address: 422, the error next to the field, the value kept, nothing sent", async () => {
    const t = await portalProgram();
    const browser = new TestBrowser();
    for (const [email, message] of [
      ["", "Enter your email address"],
      ["jane@", "Enter an email address in the correct format, like name@example.com"],
    ]) {
      const r = await browser.submit(`${t.base}/sign-in`, { email: email! });
      expect(r.status).toBe(422);
      expect(r.html).toContain("<title>Error: Sign in");
      expect(r.html).toContain(`<p id="field-email-error" class="field-error">`);
      expect(textOf(r.html)).toContain(`Error: ${message}`);
      expect(r.html).toContain(`value="${email}"`);
    }
    expect(browser.mailer.sent).toEqual([]);
  });

  it("per address: three links a minute, then the same answer and no more mail", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const mailer = new TestBrowser().mailer;
    for (let i = 0; i < 5; i++) {
      // A new browser (and IP) each time: the limit is the address's, not the client's.
      const r = await new TestBrowser(mailer).submit(`${t.base}/sign-in`, { email: partner.email });
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toBe(`${t.base}/check-email`);
    }
    expect(mailer.sent).toHaveLength(3);
  });

  it("per client IP: ten requests a minute, then a 429 page", async () => {
    const t = await portalProgram();
    const browser = new TestBrowser();
    const csrf = csrfOf((await browser.get(`${t.base}/sign-in`)).html);
    const statuses = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await browser.post(`${t.base}/sign-in`, { email: `n${i}@example.com` }, csrf)).status);
    expect(statuses).toEqual([...Array(10).fill(303), 429]);
    const refused = await browser.post(`${t.base}/sign-in`, { email: "n@example.com" }, csrf);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(textOf(refused.html)).toContain("Too many requests");
  });

  it("already signed in, the sign-in page leads to the portal", async () => {
    const t = await portalProgram();
    const browser = await signIn(t, (await addPortalPartner(t)).id);
    const r = await browser.get(`${t.base}/sign-in`);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(t.base);
  });
});
