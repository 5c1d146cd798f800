// The slim records a redirect needs, their KV keys, and how they are read from D1.
// Each record has its own key so that an admin edit is one D1 write plus one KV put: a group's
// destination change rewrites `group:<id>`, never the records of its partners' links.
import type { UtmParams } from "../lib/constants";

/** A verified `link_domains` row: which company a hostname serves (pending claims serve nothing). */
export interface HostRecord {
  companyId: string;
  cookieDomain: string | null;
}

/** The company settings the edge honours. */
export interface CompanyRecord {
  id: string;
  clickIdParam: string;
  partnerKeyParam: string;
  attributionWindowDays: number;
  fallbackUrl: string | null;
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

export interface LinkRecord {
  id: string;
  position: number;
  linkText: string;
  destinationUrl: string;
  utmParams: UtmParams;
  lockUtms: boolean;
}

/** A group's redirect configuration: whether links work, and its live default links by position. */
export interface GroupRecord {
  id: string;
  companyId: string;
  enabled: boolean;
  links: LinkRecord[];
}

/** Each kind of record a redirect reads, by the name of its KV key and of its place in RouteRecords. */
export interface RecordTypes {
  host: HostRecord;
  company: CompanyRecord;
  slug: SlugRecord;
  group: GroupRecord;
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
  host: (hostname: string) => tagged<"host">(`v1:host:${hostname}`),
  company: (companyId: string) => tagged<"company">(`v1:company:${companyId}`),
  slug: (companyId: string, slug: string) => tagged<"slug">(`v1:slug:${companyId}:${slug}`),
  group: (groupId: string) => tagged<"group">(`v1:group:${groupId}`),
};

/**
 * Where the edge writes back a record KV did not answer: beside the admin side's key, never over
 * it, so a write-back (which expires) cannot replace a record the admin published (which does not).
 */
export const writeBackKey = (key: string) => `wb:${key}`;

/** Everything one redirect needs, as far as it exists (null: no such record). */
export type RouteRecords = { [K in RecordKind]: RecordTypes[K] | null };

/**
 * Answers one record of a redirect's walk (resolve.ts): the record, null when it is known not to
 * exist, undefined when it is not known (yet).
 */
export type ReadRecord = <K extends RecordKind>(kind: K, key: RecordKey<K>) => RecordTypes[K] | null | undefined;

// Column lists shared by the edge's one-query load and the admin's write-through loads, so the
// records built on both sides are identical.
const COMPANY_COLUMNS = `c.id AS company_id, c.click_id_param, c.partner_key_param,
  c.attribution_window_days, c.fallback_url`;
const SLUG_COLUMNS = `pl.id AS partner_link_id, pl.slug, pl.link_text AS slug_link_text,
  p.id AS partner_id, p.partner_key, p.group_id AS partner_group_id, p.status AS partner_status`;
const GROUP_COLUMNS = `g.id AS group_id, g.company_id AS group_company_id, g.referral_links_enabled,
  g.archived_at, dl.id AS link_id, dl.position, dl.link_text, dl.destination_url, dl.utm_params, dl.lock_utms`;

type Row = Record<string, unknown>;

/** The edge's cold path: host, company, slug and group in one D1 query. */
export async function loadRouteFromD1(db: D1Database, hostname: string, slug: string): Promise<RouteRecords> {
  const { results } = await db
    .prepare(
      `SELECT d.company_id AS host_company_id, d.cookie_domain, ${COMPANY_COLUMNS}, ${SLUG_COLUMNS}, ${GROUP_COLUMNS}
       FROM link_domains d
       JOIN companies c ON c.id = d.company_id
       LEFT JOIN partner_links pl ON pl.company_id = d.company_id AND pl.slug = ?2
       LEFT JOIN partners p ON p.id = pl.partner_id
       LEFT JOIN groups g ON g.id = p.group_id
       LEFT JOIN default_links dl ON dl.group_id = g.id AND dl.deleted_at IS NULL
       WHERE d.hostname = ?1 AND d.status = 'verified'
       ORDER BY dl.position`,
    )
    .bind(hostname, slug)
    .all<Row>();
  const first = results[0];
  if (!first) return { host: null, company: null, slug: null, group: null };
  return {
    host: { companyId: String(first.host_company_id), cookieDomain: nullableString(first.cookie_domain) },
    company: toCompanyRecord(first),
    slug: first.partner_link_id == null ? null : toSlugRecord(first),
    group: first.group_id == null ? null : toGroupRecord(results),
  };
}

export async function loadHostRecord(db: D1Database, hostname: string): Promise<HostRecord | null> {
  const row = await db
    .prepare(`SELECT company_id, cookie_domain FROM link_domains WHERE hostname = ? AND status = 'verified'`)
    .bind(hostname)
    .first<Row>();
  return row ? { companyId: String(row.company_id), cookieDomain: nullableString(row.cookie_domain) } : null;
}

export async function loadCompanyRecord(db: D1Database, companyId: string): Promise<CompanyRecord | null> {
  const row = await db
    .prepare(`SELECT ${COMPANY_COLUMNS} FROM companies c WHERE c.id = ?`)
    .bind(companyId)
    .first<Row>();
  return row ? toCompanyRecord(row) : null;
}

export async function loadGroupRecord(db: D1Database, groupId: string): Promise<GroupRecord | null> {
  const { results } = await db
    .prepare(
      `SELECT ${GROUP_COLUMNS} FROM groups g
       LEFT JOIN default_links dl ON dl.group_id = g.id AND dl.deleted_at IS NULL
       WHERE g.id = ? ORDER BY dl.position`,
    )
    .bind(groupId)
    .all<Row>();
  return results.length ? toGroupRecord(results) : null;
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

function toGroupRecord(rows: Row[]): GroupRecord {
  const first = rows[0]!;
  return {
    id: String(first.group_id),
    companyId: String(first.group_company_id),
    enabled: Boolean(first.referral_links_enabled) && first.archived_at == null,
    links: rows
      .filter((row) => row.link_id != null)
      .map((row) => ({
        id: String(row.link_id),
        position: Number(row.position),
        linkText: String(row.link_text),
        destinationUrl: String(row.destination_url),
        utmParams: JSON.parse(String(row.utm_params)) as UtmParams,
        lockUtms: Boolean(row.lock_utms),
      })),
  };
}

function nullableString(value: unknown): string | null {
  return value == null ? null : String(value);
}
