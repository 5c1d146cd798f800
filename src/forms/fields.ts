// Form fields: the definitions a form builder edits, the default form of each kind, and the zod
// schema a submission is validated by, built from the definitions of the form's current version.
import { z } from "@hono/zod-openapi";
import type { FieldType, FormFieldDefinition, FormKind, PipelineKind } from "../lib/constants";
import { type FieldError, problems } from "../lib/errors";
import { isWellFormed } from "../lib/unicode";
import { httpUrl } from "../lib/validation";

export type { FieldType, FormFieldDefinition, FormKind, PipelineKind } from "../lib/constants";

/** Bounds of a form definition and of a submission (README, Limits). */
export const FORM_LIMITS = {
  fields: 50,
  keyLength: 40,
  labelLength: 200,
  helpTextLength: 500,
  placeholderLength: 200,
  options: 100,
  optionLength: 100,
  titleLength: 200,
  descriptionLength: 2000,
  textLength: 500,
  textareaLength: 5000,
  urlLength: 2048,
  phoneLength: 40,
  /** |number| at most this. */
  numberMagnitude: 1e12,
  /** The normalised values of one submission, as JSON. */
  submissionBytes: 32 * 1024,
} as const;

/** Lower-case letters, digits and underscores, starting with a letter: stable names for values. */
export const FIELD_KEY = /^[a-z][a-z0-9_]*$/;

export const SELECT_TYPES: readonly FieldType[] = ["select", "multi-select"];

/**
 * Application fields every application form keeps: an approved application becomes a partner with
 * these. Their key, type and `required` are fixed; label, help text, placeholder and place are not.
 */
export const LOCKED_APPLICATION_FIELDS: Record<string, FieldType> = {
  first_name: "text",
  last_name: "text",
  email: "email",
};

const field = (
  key: string,
  label: string,
  type: FieldType,
  required: boolean,
  extra: Partial<FormFieldDefinition> = {},
): FormFieldDefinition => ({ key, label, type, required, options: [], helpText: null, placeholder: null, ...extra });

export interface FormContent {
  title: string;
  description: string;
  fields: FormFieldDefinition[];
}

/** What "Reset form" restores, and what a new group starts with. */
export const DEFAULT_FORMS: Record<FormKind, FormContent> = {
  application: {
    title: "Apply to our partner program",
    description: "Tell us about yourself and how you would promote us.",
    fields: [
      field("first_name", "First name", "text", true),
      field("last_name", "Last name", "text", true),
      field("email", "Email", "email", true),
      field("company", "Company", "text", false),
      field("website", "Website", "url", false, { placeholder: "https://" }),
      field("promotion", "How will you promote us?", "textarea", false),
    ],
  },
  lead: {
    title: "Submit a lead",
    description: "Introduce a prospect: our team qualifies it and works to close it.",
    fields: [
      field("company_name", "Company name", "text", true),
      field("contact_name", "Contact name", "text", true),
      field("contact_email", "Contact email", "email", true),
      field("notes", "Notes", "textarea", false),
    ],
  },
  deal: {
    title: "Register a deal",
    description: "Register a deal you are closing, so that it is attributed to you.",
    fields: [
      field("company_name", "Company name", "text", true),
      field("contact_name", "Contact name", "text", true),
      field("contact_email", "Contact email", "email", true),
      field("deal_value", "Estimated deal value (USD)", "number", false),
      field("expected_close_date", "Expected close date", "date", false),
      field("notes", "Notes", "textarea", false),
    ],
  },
};

/** The stages a new group's pipelines start with; the deal pipeline's last one is its final stage. */
export const DEFAULT_STAGES: Record<PipelineKind, string[]> = {
  lead: ["New", "Contacted", "Qualified", "Converted", "Disqualified"],
  deal: ["Registered", "In progress", "Closed won"],
};

/** A key for a new field from its label: `Company size` → `company_size` (`field` if nothing is left). */
export function keyFromLabel(label: string, taken: Iterable<string>): string {
  const base =
    label
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^[^a-z]+|_+$/g, "")
      .slice(0, FORM_LIMITS.keyLength - 4)
      .replace(/_+$/, "") || "field";
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/**
 * Rules across the fields of one form (each field alone is checked by the route's schema): how many,
 * unique keys and, on the application form, the locked fields. Messages name `fields.<index>.<name>`.
 */
