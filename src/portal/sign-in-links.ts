// One-time sign-in links into the partner portal: `<origin>/portal/<company slug>/sign-in/<token>`.
// The token is 256 random bits; only its SHA-256 is stored. A link works for 15 minutes, once.
// Opening it (GET) only shows a "Sign in" button: mail scanners follow links and must not burn
// them. The button POSTs from that page (CSRF-checked like every page form), and that POST
// consumes the link with one conditional UPDATE — unused, unexpired, this company's — so two
// clicks at once cannot both sign in.

import { eq } from "drizzle-orm";
import { database } from "../db/client";
import { companies } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { randomToken, TOKEN_SHAPE, tokenHash } from "../lib/tokens";
import { getPartner } from "../partners/service";

export const SIGN_IN_LINK_TTL_MS = 15 * 60 * 1000;

/** The portal's pages of a company (`/portal/<company slug>`). */
export const portalPath = (companySlug: string) => `/portal/${companySlug}`;

export interface IssuedSignInLink {
  url: string;
  expiresAt: number;
}

/**
 * A new sign-in link for an active partner of the company (an archived one is a 422 on
 * `partner_id`; another company's partner a 404). `origin` is where the portal is served: the
 * admin worker's own origin.
 */
export async function issueSignInLink(
  env: Stores,
  { companyId, partnerId }: { companyId: string; partnerId: string },
  origin: string,
  now = Date.now(),
): Promise<IssuedSignInLink> {
  const partner = await getPartner(env, companyId, partnerId);
  if (partner.status !== "active")
    throw problems.validation([{ field: "partner_id", message: "the partner is archived" }]);
  const company = await database(env.DB).query.companies.findFirst({
    columns: { slug: true },
    where: eq(companies.id, companyId),
  });
  if (!company) throw problems.notFound("company", companyId);
  const token = randomToken();
  const expiresAt = now + SIGN_IN_LINK_TTL_MS;
  await env.DB.prepare(
    `INSERT INTO portal_sign_in_links (id, company_id, partner_id, token_hash, created_at, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
  )
    .bind(newId("signInLink", now), companyId, partnerId, await tokenHash(token), now, expiresAt)
    .run();
  return { url: `${origin}${portalPath(company.slug)}/sign-in/${token}`, expiresAt };
}

/** Why a link cannot sign anyone in. */
export type SignInLinkFailure = "unknown" | "used" | "expired" | "partner-archived";

export type SignInLinkState =
  | { ok: true; partnerId: string; expiresAt: number }
  | { ok: false; failure: SignInLinkFailure };

interface LinkRow {
  partner_id: string;
  expires_at: number;
  used_at: number | null;
}

/** What opening a link (GET) shows: whether it would sign in. Reads only; the link stays usable. */
export async function checkSignInLink(
  env: Stores,
  companyId: string,
  token: string,
  now = Date.now(),
): Promise<SignInLinkState> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, failure: "unknown" };
  const row = await env.DB.prepare(
    "SELECT partner_id, expires_at, used_at FROM portal_sign_in_links WHERE token_hash = ?1 AND company_id = ?2",
  )
    .bind(await tokenHash(token), companyId)
    .first<LinkRow>();
  return stateOf(env, companyId, row, now);
}

/**
 * Consumes the link (the POST of its page): one conditional UPDATE marks it used only if it is this
 * company's, unused and unexpired, so it signs in once, whatever races it. The partner must still
 * be active.
 */
export async function consumeSignInLink(
  env: Stores,
  companyId: string,
  token: string,
  now = Date.now(),
): Promise<SignInLinkState> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, failure: "unknown" };
  const hash = await tokenHash(token);
  const consumed = await env.DB.prepare(
    `UPDATE portal_sign_in_links SET used_at = ?3
     WHERE token_hash = ?1 AND company_id = ?2 AND used_at IS NULL AND expires_at > ?3
     RETURNING partner_id, expires_at, NULL AS used_at`,
  )
    .bind(hash, companyId, now)
    .first<LinkRow>();
  if (consumed) return stateOf(env, companyId, consumed, now);
  // Not consumed: read why, for the page to say so.
  const row = await env.DB.prepare(
    "SELECT partner_id, expires_at, used_at FROM portal_sign_in_links WHERE token_hash = ?1 AND company_id = ?2",
  )
    .bind(hash, companyId)
    .first<LinkRow>();
  const state = await stateOf(env, companyId, row, now);
  return state.ok ? { ok: false, failure: "used" } : state;
}

async function stateOf(env: Stores, companyId: string, row: LinkRow | null, now: number): Promise<SignInLinkState> {
  if (!row) return { ok: false, failure: "unknown" };
  if (row.used_at !== null) return { ok: false, failure: "used" };
  if (row.expires_at <= now) return { ok: false, failure: "expired" };
  const partner = await getPartner(env, companyId, row.partner_id).catch(() => null);
  if (partner?.status !== "active") return { ok: false, failure: "partner-archived" };
  return { ok: true, partnerId: row.partner_id, expiresAt: row.expires_at };
}
