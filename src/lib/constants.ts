// Value sets shared by the drizzle schema (src/db/schema.ts), the admin API and the edge worker.
// Imports nothing: the edge bundles this module, and must not bundle drizzle or the table
// definitions (`npm run deploy:check` fails if it does).

export const PLANS = ["starter", "growth", "enterprise"] as const;
export const ATTRIBUTION_MODELS = ["last_click", "first_click"] as const;
export const CLICK_KINDS = ["human", "bot", "prefetch", "head"] as const;
export const LINK_DOMAIN_STATUSES = ["pending", "verified", "superseded"] as const;
/** What a KV outbox row republishes (src/redirect/publish.ts): the record kind and whose it is. */
export const OUTBOX_KINDS = ["company", "host", "group", "partner_slugs"] as const;

export type Plan = (typeof PLANS)[number];
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
export type ClickKind = (typeof CLICK_KINDS)[number];
export type LinkDomainStatus = (typeof LINK_DOMAIN_STATUSES)[number];
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
/** Ordered query parameters a default link adds: `[name, value]`, value may contain `{partner_key}`. */
export type UtmParams = [string, string][];
