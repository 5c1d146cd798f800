// Console forms check their input with the API's own zod schemas (the `*.routes.ts` bodies: the
// form's field names are the API's snake_case names) and call the API's services, so every rule has
// one copy. What this adds is wording for people: an empty required field gets "Enter …", a rule's
// message ("must use https") is put after the field's label, and a service's refusal that names no
// field (a plan limit, a conflict) is shown next to the field it concerns.
import type { z } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError, type FieldError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { zodFieldErrors } from "../lib/validation";
import { type FormValues, fieldValue, formErrorsOf } from "../web/forms";

export interface FormFields {
  /** Each field's label, by the API's field name. */
  labels: Record<string, string>;
  /** What to say when a required field is empty, by field name. */
  required?: Record<string, string>;
}

/** "Terms of service URL must use https": the API's message after the field's label. */
export function withLabels(errors: FieldError[], { labels }: FormFields): FieldError[] {
  return errors.map((error) => {
    const label = labels[error.field];
    const sentence = label && /^[a-z]/.test(error.message) ? `${label} ${error.message}` : error.message;
    return { field: error.field, message: sentence };
  });
}

export type Checked<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/**
 * Checks `body` (built from the form) with the API's schema; empty required fields first, in words
 * for people, then the schema's own errors on the other fields.
 */
export function checkWith<T extends z.ZodType>(
  schema: T,
  body: unknown,
  values: FormValues,
  fields: FormFields,
): Checked<z.output<T>> {
  const empty: FieldError[] = Object.entries(fields.required ?? {})
    .filter(([name]) => fieldValue(values, name).trim() === "")
    .map(([field, message]) => ({ field, message }));
  const result = schema.safeParse(body);
  if (result.success && empty.length === 0) return { ok: true, data: result.data };
  const rules = result.success ? [] : zodFieldErrors(readableLengths(result.error));
  const named = new Set(empty.map((error) => error.field));
  return { ok: false, errors: [...empty, ...withLabels(rules, fields).filter((error) => !named.has(error.field))] };
}

/** zod's own words for a length ("Too big: expected string to have <=100 characters"), said for people. */
function readableLengths(error: z.ZodError): z.ZodError {
  for (const issue of error.issues) {
    // This error is the form's own, made just now: rewording its issues in place harms no one.
    const reworded = issue as { message: string };
    // Only zod's own words: a rule's message of its own ("must not be empty") is the API's, kept.
    if (!issue.message.startsWith("Too ")) continue;
    if (issue.code === "too_big" && issue.origin === "string") {
      reworded.message = `must be ${issue.maximum} characters or fewer`;
    }
    if (issue.code === "too_small" && issue.origin === "string") {
      reworded.message = `must be at least ${issue.minimum} characters`;
    }
  }
  return error;
}

export interface Refusal {
  errors: FieldError[];
  status: ContentfulStatusCode;
}

/**
 * A service's refusal as the form's errors, with the status the API would answer: its field errors
 * (422), or its message on `field` (a 403 plan limit, a 409 conflict). Null for anything else (a
 * 404 or a failure), which the caller rethrows to the page router.
 */
export function refusalOf(error: unknown, field: string, fields: FormFields): Refusal | null {
  const fieldErrors = formErrorsOf(error);
  if (fieldErrors) return { errors: withLabels(fieldErrors, fields), status: 422 };
  if (!(error instanceof ApiError) || error.problem === PROBLEMS.notFound || error.status >= 500) return null;
  return {
    errors: [{ field, message: error.detail ?? error.problem.title }],
    status: error.status as ContentfulStatusCode,
  };
}
