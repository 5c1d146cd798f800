// The single source of truth for tables. `npm run db:generate` turns changes here into a migration.
// Times are integer milliseconds since the epoch; ids are prefixed, time-sortable strings (src/lib/ids.ts).
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  APPLICATION_STATUSES,
  ATTRIBUTION_MODELS,
  CLICK_KINDS,
  FINAL_STAGE_MOVERS,
  FORM_KINDS,
  type FormFieldDefinition,
  LINK_DOMAIN_STATUSES,
  OUTBOX_KINDS,
  PIPELINE_KINDS,
  PLANS,
  type UtmParams,
} from "../lib/constants";
import { ATTRIBUTIONS, type OfferTrigger, REWARD_SOURCES, REWARD_STATUSES, REWARD_TYPES } from "../offers/model";

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
  (t) => [
    primaryKey({ columns: [t.companyId, t.key] }),
    // The hourly purge deletes by age (src/rollup/purge.ts): a range on this, not a full scan.
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
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
    // Issue 11: an application is refused when its email is already a partner's.
    index("partners_company_email_idx").on(t.companyId, t.email),
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
    /** The click that attributed the customer; null when created by partner key or by a deal. */
    clickId: text("click_id"),
    /** The deal whose closing created the customer (attribution `deal`); null otherwise. */
    dealId: text("deal_id"),
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
    /** A sale: how much of it refunds have taken back (minor units, at most `amount`). */
    refundedAmount: integer("refunded_amount").notNull().default(0),
    /** A refund: the key of the sale it refunds, when the merchant named one. */
    refundOf: text("refund_of"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("transactions_id_uq").on(t.id),
    uniqueIndex("transactions_company_key_uq").on(t.companyId, t.key),
    index("transactions_unrolled_idx").on(t.companyId).where(sql`rolled = 0`),
    // A customer's sales: "first transaction only", and which sale a refund takes back.
    index("transactions_customer_idx").on(t.customerId, t.seq),
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
// Offers and rewards (README, "Offers and rewards").

/** An offer of a group: its identity. What it says lives in its versions (edits never rewrite history). */
export const offers = sqliteTable(
  "offers",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    /** The number of the newest version (1 at creation). */
    latestVersion: integer("latest_version").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("offers_group_idx").on(t.groupId, t.id)],
);

/**
 * One version of an offer, in effect from `effective_from` until `effective_to` (null: the current
 * one). An event is evaluated against the version in effect at the event's own time.
 */
export const offerVersions = sqliteTable(
  "offer_versions",
  {
    offerId: text("offer_id")
      .notNull()
      .references(() => offers.id),
    version: integer("version").notNull(),
    companyId: text("company_id").notNull(),
    groupId: text("group_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    active: integer("active", { mode: "boolean" }).notNull(),
    holdDays: integer("hold_days").notNull(),
    /** The triggers (src/offers/model.ts `OfferTrigger[]`), validated by the API's schema. */
    triggers: text("triggers", { mode: "json" }).$type<OfferTrigger[]>().notNull(),
    /** `triggers.length`: the group's bound on active triggers is checked inside the insert. */
    triggerCount: integer("trigger_count").notNull(),
    effectiveFrom: integer("effective_from").notNull(),
    effectiveTo: integer("effective_to"),
    /** Who wrote this version: the API key id, or the console user id (`usr_…`). */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.offerId, t.version] }),
    // Ingest loads a group's versions in effect at an event's time: one query per event.
    index("offer_versions_group_effective_idx").on(t.groupId, t.effectiveFrom),
  ],
);

/**
 * What a partner earned: from a trigger matching an event (one row per trigger × event, enforced by
 * a unique index) or granted by an admin. Amounts in minor units of `currency` and in US cents;
 * refunds and reversals grow `reversed_*`, never beyond the amount.
 */