export function formFieldProblems(kind: FormKind, fields: FormFieldDefinition[]) {
  const problems: { field: string; message: string }[] = [];
  if (fields.length === 0) problems.push({ field: "fields", message: "a form needs at least one field" });
  if (fields.length > FORM_LIMITS.fields)
    problems.push({ field: "fields", message: `a form has at most ${FORM_LIMITS.fields} fields` });
  const seen = new Map<string, number>();
  fields.forEach((f, index) => {
    if (seen.has(f.key)) {
      problems.push({
        field: `fields.${index}.key`,
        message: `'${f.key}' is already the key of field ${seen.get(f.key)}`,
      });
    } else seen.set(f.key, index);
    const selectType = SELECT_TYPES.includes(f.type);
    if (selectType && f.options.length === 0)
      problems.push({ field: `fields.${index}.options`, message: "a select field needs at least one option" });
    if (!selectType && f.options.length > 0)
      problems.push({ field: `fields.${index}.options`, message: "only select and multi-select fields have options" });
    const locked = kind === "application" ? LOCKED_APPLICATION_FIELDS[f.key] : undefined;
    if (locked && f.type !== locked)
      problems.push({
        field: `fields.${index}.type`,
        message: `the application's '${f.key}' field is always ${locked}`,
      });
    if (locked && !f.required)
      problems.push({
        field: `fields.${index}.required`,
        message: `the application's '${f.key}' field is always required`,
      });
  });
  if (kind === "application") {
    for (const key of Object.keys(LOCKED_APPLICATION_FIELDS)) {
      if (!seen.has(key))
        problems.push({
          field: "fields",
          message: `the application form keeps its '${key}' field (it makes the partner)`,
        });
    }
  }
  return problems;
}

// ---- Submissions ------------------------------------------------------------------------------

type Values = Record<string, unknown>;

/** Control characters have no place in a form value; tab and line breaks only in a textarea. */
function hasControlCharacter(value: string, multiline: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (multiline && (code === 9 || code === 10 || code === 13)) continue;
    if (code < 32 || code === 127) return true;
  }
  return false;
}

const text = (max: number, multiline: boolean) =>
  z
    .string({ error: "must be text" })
    .trim()
    .max(max, `at most ${max} characters`)
    .refine(isWellFormed, "must be valid Unicode text")
    .refine((value) => !hasControlCharacter(value, multiline), "must not contain control characters");

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** `2026-11-25` or an RFC 3339 date-time, as the calendar date `YYYY-MM-DD` (the date-time's UTC date). */
function toIsoDate(value: string): string | null {
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  // `2026-02-30` rolls over to March: not a date.
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null;
  const instant = value.length > 10 ? new Date(value) : day;
  if (Number.isNaN(instant.getTime())) return null;
  const iso = instant.toISOString().slice(0, 10);
  return iso >= "1900-01-01" && iso <= "2199-12-31" ? iso : null;
}

function valueSchema(field: FormFieldDefinition): z.ZodType<unknown, NonNullable<unknown> | null> {
  switch (field.type) {
    case "text":
      return text(FORM_LIMITS.textLength, false);
    case "textarea":
      return text(FORM_LIMITS.textareaLength, true);
    case "email":
      return z
        .string({ error: "must be an email address" })
        .trim()
        .toLowerCase()
        .max(254, "at most 254 characters")
        .pipe(z.email("must be an email address"));
    case "url":
      return z.string({ error: "must be a URL" }).pipe(httpUrl);
    case "phone":
      return z
        .string({ error: "must be a phone number" })
        .trim()
        .max(FORM_LIMITS.phoneLength, `at most ${FORM_LIMITS.phoneLength} characters`)
        .regex(/^\+?[0-9][0-9 ().-]*$/, "must be a phone number: digits, spaces, ( ) . - and a leading +")
        .refine((value) => {
          const digits = value.replace(/\D/g, "").length;
          return digits >= 5 && digits <= 15;
        }, "must have 5 to 15 digits")
        .transform((value) => value.replace(/\s+/g, " "));
    case "number":
      // A JSON number, or the text an HTML form sends.
      return z
        .union(
          [
            z.number(),
            z
              .string()
              .trim()
              .regex(/^-?\d+(\.\d+)?$/)
              .transform(Number),
          ],
          {
            error: "must be a number",
          },
        )
        .pipe(
          z
            .number()
            .refine(Number.isFinite, "must be a finite number")
            .refine(
              (value) => Math.abs(value) <= FORM_LIMITS.numberMagnitude,
              `must be between -${FORM_LIMITS.numberMagnitude} and ${FORM_LIMITS.numberMagnitude}`,
            ),
        );
    case "checkbox":
      // `on` is what a checked HTML checkbox sends.
      return z
        .union([z.boolean(), z.enum(["on", "true", "false"]).transform((value) => value !== "false")], {
          error: "must be true or false",
        })
        .refine((checked) => !field.required || checked, "must be checked");
    case "date":
      return z.string({ error: "must be a date (YYYY-MM-DD)" }).transform((value, ctx) => {
        const date = toIsoDate(value.trim());
        if (date === null) {
          ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD) between 1900-01-01 and 2199-12-31" });
          return z.NEVER;
        }
        return date;
      });
    case "select":
      return z.string({ error: "must be one of the options" }).refine((value) => field.options.includes(value), {
        message: `must be one of: ${field.options.join(", ")}`,
      });
    case "multi-select":
      return (
        z
          .array(z.string(), { error: "must be a list of options" })
          .max(field.options.length, `at most ${field.options.length} options`)
          .refine((chosen) => chosen.every((value) => field.options.includes(value)), {
            message: `every choice must be one of: ${field.options.join(", ")}`,
          })
          .refine((chosen) => new Set(chosen).size === chosen.length, "each option at most once")
          // Stored in the form's order, whatever order they were sent in.
          .transform((chosen) => field.options.filter((option) => chosen.includes(option)))
      );
  }
}

