// The slim records a redirect needs, their KV keys, and how they are read from D1.
// Two records per redirect, so that a cold lookup is two KV reads in two rounds (one when the
// site is already in the isolate): the hostname's *site* (the company serving it, its settings and
// its live groups' links) and the *slug* (the partner link, keyed by company). An admin edit is
// one D1 write plus one KV put per record it changes: a group's destination change rewrites the
// site of each verified hostname of the company (usually one), never its partners' slugs.
import type { UtmParams } from "../lib/constants";

/** The company settings the edge honours. */
export interface CompanyRecord {
  id: string;
  clickIdParam: string;
  partnerKeyParam: string;
  attributionWindowDays: number;
  fallbackUrl: string | null;
}

export interface LinkRecord {
  id: string;
  position: number;
  linkText: string;
  destinationUrl: string;
  utmParams: UtmParams;
  lockUtms: boolean;
}

/** A group whose links work (referral links on, not archived): its live default links by position. */
export interface GroupRecord {
  id: string;
  links: LinkRecord[];
}

/**
 * A verified `link_domains` row (pending claims serve nothing) with everything of its company a
 * redirect needs besides the slug. Groups whose links do not work are absent.
 */
export interface SiteRecord {
  companyId: string;
  cookieDomain: string | null;
  company: CompanyRecord;
  groups: Record<string, GroupRecord>;
}

/** A partner link slug and the partner behind it (with the partner's *current* group). */
export interface SlugRecord {
  partnerLinkId: string;
  partnerId: string;
  partnerKey: string;
  groupId: string;
  linkText: string;
  partnerActive: boolean;
}

/** Each kind of record a redirect reads, by the name of its KV key. */
export interface RecordTypes {
  site: SiteRecord;
  slug: SlugRecord;
}
export type RecordKind = keyof RecordTypes;

declare const recordKind: unique symbol;
/**
 * A record's key in KV and in the isolate cache, tagged with the kind of record stored under it (for
 * the type checker only: at run time it is the string), so reads under it are typed without casts.
 */
export type RecordKey<K extends RecordKind> = string & { readonly [recordKind]: K };
const tagged = <K extends RecordKind>(key: string) => key as RecordKey<K>;

export const recordKeys = {
  site: (hostname: string) => tagged<"site">(`v2:site:${hostname}`),
  slug: (companyId: string, slug: string) => tagged<"slug">(`v1:slug:${companyId}:${slug}`),
};

/**
 * Where the edge writes back a record KV did not answer: beside the admin side's key, never over
 * it, so a write-back (which expires) cannot replace a record the admin published (which does not).
 */
export const writeBackKey = (key: string) => `wb:${key}`;

/** Everything one redirect needs, as far as it exists (null: no such record, or its links do not work). */
export type RouteRecords = StoredRecords & { group: GroupRecord | null };
/** The records of a route that are stored under their own keys. */
export type StoredRecords = { [K in RecordKind]: RecordTypes[K] | null };

/**
 * Answers one record of a redirect's walk (resolve.ts): the record, null when it is known not to
 * exist, undefined when it is not known (yet).
 */
export type ReadRecord = <K extends RecordKind>(kind: K, key: RecordKey<K>) => RecordTypes[K] | null | undefined;

// Column lists shared by the edge's cold load and the admin's write-through loads, so the
// records built on both sides are identical.
const COMPANY_COLUMNS = `c.id AS company_id, c.click_id_param, c.partner_key_param,
  c.attribution_window_days, c.fallback_url`;
const SLUG_COLUMNS = `pl.id AS partner_link_id, pl.slug, pl.link_text AS slug_link_text,
  p.id AS partner_id, p.partner_key, p.group_id AS partner_group_id, p.status AS partner_status`;

/**
 * The site of hostname ?1: one row per live default link of each working group (one row if there
 * is none); with `slugColumns`, each row also holds slug ?2 of the site's company (or nulls).
 */
const siteQuery = (slugColumns = "") => `SELECT d.company_id AS host_company_id, d.cookie_domain, ${COMPANY_COLUMNS},
    g.id AS group_id, dl.id AS link_id, dl.position, dl.link_text, dl.destination_url, dl.utm_params, dl.lock_utms
    ${slugColumns ? `, ${slugColumns}` : ""}
  FROM link_domains d
  JOIN companies c ON c.id = d.company_id
  ${
    slugColumns
      ? `LEFT JOIN partner_links pl ON pl.company_id = d.company_id AND pl.slug = ?2
  LEFT JOIN partners p ON p.id = pl.partner_id`
      : ""
  }
  LEFT JOIN groups g ON g.company_id = d.company_id AND g.referral_links_enabled = 1 AND g.archived_at IS NULL
  LEFT JOIN default_links dl ON dl.group_id = g.id AND dl.deleted_at IS NULL
  WHERE d.hostname = ?1 AND d.status = 'verified'
  ORDER BY g.id, dl.position`;
