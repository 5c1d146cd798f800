// Server-side sessions for the signed-in areas of the pages: the partner portal (`kind: "partner"`)
// and the company console (`kind: "user"`). The browser holds only a random 256-bit token in a
// cookie; D1 holds its SHA-256 (`web_sessions`), so a leaked table signs nobody in, and a session
// ends for good when its row is revoked (sign-out) or expires.
//
// Cookie: `HttpOnly` (no script reads it), `SameSite=Lax` (not sent with another site's POSTs),
// `Path` = the area's prefix (a portal cookie never reaches the console or the API), and `Secure`
// with the `__Secure-` prefix everywhere but plain-http localhost (local development).
//
// Expiry is SLIDING with a fixed cap: a session unused for `idleMs` expires; using it moves that
// point forward (written at most once per TOUCH_INTERVAL_MS, so reads stay reads), but never past
// `createdAt + maxAgeMs`, after which the visitor signs in again whatever they did.
//
// The forms of a signed-in page carry CSRF tokens bound to the session (src/web/csrf.ts): the
// area's `sessionLoader` reads the session before the CSRF check and sets its `csrfSecret`.
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AdminContext } from "../admin/context";
import type { StorageEnv } from "../env";
import { newId } from "../lib/ids";
import { randomToken, TOKEN_SHAPE, tokenHash } from "../lib/tokens";
import { sessionCsrfSecret } from "./csrf";

export type SessionKind = "partner" | "user";

/** Where and how long one area's sessions live. */
export interface SessionScope {
  kind: SessionKind;
  /** The cookie's name (`__Secure-` is put before it when the cookie is `Secure`). */
  cookieName: string;
  /** The cookie's `Path`: the area's prefix, e.g. `/portal/acme` or `/console`. */
  path: string;
  /** A session not used for this long expires (sliding). */
  idleMs: number;
  /** No session lives longer than this from its creation, however much it is used. */
  maxAgeMs: number;
}

export interface WebSession {
  id: string;
  kind: SessionKind;
  subjectId: string;
  companyId: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  /** What this session's CSRF tokens derive from (never the session token itself). */
  csrfSecret: string;
}

/** Sliding expiry is written back at most this often per session. */
export const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