export const rewards = sqliteTable(
  "rewards",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    partnerId: text("partner_id").notNull(),
    groupId: text("group_id").notNull(),
    /** Null for a manual reward granted without a customer. */
    customerId: text("customer_id"),
    /**
     * `signup` (the customer's id), `transaction` (the sale's id), `stage_entered` / `deal_closed` (the
     * event key of src/rewards/ingest.ts `entryEventKey`: once per lead or deal and stage) or `manual` (none).
     */
    sourceType: text("source_type", { enum: REWARD_SOURCES }).notNull(),
    sourceId: text("source_id"),
    /** The event's own time: the version in effect then was evaluated; the hold counts from it. */
    eventAt: integer("event_at").notNull(),
    /** How the customer was attributed when the event was recorded, and by which click. */
    attribution: text("attribution", { enum: ATTRIBUTIONS }),
    clickId: text("click_id"),
    offerId: text("offer_id"),
    offerVersion: integer("offer_version"),
    triggerId: text("trigger_id"),
    rewardType: text("reward_type", { enum: REWARD_TYPES }).notNull(),
    /** A percentage reward's rate in basis points (2000 = 20%). */
    percentBp: integer("percent_bp"),
    /** The sale the percentage was taken of, in its currency's minor units. */
    eventAmount: integer("event_amount"),
    eventCurrency: text("event_currency"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    /** The rate `amount_usd_cents` was computed with (the transaction's for a percentage). */
    usdPerUnit: real("usd_per_unit").notNull(),
    minorUnitDigits: integer("minor_unit_digits").notNull(),
    amountUsdCents: integer("amount_usd_cents").notNull(),
    /** Which cap made the reward smaller than the trigger's rule: `per_transaction` or `per_customer`. */
    cappedBy: text("capped_by"),
    reversedAmount: integer("reversed_amount").notNull().default(0),
    reversedUsdCents: integer("reversed_usd_cents").notNull().default(0),
    status: text("status", { enum: REWARD_STATUSES }).notNull(),
    /** Pending until then; the hourly cron approves it after. */
    holdUntil: integer("hold_until").notNull(),
    payoutReference: text("payout_reference"),
    /** A manual reward's reason, and who granted it (an API key id). */
    reason: text("reason"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Exactly once: a trigger rewards an event at most once, however often the event arrives.
    // Led by the event, so that a refund finds its sale's rewards through it too.
    uniqueIndex("rewards_source_trigger_uq").on(t.sourceId, t.triggerId).where(sql`trigger_id IS NOT NULL`),
    index("rewards_partner_idx").on(t.partnerId, t.id),
    index("rewards_company_idx").on(t.companyId, t.id),
    index("rewards_customer_trigger_idx").on(t.customerId, t.triggerId),
    index("rewards_pending_idx").on(t.holdUntil).where(sql`status = 'pending'`),
  ],
);

/** Every status change and amount change of a reward: who, when, why. */
export const rewardEvents = sqliteTable(
  "reward_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    rewardId: text("reward_id").notNull(),
    companyId: text("company_id").notNull(),
    fromStatus: text("from_status", { enum: REWARD_STATUSES }).notNull(),
    toStatus: text("to_status", { enum: REWARD_STATUSES }).notNull(),
    /** Change of the reversed amount (a refund or a reversal), in minor units and US cents; 0 otherwise. */
    reversedAmount: integer("reversed_amount").notNull().default(0),
    reversedUsdCents: integer("reversed_usd_cents").notNull().default(0),
    /** `cron`, `refund`, or the API key id of the admin. */
    actor: text("actor").notNull(),
    reason: text("reason"),
    payoutReference: text("payout_reference"),
    /** The refund that caused it. */
    transactionId: text("transaction_id"),
    at: integer("at").notNull(),
  },
  (t) => [index("reward_events_reward_idx").on(t.rewardId, t.seq)],
);

// ---------------------------------------------------------------------------------------------
// Forms, applications, leads and deals (issue 11). Kept together, after everything else, so that
// merging with other sections stays easy. Value sets are in src/lib/constants.ts.
// ---------------------------------------------------------------------------------------------

/**
 * A group's form of one kind (application, lead, deal): which version is current, and for the deal
 * form the final stage's rules. Created with the group (groups service), one row per kind.
 */
export const forms = sqliteTable(
  "forms",
  {
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    kind: text("kind", { enum: FORM_KINDS }).notNull(),
    /** The `form_versions.version` new submissions are validated by and stored with. */
    currentVersion: integer("current_version").notNull(),
    /** Deal form only: who may move a deal into the final stage. */
    finalStageMovers: text("final_stage_movers", { enum: FINAL_STAGE_MOVERS }).notNull().default("company"),
    /** Deal form only: whether closing a deal creates a customer of its partner and group. */
    closingCreatesCustomer: integer("closing_creates_customer", { mode: "boolean" }).notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.kind] })],
);