const SITE_QUERY = siteQuery();
const SITE_AND_SLUG_QUERY = siteQuery(SLUG_COLUMNS);

type Row = Record<string, unknown>;

/** The edge's cold path: the site and the slug in one D1 query. */
export async function loadRouteFromD1(db: D1Database, hostname: string, slug: string): Promise<RouteRecords> {
  const { results } = await db.prepare(SITE_AND_SLUG_QUERY).bind(hostname, slug).all<Row>();
  const site = toSiteRecord(results);
  const first = results[0];
  const slugRecord = first && first.partner_link_id != null ? toSlugRecord(first) : null;
  return { site, slug: slugRecord, group: slugRecord ? (site?.groups[slugRecord.groupId] ?? null) : null };
}

export async function loadSiteRecord(db: D1Database, hostname: string): Promise<SiteRecord | null> {
  const { results } = await db.prepare(SITE_QUERY).bind(hostname).all<Row>();
  return toSiteRecord(results);
}

export async function loadCompanyHostnames(db: D1Database, companyId: string): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT hostname FROM link_domains WHERE company_id = ? AND status = 'verified' ORDER BY hostname`)
    .bind(companyId)
    .all<{ hostname: string }>();
  return results.map((row) => row.hostname);
}

/** All slugs of one partner, keyed by slug. */
export async function loadPartnerSlugRecords(
  db: D1Database,
  partnerId: string,
): Promise<{ companyId: string; slug: string; record: SlugRecord }[]> {
  const { results } = await db
    .prepare(
      `SELECT ${SLUG_COLUMNS}, p.company_id FROM partner_links pl JOIN partners p ON p.id = pl.partner_id
       WHERE p.id = ?`,
    )
    .bind(partnerId)
    .all<Row>();
  return results.map((row) => ({
    companyId: String(row.company_id),
    slug: String(row.slug),
    record: toSlugRecord(row),
  }));
}

/** A page of a company's slug records in slug order (the KV reconcile job walks them all). */
export async function loadCompanySlugRecords(
  db: D1Database,
  companyId: string,
  afterSlug: string,
  limit: number,
): Promise<{ slug: string; record: SlugRecord }[]> {
  const { results } = await db
    .prepare(
      `SELECT ${SLUG_COLUMNS} FROM partner_links pl JOIN partners p ON p.id = pl.partner_id
       WHERE pl.company_id = ?1 AND pl.slug > ?2 ORDER BY pl.slug LIMIT ?3`,
    )
    .bind(companyId, afterSlug, limit)
    .all<Row>();
  return results.map((row) => ({ slug: String(row.slug), record: toSlugRecord(row) }));
}

function toCompanyRecord(row: Row): CompanyRecord {
  return {
    id: String(row.company_id),
    clickIdParam: String(row.click_id_param),
    partnerKeyParam: String(row.partner_key_param),
    attributionWindowDays: Number(row.attribution_window_days),
    fallbackUrl: nullableString(row.fallback_url),
  };
}

function toSlugRecord(row: Row): SlugRecord {
  return {
    partnerLinkId: String(row.partner_link_id),
    partnerId: String(row.partner_id),
    partnerKey: String(row.partner_key),
    groupId: String(row.partner_group_id),
    linkText: String(row.slug_link_text),
    partnerActive: row.partner_status === "active",
  };
}

function toSiteRecord(rows: Row[]): SiteRecord | null {
  const first = rows[0];
  if (!first) return null;
  const groups: Record<string, GroupRecord> = {};
  for (const row of rows) {
    if (row.group_id == null) continue;
    const id = String(row.group_id);
    groups[id] ??= { id, links: [] };
    const group = groups[id];
    if (row.link_id == null) continue;
    group.links.push({
      id: String(row.link_id),
      position: Number(row.position),
      linkText: String(row.link_text),
      destinationUrl: String(row.destination_url),
      utmParams: JSON.parse(String(row.utm_params)) as UtmParams,
      lockUtms: Boolean(row.lock_utms),
    });
  }
  return {
    companyId: String(first.host_company_id),
    cookieDomain: nullableString(first.cookie_domain),
    company: toCompanyRecord(first),
    groups,
  };
}

function nullableString(value: unknown): string | null {
  return value == null ? null : String(value);
}
