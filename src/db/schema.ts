// The single source of truth for tables. `npm run db:generate` turns changes here into a migration.
// Times are integer milliseconds since the epoch; ids are prefixed, time-sortable strings (src/lib/ids.ts).
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  ATTRIBUTION_MODELS,
  CLICK_KINDS,
  LINK_DOMAIN_STATUSES,
  OUTBOX_KINDS,
  PLANS,
  type UtmParams,
} from "../lib/constants";

export type { AttributionModel, ClickKind, LinkDomainStatus, OutboxKind, Plan, UtmParams } from "../lib/constants";
// Re-exported for the admin side; the edge imports them from src/lib/constants.ts, without drizzle.
export { ATTRIBUTION_MODELS, CLICK_KINDS, LINK_DOMAIN_STATUSES, OUTBOX_KINDS, PLANS };

const createdAt = () => integer("created_at").notNull();
const updatedAt = () => integer("updated_at").notNull();

export const companies = sqliteTable(
  "companies",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** In public program page URLs: `/programs/<company slug>/<group slug>`. */
    slug: text("slug").notNull(),
    plan: text("plan", { enum: PLANS }).notNull().default("starter"),
    /** Where marketplace partners land. Null only until the first group exists. */
    defaultGroupId: text("default_group_id"),
    termsUrl: text("terms_url"),
    /** Where unknown slugs and disabled groups send visitors; null → a small 404 page. */
    fallbackUrl: text("fallback_url"),
    attributionModel: text("attribution_model", { enum: ATTRIBUTION_MODELS }).notNull().default("last_click"),
    attributionWindowDays: integer("attribution_window_days").notNull().default(90),
    clickIdParam: text("click_id_param").notNull().default("ps_xid"),
    partnerKeyParam: text("partner_key_param").notNull().default("ps_partner_key"),
    /** When the KV reconcile job last compared this company's edge records with D1. */
    kvReconciledAt: integer("kv_reconciled_at"),
    /**
     * Grows by one with every partner link (slug) written for the company — a trigger on
     * `partner_links` (migration 0004) does it, so no insert path can forget it. The edge trusts the
     * company's slug filter to say "unknown" only while the filter's version equals this.
     */
    slugsVersion: integer("slugs_version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("companies_slug_uq").on(t.slug)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    name: text("name").notNull(),
    /** The first characters of the secret, safe to show in lists. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole secret; the secret itself is shown once and never stored. */
    secretHash: text("secret_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_secret_hash_uq").on(t.secretHash), index("api_keys_company_idx").on(t.companyId)],
);

export const linkDomains = sqliteTable(
  "link_domains",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    /** Lower-case hostname partner links are served on, e.g. `try.acme.com` or `localhost`. */
    hostname: text("hostname").notNull(),
    /** `Domain` of the tracking cookie: the hostname or a parent of it; null → host-only cookie. */
    cookieDomain: text("cookie_domain"),
    /**
     * Only a `verified` domain serves links. A claim is `pending` until its DNS TXT record proves
     * ownership; when another company verifies the hostname first, other claims are `superseded`.
     */
    status: text("status", { enum: LINK_DOMAIN_STATUSES }).notNull().default("pending"),
    /** Expected value of the `_edgeref-challenge.<hostname>` TXT record. */
    verificationToken: text("verification_token").notNull().default(""),
    verifiedAt: integer("verified_at"),
    lastCheckedAt: integer("last_checked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // Any number of pending claims on a hostname, but one verified owner.
    uniqueIndex("link_domains_verified_hostname_uq").on(t.hostname).where(sql`status = 'verified'`),
    uniqueIndex("link_domains_company_hostname_uq").on(t.companyId, t.hostname),
    index("link_domains_hostname_idx").on(t.hostname),
    index("link_domains_company_idx").on(t.companyId),
  ],
);