/** Nothing given: absent, null, blank text, no choice, or an unchecked optional checkbox. */
function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === "string" && value.trim() === "") ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * The zod schema of a submission to a form with these fields: each value validated and normalised
 * by its field's type (text trimmed, emails in lower case, dates as `YYYY-MM-DD`, numbers as
 * numbers, choices in the form's order), blank optional values left out, unknown keys refused, and
 * the whole bounded. Every failing field is an issue at its key, so all are reported at once.
 */
export function submissionSchema(fields: FormFieldDefinition[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of fields) {
    const schema = valueSchema(field);
    shape[field.key] = z.preprocess(
      (value) => (isBlank(value) ? undefined : value),
      field.required
        ? z
            .any()
            .refine((v) => v !== undefined, "is required")
            .pipe(schema)
        : schema.optional(),
    );
  }
  return z
    .object(shape)
    .strict()
    .transform((values, ctx) => {
      const kept: Values = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
      const bytes = new TextEncoder().encode(JSON.stringify(kept)).byteLength;
      if (bytes > FORM_LIMITS.submissionBytes) {
        ctx.addIssue({
          code: "custom",
          message: `the values take ${bytes} bytes; a submission holds at most ${FORM_LIMITS.submissionBytes}`,
        });
        return z.NEVER;
      }
      return kept;
    });
}

/**
 * The values, validated and normalised by the form's fields, or a 422 naming every failing field
 * as `values.<key>` (an unknown key too); nothing is written by the caller then.
 */
export function parseSubmission(fields: FormFieldDefinition[], values: unknown): Values {
  const result = submissionSchema(fields).safeParse(values);
  if (result.success) return result.data;
  const errors = new Map<string, FieldError>();
  for (const issue of result.error.issues) {
    const at = (path: PropertyKey[]) => ["values", ...path.map(String)].join(".");
    const found =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ field: at([...issue.path, key]), message: "is not a field of this form" }))
        : [{ field: at(issue.path), message: issue.message }];
    // One error per field: its first (a phone that is not one is not also told how many digits it needs).
    for (const error of found) if (!errors.has(error.field)) errors.set(error.field, { ...error, verbatim: true });
  }
  throw problems.validation([...errors.values()], "The submission has invalid fields.");
}