/** Every version of a form, never changed once written: a submission keeps the one it was made with. */
export const formVersions = sqliteTable(
  "form_versions",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    kind: text("kind", { enum: FORM_KINDS }).notNull(),
    /** 1 for the default the group was created with, then one more per edit or reset. */
    version: integer("version").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    /** The ordered field definitions (src/forms/fields.ts `FormField[]`). */
    fields: text("fields", { mode: "json" }).$type<FormFieldDefinition[]>().notNull(),
    /** What made this version: `default`, `edit` or `reset`. */
    origin: text("origin", { enum: ["default", "edit", "reset"] }).notNull(),
    /** The API key that made it (null for the default). */
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("form_versions_form_version_uq").on(t.groupId, t.kind, t.version)],
);

/**
 * A group's lead or deal pipeline stages, in `position` order. Removed stages are kept (soft
 * delete) for the history of moves. A deal pipeline has exactly one final stage, always last.
 */
export const pipelineStages = sqliteTable(
  "pipeline_stages",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    kind: text("kind", { enum: PIPELINE_KINDS }).notNull(),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    isFinal: integer("is_final", { mode: "boolean" }).notNull().default(false),
    removedAt: integer("removed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("pipeline_stages_group_kind_idx").on(t.groupId, t.kind)],
);

/** Applications to join a group: pending until decided, or approved at once when the group is not gated. */
export const applications = sqliteTable(
  "applications",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id),
    formVersionId: text("form_version_id")
      .notNull()
      .references(() => formVersions.id),
    /** The applicant's email (lower case), from the form's `email` field. */
    email: text("email").notNull(),
    values: text("values", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: APPLICATION_STATUSES }).notNull(),
    /** Whether the group was gated (applications enabled) when it was submitted. */
    gated: integer("gated", { mode: "boolean" }).notNull(),
    partnerId: text("partner_id").references(() => partners.id),
    rejectionReason: text("rejection_reason"),
    /** The API key (or console user) that decided, or null when approved automatically (group not gated). */
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at"),
    /** Set while an approval creates the partner: a second approval waits for it (or its expiry). */
    claimedAt: integer("claimed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One pending application per email and company, whatever the group.
    uniqueIndex("applications_pending_email_uq").on(t.companyId, t.email).where(sql`status = 'pending'`),
    index("applications_company_status_idx").on(t.companyId, t.status),
  ],
);