export const groups = sqliteTable(
  "groups",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    name: text("name").notNull(),
    /** Slug of the public program page, derived from the name. */
    slug: text("slug").notNull(),
    referralLinksEnabled: integer("referral_links_enabled", { mode: "boolean" }).notNull().default(true),
    /** Overrides the company's terms URL when set. */
    termsUrl: text("terms_url"),
    /** Plan-gated features, off by default. */
    leadSubmissionEnabled: integer("lead_submission_enabled", { mode: "boolean" }).notNull().default(false),
    dealRegistrationEnabled: integer("deal_registration_enabled", { mode: "boolean" }).notNull().default(false),
    applicationFormEnabled: integer("application_form_enabled", { mode: "boolean" }).notNull().default(false),
    archivedAt: integer("archived_at"),
    /** Running net of every transaction recorded in this group, in US cents: bounded (README, Limits). */
    netRevenueUsdCents: integer("net_revenue_usd_cents").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("groups_company_slug_uq").on(t.companyId, t.slug)],
);

/** Earlier public-page slugs of renamed groups: they keep redirecting to the current page. */
export const groupSlugHistory = sqliteTable(
  "group_slug_history",
  {
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    slug: text("slug").notNull(),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.slug] })],
);

/** The latest rollup of a group's stats (written by the hourly cron). */
export const groupStats = sqliteTable("group_stats", {
  groupId: text("group_id")
    .primaryKey()
    .references(() => groups.id),
  companyId: text("company_id").notNull(),
  partners: integer("partners").notNull().default(0),
  clicks: integer("clicks").notNull().default(0),
  signupsPaid: integer("signups_paid").notNull().default(0),
  signupsUnpaid: integer("signups_unpaid").notNull().default(0),
  /** All-time revenue in US cents. */
  revenueUsdCents: integer("revenue_usd_cents").notNull().default(0),
  refreshedAt: integer("refreshed_at").notNull(),
});

/** Responses of POST creates by `Idempotency-Key`, so a retry returns the first response. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    companyId: text("company_id").notNull(),
    key: text("key").notNull(),
    /** Method, path and body hash of the first request: a reuse with another request is refused. */
    requestHash: text("request_hash").notNull(),
    /** Null while the first request is still running. */
    status: integer("status"),
    body: text("body"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.key] })],
);

export const defaultLinks = sqliteTable(
  "default_links",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    /** 1..3; position 1 is the original link, created with the group and never deleted. */
    position: integer("position").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    destinationUrl: text("destination_url").notNull(),
    utmParams: text("utm_params", { mode: "json" }).$type<UtmParams>().notNull().default(sql`'[]'`),
    /** When set, a visitor's query cannot replace this link's UTM parameters. */
    lockUtms: integer("lock_utms", { mode: "boolean" }).notNull().default(false),
    /** Suffix of partners' slugs for this link (`jane--pricing`); '' for the original. Immutable. */
    linkText: text("link_text").notNull(),
    deletedAt: integer("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // At most one live link per position, so at most three per group, enforced by the database.
    uniqueIndex("default_links_live_position_uq").on(t.groupId, t.position).where(sql`deleted_at IS NULL`),
    uniqueIndex("default_links_live_text_uq").on(t.groupId, t.linkText).where(sql`deleted_at IS NULL`),
    check("default_links_position_ck", sql`position BETWEEN 1 AND 3`),
    check("default_links_original_text_ck", sql`(position = 1) = (link_text = '')`),
  ],
);

export const partners = sqliteTable(
  "partners",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    /** Public key in links and tracking params; unique per company. */
    partnerKey: text("partner_key").notNull(),
    email: text("email").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    status: text("status", { enum: ["active", "archived"] })
      .notNull()
      .default("active"),
    /** The group whose stats count this partner now (rollup bookkeeping); null = counted nowhere. */
    countedGroupId: text("counted_group_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("partners_company_key_uq").on(t.companyId, t.partnerKey),
    index("partners_group_idx").on(t.groupId),
    // Partners whose counted group differs from where they should be counted: the rollup's work,
    // found per company (each company is rolled up on its own).
    index("partners_rollup_dirty_idx")
      .on(t.companyId)
      .where(sql`counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END)`),
  ],
);

/**
 * A partner's referral slug for one link text. Written once and never rewritten: the slug is
 * resolved through the partner's *current* group at request time (the live default link with the
 * same link text, else the group's original link), so moving a partner or editing a destination
 * touches no row here.
 */
export const partnerLinks = sqliteTable(
  "partner_links",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id),
    /** Lower-case; `partner_key` for the original link, `partner_key--link_text` otherwise. */
    slug: text("slug").notNull(),
    linkText: text("link_text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("partner_links_company_slug_uq").on(t.companyId, t.slug),
    uniqueIndex("partner_links_partner_text_uq").on(t.partnerId, t.linkText),
  ],
);

