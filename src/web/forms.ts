// Reading and checking a posted form on the server. The zod schema that validates it is the same
// kind the API uses (shared rules from src/lib/validation.ts), and a service's own 422 (an
// ApiError naming fields) is shown next to the same fields.
import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, type FieldError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { zodFieldErrors } from "../lib/validation";
import { CSRF_FIELD } from "./csrf";

/** A posted form's fields as strings (a repeated name, e.g. checkboxes, as a list); files are dropped. */
export type FormValues = Record<string, string | string[]>;

export async function readForm(c: Context): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === CSRF_FIELD) continue;
    const texts = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
    if (texts.length === 1) values[name] = texts[0]!;
    else if (texts.length > 1) values[name] = texts;
  }
  return values;
}

/** A single value of a form field ('' when absent), for re-filling a field. */
export function fieldValue(values: FormValues, name: string): string {
  const value = values[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/** Validates the form with `schema`; errors name the form's fields. */
export function validateForm<T extends z.ZodType>(schema: T, values: FormValues): FormResult<z.output<T>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: zodFieldErrors(result.error) };
}

/** A service's validation error as field errors (snake_case, as the form's names); null for any other error. */
export function formErrorsOf(error: unknown): FieldError[] | null {
  if (!(error instanceof ApiError) || error.problem !== PROBLEMS.validationFailed) return null;
  return error.toProblem().errors ?? [];
}
