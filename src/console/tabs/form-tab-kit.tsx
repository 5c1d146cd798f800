// What the form tabs (Lead submission, Deal registration, Application) share: how a tab is shown
// again with a form's errors and values, how the API's terse messages are worded for people, the
// error of an action that is a button (no input of its own), and how the console names who acted.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../../admin/context";
import type { groups } from "../../db/schema";
import type { FormFieldDefinition } from "../../forms/fields";
import type { FieldError } from "../../lib/errors";
import { fieldId } from "../../web/form";
import type { FormValues } from "../../web/forms";
import { refusalOf } from "../form-errors";
import type { GroupTabSlug } from "../group-page";

export type Group = typeof groups.$inferSelect;

/** A tab shown again after a POST: the errors, and which of its forms was posted with what. */
export interface TabState {
  errors: FieldError[];
  posted?: { form: string; values: FormValues };
}

export const NO_ERRORS: TabState = { errors: [] };

/** A tab of the group page that can be shown again with a form's errors. */
export interface ErrorShowingTab {
  slug: GroupTabSlug;
  render(c: Context<AdminContext>, group: Group, state: TabState, status?: ContentfulStatusCode): Promise<Response>;
}

/** The posted values of `form` when that form is the one shown again, else null (show what is stored). */
export function postedTo(state: TabState, form: string): FormValues | null {
  return state.posted?.form === form ? state.posted.values : null;
}

/** Where a tab's path starts: `/console/groups/{id}/{slug}`. */
export const tabBase = (groupId: string, slug: string) => `/console/groups/${groupId}/${slug}`;

/** The route pattern of a tab's sub-path (`/groups/:groupId/{slug}{rest}`), for registering routes. */
export const tabRoute = (slug: string, rest = "") => `/groups/:groupId/${slug}${rest}`;

const PREDICATE = /^(must|is|are|has|have|already|at most|at least|cannot|should)\b/;

/** zod's own words for a number's bounds ("Too small: expected number to be >=1"), said for people. */
function readableBounds(message: string): string {
  const bound = /^Too (small|big): expected number to be [<>]=?(-?[\d.]+)$/.exec(message);
  if (!bound) return message;
  return `must be ${bound[1] === "small" ? "at least" : "at most"} ${bound[2]}`;
}

/**
 * The API's message for a field, worded for people: "Label must be …" after a predicate,
 * "Options: a select field needs …" after a sentence; a message starting in capitals stays as it is.
 */
export function reword(errors: FieldError[], labels: Record<string, string>): FieldError[] {
  return errors.map(({ field, message: said }) => {
    const message = readableBounds(said);
    const label = labels[field];
    if (!label || !/^[a-z]/.test(message)) return { field, message };
    return { field, message: PREDICATE.test(message) ? `${label} ${message}` : `${label}: ${message}` };
  });
}

/**
 * Errors named by the API (`options.2`, `fields`, …) put on the form's own controls: an item of a
 * list on the list's control, and any name the form has no control for on `fallback`.
 */
export function placeErrors(errors: FieldError[], names: readonly string[], fallback: string): FieldError[] {
  return errors.map((error) => {
    const item = /^([a-z_]+)\.(\d+)$/.exec(error.field);
    if (item && names.includes(item[1]!)) {
      const what = item[1] === "options" ? `Option ${Number(item[2]) + 1}` : `Item ${Number(item[2]) + 1}`;
      return { field: item[1]!, message: /^[a-z]/.test(error.message) ? `${what} ${error.message}` : error.message };
    }
    return names.includes(error.field) ? error : { ...error, field: fallback };
  });
}

/**
 * A service's refusal (its 422 field errors, or its 403/409 words) on the form's controls, with the
 * status the API would answer; null for anything else (a 404, a failure), which the caller rethrows.
 */
export function refusalOn(
  error: unknown,
  names: readonly string[],
  fallback: string,
  labels: Record<string, string>,
): { errors: FieldError[]; status: ContentfulStatusCode } | null {
  const refusal = refusalOf(error, fallback, { labels: {} });
  if (!refusal) return null;
  return { errors: reword(placeErrors(refusal.errors, names, fallback), labels), status: refusal.status };
}

/**
 * The error of an action that has no input (a button: turn on, remove, approve): the message above
 * the button, tied to it, the button carrying the id the error summary links to.
 */
export function ButtonError({ name, error }: { name: string; error?: string }) {
  return error ? (
    <p id={`${fieldId(name)}-error`} class="field-error">
      <span class="visually-hidden">Error: </span>
      {error}
    </p>
  ) : null;
}

/** The attributes of the button an action's error belongs to. */
export function buttonFor(name: string, error?: string) {
  return {
    id: fieldId(name),
    "aria-describedby": error ? `${fieldId(name)}-error` : undefined,
    "aria-invalid": error ? ("true" as const) : undefined,
  };
}

/** A posted number (a hidden position), or the text itself so the API's schema says what is wrong. */
export function numberOf(text: string): number | string {
  return /^\d{1,6}$/.test(text) ? Number(text) : text;
}

/** A stored answer as text: lists joined, yes or no for a checkbox. */
export function answerText(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (value === null || value === undefined) return "";
  return String(value);
}

/** The answers of a submission, with the labels of the form version it was made with. */
export function Answers({ fields, values }: { fields: FormFieldDefinition[]; values: Record<string, unknown> }) {
  const answered = fields.filter((field) => values[field.key] !== undefined);
  return answered.length === 0 ? (
    <p class="muted">No answers.</p>
  ) : (
    <dl class="details answers">
      {answered.map((field) => (
        <>
          <dt>{field.label}</dt>
          <dd>{answerText(values[field.key])}</dd>
        </>
      ))}
    </dl>
  );
}

/** What a lead, deal or application is called in lists: its first answer that is text. */
export function titleOf(fields: FormFieldDefinition[], values: Record<string, unknown>, fallback: string): string {
  for (const field of fields) {
    const value = values[field.key];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  return fallback;
}

/** Links to a long tab's sections, so a keyboard or screen reader user can jump. */
export function OnThisTab({ sections }: { sections: { id: string; label: string }[] }) {
  return (
    <nav aria-label="On this tab" class="on-this-tab">
      <ul>
        {sections.map((section) => (
          <li>
            <a href={`#${section.id}`}>{section.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A section of a tab: an `<h3>` and what follows, labelled by it. */
export function TabSection({ id, title, children }: { id: string; title: Child; children?: Child }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} class="tab-section">
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
    </section>
  );
}