/** Raw clicks, kept for the attribution window, then purged (hourly counters are kept forever). */
export const clicks = sqliteTable(
  "clicks",
  {
    /** The `ps_xid` handed to the destination; time-sortable, so purging is a range delete. */
    clickId: text("click_id").primaryKey(),
    companyId: text("company_id").notNull(),
    groupId: text("group_id").notNull(),
    partnerId: text("partner_id").notNull(),
    partnerLinkId: text("partner_link_id").notNull(),
    defaultLinkId: text("default_link_id").notNull(),
    ts: integer("ts").notNull(),
    /** Start of the click's hour, epoch milliseconds. */
    hour: integer("hour").notNull(),
    kind: text("kind", { enum: CLICK_KINDS }).notNull(),
    country: text("country"),
    refererHost: text("referer_host"),
    /** Salted hash of IP + user agent (rotated daily); raw IPs are never stored. */
    visitorHash: text("visitor_hash").notNull(),
    /** Random token of the consumer run that inserted the row: lets that run count only new rows. */
    ingestBatch: text("ingest_batch").notNull(),
  },
  (t) => [index("clicks_ingest_batch_idx").on(t.ingestBatch)],
);

/** First human click of a visitor on a link in an hour: the source of unique-click counts. */
export const clickVisitors = sqliteTable(
  "click_visitors",
  {
    partnerLinkId: text("partner_link_id").notNull(),
    groupId: text("group_id").notNull(),
    hour: integer("hour").notNull(),
    visitorHash: text("visitor_hash").notNull(),
    ingestBatch: text("ingest_batch").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerLinkId, t.groupId, t.hour, t.visitorHash] }),
    index("click_visitors_ingest_batch_idx").on(t.ingestBatch),
  ],
);

/** Human clicks per partner link, group (at click time) and hour. */
export const clickCountsHourly = sqliteTable(
  "click_counts_hourly",
  {
    partnerLinkId: text("partner_link_id").notNull(),
    groupId: text("group_id").notNull(),
    hour: integer("hour").notNull(),
    companyId: text("company_id").notNull(),
    partnerId: text("partner_id").notNull(),
    clicks: integer("clicks").notNull(),
    uniqueClicks: integer("unique_clicks").notNull(),
    /** How many of `clicks` the rollup has already added to the stats (a per-row watermark). */
    rolledClicks: integer("rolled_clicks").notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerLinkId, t.groupId, t.hour] }),
    index("click_counts_hourly_group_hour_idx").on(t.groupId, t.hour),
    index("click_counts_hourly_rollup_dirty_idx").on(t.groupId).where(sql`clicks <> rolled_clicks`),
  ],
);

/** Customers of the merchant, each bound to the partner (and group) who referred them. */
export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    customerKey: text("customer_key").notNull(),
    email: text("email"),
    name: text("name"),
    partnerId: text("partner_id").notNull(),
    groupId: text("group_id").notNull(),
    /** The click that attributed the customer; null when created by partner key. */
    clickId: text("click_id"),
    /** Time of the attributing click (or of the creation by partner key): later clicks compare to it. */
    attributedAt: integer("attributed_at").notNull(),
    /** Sum of the customer's transactions in US cents; paid once positive. */
    netUsdCents: integer("net_usd_cents").notNull().default(0),
    transactionCount: integer("transaction_count").notNull().default(0),
    // Where the rollup counts this customer now; null = not counted yet.
    countedGroupId: text("counted_group_id"),
    countedPartnerId: text("counted_partner_id"),
    countedPaid: integer("counted_paid", { mode: "boolean" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("customers_company_key_uq").on(t.companyId, t.customerKey),
    index("customers_company_email_idx").on(t.companyId, t.email),
    index("customers_rollup_dirty_idx")
      .on(t.companyId)
      .where(
        sql.raw(
          "counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id" +
            " OR counted_paid IS NOT (net_usd_cents > 0)",
        ),
      ),
  ],
);