const pipelineEntryColumns = () => ({
  id: text("id").primaryKey(),
  companyId: text("company_id")
    .notNull()
    .references(() => companies.id),
  groupId: text("group_id")
    .notNull()
    .references(() => groups.id),
  partnerId: text("partner_id")
    .notNull()
    .references(() => partners.id),
  formVersionId: text("form_version_id")
    .notNull()
    .references(() => formVersions.id),
  values: text("values", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  stageId: text("stage_id")
    .notNull()
    .references(() => pipelineStages.id),
  /** Who submitted it: the partner (partner API) or the company (admin API). */
  submittedBy: text("submitted_by", { enum: ["partner", "company"] }).notNull(),
  /** The latest move's id: statements batched with a move act only if that move was written. */
  lastMoveId: text("last_move_id").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Leads partners submit for the company to qualify; only the company moves them between stages. */
export const leads = sqliteTable("leads", pipelineEntryColumns(), (t) => [
  index("leads_company_idx").on(t.companyId, t.id),
  index("leads_partner_idx").on(t.partnerId, t.id),
  index("leads_stage_idx").on(t.stageId),
]);

/** Deals partners (or the company for them) register; closed once in the final stage. */
export const deals = sqliteTable(
  "deals",
  {
    ...pipelineEntryColumns(),
    closedAt: integer("closed_at"),
    /** The customer closing created (when the deal form says so). */
    customerId: text("customer_id").references(() => customers.id),
  },
  (t) => [
    index("deals_company_idx").on(t.companyId, t.id),
    index("deals_partner_idx").on(t.partnerId, t.id),
    index("deals_stage_idx").on(t.stageId),
  ],
);

/** The history of a lead's or deal's stages: who moved it, when, from where to where. */
export const stageMoves = sqliteTable(
  "stage_moves",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    entryKind: text("entry_kind", { enum: PIPELINE_KINDS }).notNull(),
    /** The lead or deal. */
    entryId: text("entry_id").notNull(),
    /** Null for the submission itself (entering the first stage). */
    fromStageId: text("from_stage_id"),
    toStageId: text("to_stage_id").notNull(),
    /** The stages' names at the time of the move (a stage may be renamed later). */
    fromStageName: text("from_stage_name"),
    toStageName: text("to_stage_name").notNull(),
    actorKind: text("actor_kind", { enum: ["partner", "company"] }).notNull(),
    /** The partner, or the API key of the company's call (the user's id, when moved in the console). */
    actorId: text("actor_id").notNull(),
    movedAt: integer("moved_at").notNull(),
  },
  (t) => [index("stage_moves_entry_idx").on(t.entryId, t.movedAt)],
);

/** Partner-scoped secrets for the partner API: only the SHA-256 is stored, like API keys. */
export const partnerCredentials = sqliteTable(
  "partner_credentials",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("partner_credentials_secret_hash_uq").on(t.secretHash),
    index("partner_credentials_partner_idx").on(t.partnerId),
  ],
);
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

// ---------------------------------------------------------------------------------------------
// Pages' sign-in (issue 12.4): server-side sessions of the partner portal (and of the company
// console), the portal's one-time sign-in links, and the local mailer's outbox. Secrets are never
// stored: only their SHA-256.
// ---------------------------------------------------------------------------------------------

/** A signed-in browser: the cookie holds a 256-bit token, this row its hash (src/web/sessions.ts). */
export const webSessions = sqliteTable(
  "web_sessions",
  {
    id: text("id").primaryKey(),
    /** Whose session: a partner (portal) or a company user (console). */
    kind: text("kind", { enum: ["partner", "user"] }).notNull(),
    /** The partner's or user's id. */
    subjectId: text("subject_id").notNull(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    /** Idle expiry: moved forward as the session is used (sliding), never past `created_at` + the kind's maximum. */
    expiresAt: integer("expires_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("web_sessions_token_hash_uq").on(t.tokenHash),
    index("web_sessions_subject_idx").on(t.kind, t.subjectId),
    // The hourly purge's two ranges (src/rollup/purge.ts); only revoked rows need the second.
    index("web_sessions_expires_idx").on(t.expiresAt),
    index("web_sessions_revoked_idx").on(t.revokedAt).where(sql`revoked_at IS NOT NULL`),
  ],
);

/** A one-time link into the partner portal: 15 minutes, used once (src/portal/sign-in-links.ts). */
export const portalSignInLinks = sqliteTable(
  "portal_sign_in_links",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    /** Set once, by the conditional UPDATE that consumes the link. */
    usedAt: integer("used_at"),
  },
  (t) => [
    uniqueIndex("portal_sign_in_links_token_hash_uq").on(t.tokenHash),
    index("portal_sign_in_links_partner_idx").on(t.partnerId),
    // The hourly purge deletes expired links by this range (src/rollup/purge.ts).
    index("portal_sign_in_links_expires_idx").on(t.expiresAt),
  ],
);

/** Mail the local mailer "sent" (src/mail/): kept here so `npm start` users can read it. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id"),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_created_idx").on(t.createdAt)],
);

// ---------------------------------------------------------------------------------------------
// The console's company users (issue 13): people who sign in at /console with an email and a
// password. Their sessions are web sessions (src/web/sessions.ts, kind 'user').
// ---------------------------------------------------------------------------------------------
export const USER_ROLES = ["owner", "admin", "viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    /** Lower case; unique across companies, so an email and a password name one user and one company. */
    email: text("email").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>` (src/users/passwords.ts). */
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), index("users_company_idx").on(t.companyId)],
);

/** One-time links an owner sends to invite a user: only the SHA-256 of the token is stored. */
export const userInvites = sqliteTable(
  "user_invites",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    email: text("email").notNull(),
    role: text("role", { enum: USER_ROLES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** The owner who invited. */
    invitedBy: text("invited_by").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** The user the invite created; set by the one update that consumes it. */
    acceptedUserId: text("accepted_user_id"),
    acceptedAt: integer("accepted_at"),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("user_invites_token_hash_uq").on(t.tokenHash), index("user_invites_company_idx").on(t.companyId)],
);
