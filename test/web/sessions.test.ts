// The generic server-side sessions of the pages (src/web/sessions.ts), through a tiny app that
// signs in, reads and signs out: cookie flags, hashed storage, sliding expiry with its cap, revocation.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createCompany } from "../../src/companies/service";
import { sha256Hex } from "../../src/lib/hash";
import {
  createSession,
  readSession,
  revokeSession,
  revokeSessionsOf,
  type SessionScope,
  TOUCH_INTERVAL_MS,
} from "../../src/web/sessions";

const HOUR = 3_600_000;
const scope: SessionScope = {
  kind: "user",
  cookieName: "t_session",
  path: "/area",
  idleMs: 2 * HOUR,
  maxAgeMs: 5 * HOUR,
};

/** `now` is read from the `x-now` header, so a test can move time. */
const app = new Hono()
  .post("/area/sign-in", async (c) => {
    const session = await createSession(
      c,
      scope,
      { subjectId: c.req.query("subject")!, companyId: c.req.query("company")! },
      Number(c.req.header("x-now") ?? Date.now()),
    );
    return c.json(session);
  })
  .get("/area/me", async (c) => c.json(await readSession(c, scope, Number(c.req.header("x-now") ?? Date.now()))))
  .post("/area/sign-out", async (c) => {
    await revokeSession(c, scope);
    return c.body(null, 204);
  });

async function signIn(origin = "https://pages.edgeref.test", now = Date.now()) {
  const company = await createCompany(env, { name: `S ${crypto.randomUUID().slice(0, 6)}`, plan: "starter" });
  const subject = `usr_${crypto.randomUUID().slice(0, 8)}`;
  const r = await app.request(
    `${origin}/area/sign-in?subject=${subject}&company=${company.id}`,
    { method: "POST", headers: { "x-now": String(now) } },
    env,
  );
  expect(r.status).toBe(200);
  const setCookie = r.headers.get("set-cookie")!;
  const session = await r.json<{ id: string }>();
  return { setCookie, cookie: setCookie.split(";")[0]!, session, subject, companyId: company.id };
}

async function me(cookie: string, now = Date.now(), origin = "https://pages.edgeref.test") {
  const r = await app.request(`${origin}/area/me`, { headers: { cookie, "x-now": String(now) } }, env);
  return { body: await r.json<{ id: string; expiresAt: number } | null>(), setCookie: r.headers.get("set-cookie") };
}

describe("sessions", () => {
  it("the cookie: a 256-bit token, __Secure-, HttpOnly, Secure, SameSite=Lax, scoped to the area's path", async () => {
    const { setCookie } = await signIn();
    expect(setCookie).toMatch(
      /^__Secure-t_session=[A-Za-z0-9_-]{43}; Max-Age=18000; Path=\/area; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("on plain-http localhost (local development) the cookie is not Secure and has no prefix", async () => {
    for (const origin of ["http://localhost:8788", "http://127.0.0.1:8788"]) {
      const { setCookie } = await signIn(origin);
      expect(setCookie).toMatch(/^t_session=[A-Za-z0-9_-]{43}; Max-Age=18000; Path=\/area; HttpOnly; SameSite=Lax$/);
    }
    // Any other plain-http host still gets Secure: the browser then refuses the cookie rather than leak it.
    expect((await signIn("http://portal.example.com")).setCookie).toContain("; Secure");
  });

  it("stores only the token's SHA-256; the cookie reads the session back", async () => {
    const { cookie, session, subject } = await signIn();
    const token = cookie.split("=")[1]!;
    const row = await env.DB.prepare("SELECT * FROM web_sessions WHERE id = ?").bind(session.id).first();
    expect(row).toMatchObject({
      kind: "user",
      subject_id: subject,
      token_hash: await sha256Hex(token),
      revoked_at: null,
    });
    expect(JSON.stringify(row)).not.toContain(token);
    expect((await me(cookie)).body).toMatchObject({ id: session.id, subjectId: subject });
  });

  it("an unknown, malformed or missing cookie is no session", async () => {
    await signIn();
    for (const cookie of [`__Secure-t_session=${"A".repeat(43)}`, "__Secure-t_session=short", "other=1"]) {
      expect((await me(cookie)).body, cookie).toBeNull();
    }
  });

  it("sliding: each use (at most every 5 minutes) moves the idle expiry, never past the cap", async () => {
    const start = Date.now();
    const { cookie, session } = await signIn(undefined, start);
    // Used within the touch interval: nothing is written.
    expect((await me(cookie, start + TOUCH_INTERVAL_MS - 1)).body!.expiresAt).toBe(start + 2 * HOUR);
    // Used after 1.5 h: idle expiry moves to 3.5 h.
    expect((await me(cookie, start + 1.5 * HOUR)).body!.expiresAt).toBe(start + 3.5 * HOUR);
    expect((await me(cookie, start + 3 * HOUR)).body!.expiresAt).toBe(start + 5 * HOUR);
    // The cap: 5 h after sign-in the session is over however it was used.
    const over = await me(cookie, start + 5 * HOUR);
    expect(over.body).toBeNull();
    expect(over.setCookie).toMatch(/^__Secure-t_session=; Max-Age=0; Path=\/area; HttpOnly; Secure; SameSite=Lax/);
    const row = await env.DB.prepare("SELECT last_seen_at FROM web_sessions WHERE id = ?").bind(session.id).first();
    expect(row!.last_seen_at).toBe(start + 3 * HOUR);
  });

  it("idle: unused for longer than the idle time, the session has expired", async () => {
    const start = Date.now();
    const { cookie } = await signIn(undefined, start);
    expect((await me(cookie, start + 2 * HOUR - 1)).body).not.toBeNull();
    const { cookie: other } = await signIn(undefined, start);
    expect((await me(other, start + 2 * HOUR)).body).toBeNull();
  });

  it("signing out revokes the session: the same cookie is refused afterwards, and the cookie is cleared", async () => {
    const { cookie, session } = await signIn();
    const out = await app.request(
      "https://pages.edgeref.test/area/sign-out",
      { method: "POST", headers: { cookie } },
      env,
    );
    expect(out.headers.get("set-cookie")).toMatch(/^__Secure-t_session=; Max-Age=0; Path=\/area/);
    expect((await me(cookie)).body).toBeNull();
    const row = await env.DB.prepare("SELECT revoked_at FROM web_sessions WHERE id = ?").bind(session.id).first();
    expect(row!.revoked_at).toBeTypeOf("number");
  });

  it("signing in again revokes the browser's previous session (no session fixation)", async () => {
    const first = await signIn();
    const again = await app.request(
      `https://pages.edgeref.test/area/sign-in?subject=${first.subject}&company=${first.companyId}`,
      { method: "POST", headers: { cookie: first.cookie } },
      env,
    );
    expect(again.status).toBe(200);
    expect((await me(first.cookie)).body).toBeNull();
  });

  it("revokeSessionsOf ends every session of a subject", async () => {
    const a = await signIn();
    expect(await revokeSessionsOf(env.DB, "user", a.subject)).toBe(1);
    expect((await me(a.cookie)).body).toBeNull();
  });
});