/** Money events: purchases (positive) and refunds (negative), in minor units and in US cents. */
export const transactions = sqliteTable(
  "transactions",
  {
    /** Insertion order: the rollup's watermark. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    /** The merchant's own key for the transaction: a replay with it changes nothing. */
    key: text("key").notNull(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    /** The customer's partner and group when the transaction was recorded. */
    partnerId: text("partner_id").notNull(),
    groupId: text("group_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    usdPerUnit: real("usd_per_unit").notNull(),
    amountUsdCents: integer("amount_usd_cents").notNull(),
    productKey: text("product_key"),
    categoryKey: text("category_key"),
    occurredAt: integer("occurred_at").notNull(),
    /** Whether the rollup has added this transaction to the stats (a per-row watermark). */
    rolled: integer("rolled", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("transactions_id_uq").on(t.id),
    uniqueIndex("transactions_company_key_uq").on(t.companyId, t.key),
    index("transactions_unrolled_idx").on(t.companyId).where(sql`rolled = 0`),
  ],
);

/** Exchange rates to USD: defaults (company_id = '') and per-company overrides. */
export const fxRates = sqliteTable(
  "fx_rates",
  {
    companyId: text("company_id").notNull(),
    currency: text("currency").notNull(),
    /** US dollars for one major unit (one euro, one yen). */
    usdPerUnit: real("usd_per_unit").notNull(),
    /** Digits after the decimal point in minor units: 2 for EUR, 0 for JPY, 3 for KWD. */
    minorUnitDigits: integer("minor_unit_digits").notNull(),
    /** The date the rate is from. */
    asOf: text("as_of").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.currency] })],
);

/** The latest rollup of a partner's stats. */
export const partnerStats = sqliteTable("partner_stats", {
  partnerId: text("partner_id").primaryKey(),
  companyId: text("company_id").notNull(),
  clicks: integer("clicks").notNull().default(0),
  signupsPaid: integer("signups_paid").notNull().default(0),
  signupsUnpaid: integer("signups_unpaid").notNull().default(0),
  revenueUsdCents: integer("revenue_usd_cents").notNull().default(0),
});

/** Watermarks and bookkeeping of the hourly rollup. */
export const rollupState = sqliteTable("rollup_state", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * Edge records to (re)publish to KV. A service writes its row in the same D1 batch as the change,
 * so a committed change is never lost when KV fails: the row stays until a publish succeeds (right
 * away, after the response, or by the hourly cron). One row per record; `version` changes on every
 * enqueue so a publish that raced a newer change does not remove the newer row.
 */
export const kvOutbox = sqliteTable(
  "kv_outbox",
  {
    kind: text("kind", { enum: OUTBOX_KINDS }).notNull(),
    /** Company id, hostname, group id or partner id, by kind. */
    ref: text("ref").notNull(),
    companyId: text("company_id").notNull(),
    version: text("version").notNull(),
    enqueuedAt: integer("enqueued_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [primaryKey({ columns: [t.kind, t.ref] }), index("kv_outbox_company_idx").on(t.companyId)],
);

/** Click messages the queue gave up on (its dead-letter queue), kept for inspection and replay. */
export const failedClicks = sqliteTable(
  "failed_clicks",
  {
    /** The queue message id: a redelivered dead letter is stored once. */
    messageId: text("message_id").primaryKey(),
    /** Null when the message was not a click event at all. */
    clickId: text("click_id"),
    companyId: text("company_id"),
    /** The message body as received (JSON). */
    body: text("body").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    failedAt: integer("failed_at").notNull(),
    replayedAt: integer("replayed_at"),
  },
  (t) => [index("failed_clicks_company_idx").on(t.companyId, t.failedAt)],
);

// ---------------------------------------------------------------------------------------------
// Social content (issue 12.3): the texts a group's partners share their links with. One row per
// group once the company saved any of them; until then the defaults of src/social/templates.ts
// apply. Templates may hold the placeholders {link}, {partner_first_name}, {company_name} and
// {group_name}. Nothing here is published to the edge.
// ---------------------------------------------------------------------------------------------
export const groupSocialContent = sqliteTable("group_social_content", {
  groupId: text("group_id")
    .primaryKey()
    .references(() => groups.id),
  companyId: text("company_id")
    .notNull()
    .references(() => companies.id),
  twitterMessage: text("twitter_message").notNull(),
  linkedinTitle: text("linkedin_title").notNull(),
  linkedinMessage: text("linkedin_message").notNull(),
  emailSubject: text("email_subject").notNull(),
  emailBody: text("email_body").notNull(),
  updatedAt: updatedAt(),
});