interface SessionRow {
  id: string;
  kind: SessionKind;
  subject_id: string;
  company_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  revoked_at: number | null;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `Secure` everywhere except plain-http localhost, where a browser would drop a Secure cookie. */
export function isSecureContext(c: Context): boolean {
  const url = new URL(c.req.url);
  return !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

export function sessionCookieName(c: Context, scope: SessionScope): string {
  return isSecureContext(c) ? `__Secure-${scope.cookieName}` : scope.cookieName;
}

function cookieOptions(c: Context, scope: SessionScope) {
  return { path: scope.path, httpOnly: true, secure: isSecureContext(c), sameSite: "Lax" as const };
}

const env = (c: Context) => c.env as StorageEnv;

/**
 * Starts a session for `subject` and sets its cookie. Any session the browser had in this scope is
 * revoked first: a new sign-in never continues an older (possibly planted) session.
 */
export async function createSession(
  c: Context,
  scope: SessionScope,
  subject: { subjectId: string; companyId: string },
  now = Date.now(),
): Promise<WebSession> {
  await revokeCurrent(c, scope, now);
  const token = randomToken();
  const session: WebSession = {
    id: newId("webSession", now),
    kind: scope.kind,
    subjectId: subject.subjectId,
    companyId: subject.companyId,
    createdAt: now,
    expiresAt: Math.min(now + scope.idleMs, now + scope.maxAgeMs),
    lastSeenAt: now,
    csrfSecret: await sessionCsrfSecret(token),
  };
  await env(c)
    .DB.prepare(
      `INSERT INTO web_sessions (id, kind, subject_id, company_id, token_hash, created_at, expires_at, last_seen_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
    )
    .bind(
      session.id,
      session.kind,
      session.subjectId,
      session.companyId,
      await tokenHash(token),
      now,
      session.expiresAt,
      now,
    )
    .run();
  // The browser may keep the cookie until the cap; the server decides idle expiry.
  setCookie(c, sessionCookieName(c, scope), token, {
    ...cookieOptions(c, scope),
    maxAge: Math.floor(scope.maxAgeMs / 1000),
  });
  return session;
}

/**
 * The live session the request's cookie names in this scope, or null (no cookie, unknown token,
 * revoked, expired; the cookie is then cleared). Using a session slides its idle expiry.
 */
export async function readSession(c: Context, scope: SessionScope, now = Date.now()): Promise<WebSession | null> {
  const token = getCookie(c, sessionCookieName(c, scope));
  if (token === undefined) return null;
  const row = TOKEN_SHAPE.test(token) ? await findByToken(env(c).DB, scope.kind, token) : null;
  if (!row || row.revoked_at !== null || row.expires_at <= now || row.created_at + scope.maxAgeMs <= now) {
    deleteCookie(c, sessionCookieName(c, scope), cookieOptions(c, scope));
    return null;
  }
  const session: WebSession = {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    companyId: row.company_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
    csrfSecret: await sessionCsrfSecret(token),
  };
  if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
    session.expiresAt = Math.min(now + scope.idleMs, row.created_at + scope.maxAgeMs);
    session.lastSeenAt = now;
    await env(c)
      .DB.prepare("UPDATE web_sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1 AND revoked_at IS NULL")
      .bind(row.id, now, session.expiresAt)
      .run();
  }
  return session;
}

/**
 * A signed-in area's middleware, run before the CSRF check (createPageRouter's `beforeCsrf`): reads
 * the visitor's live session once per request into `webSession` (what the area's access checks use)
 * and binds the forms' CSRF tokens to it. `belongs` refuses a live session that is not this page's
 * (the portal: another company's). Without a session, tokens stay on the form cookie.
 */
export function sessionLoader<E extends AdminContext>(
  scopeOf: (c: Context<E>) => SessionScope,
  belongs: (c: Context<E>, session: WebSession) => boolean = () => true,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const session = await readSession(c, scopeOf(c));
    if (session && belongs(c, session)) {
      c.set("webSession", session);
      c.set("csrfSecret", session.csrfSecret);
    }
    await next();
  };
}

/** Signs the browser out of this scope: its session is revoked (refused from now on) and the cookie cleared. */
export async function revokeSession(c: Context, scope: SessionScope, now = Date.now()): Promise<void> {
  await revokeCurrent(c, scope, now);
  deleteCookie(c, sessionCookieName(c, scope), cookieOptions(c, scope));
}

/** Revokes every live session of a partner or user (e.g. archived, or a password changed); answers how many. */
export async function revokeSessionsOf(
  db: D1Database,
  kind: SessionKind,
  subjectId: string,
  now = Date.now(),
): Promise<number> {
  const result = await db
    .prepare("UPDATE web_sessions SET revoked_at = ?3 WHERE kind = ?1 AND subject_id = ?2 AND revoked_at IS NULL")
    .bind(kind, subjectId, now)
    .run();
  return result.meta.changes;
}

async function revokeCurrent(c: Context, scope: SessionScope, now: number) {
  const token = getCookie(c, sessionCookieName(c, scope));
  if (token === undefined || !TOKEN_SHAPE.test(token)) return;
  await env(c)
    .DB.prepare("UPDATE web_sessions SET revoked_at = ?3 WHERE token_hash = ?1 AND kind = ?2 AND revoked_at IS NULL")
    .bind(await tokenHash(token), scope.kind, now)
    .run();
}

function findByToken(db: D1Database, kind: SessionKind, token: string): Promise<SessionRow | null> {
  return tokenHash(token).then((hash) =>
    db
      .prepare(
        `SELECT id, kind, subject_id, company_id, created_at, expires_at, last_seen_at, revoked_at
         FROM web_sessions WHERE token_hash = ?1 AND kind = ?2`,
      )
      .bind(hash, kind)
      .first<SessionRow>(),
  );
}
