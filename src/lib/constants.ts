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

// Forms, applications, leads and deals (issue 11).
export const FORM_KINDS = ["application", "lead", "deal"] as const;
/** Forms whose submissions move through stages. */
export const PIPELINE_KINDS = ["lead", "deal"] as const;
export const FIELD_TYPES = [
  "text",
  "email",
  "url",
  "phone",
  "number",
  "textarea",
  "select",
  "multi-select",
  "checkbox",
  "date",
] as const;
export const APPLICATION_STATUSES = ["pending", "approved", "rejected"] as const;
/** Who may move a deal into its final stage. */
export const FINAL_STAGE_MOVERS = ["company", "partners"] as const;

export type FormKind = (typeof FORM_KINDS)[number];
export type PipelineKind = (typeof PIPELINE_KINDS)[number];
export type FieldType = (typeof FIELD_TYPES)[number];
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export type FinalStageMovers = (typeof FINAL_STAGE_MOVERS)[number];
/** One field of a form version, as stored. */
export interface FormFieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** The choices of a select or multi-select; empty for other types. */
  options: string[];
  helpText: string | null;
  placeholder: string | null;
}
