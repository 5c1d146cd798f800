// A form built from a group's form definition (src/forms: application, lead, deal): one control per
// field with the right input type, its label, help text, placeholder and required mark; the posted
// values turned into what the forms service validates (the same `parseSubmission` as the API), and
// its `values.<key>` errors shown next to their fields. No rule of a submission lives here.

import type { FormFieldDefinition } from "../lib/constants";
import type { FieldError } from "../lib/errors";
import { CheckboxesField, CheckboxField, SelectField, TextAreaField, TextField, type TextFieldProps } from "./form";
import type { FormValues } from "./forms";

const INPUT_TYPES: Partial<Record<FormFieldDefinition["type"], TextFieldProps["type"]>> = {
  text: "text",
  email: "email",
  url: "url",
  phone: "tel",
  // A text box with a numeric keyboard: type=number would let the browser reject what the server explains.
  number: "text",
  date: "date",
};
const INPUT_MODES: Partial<Record<FormFieldDefinition["type"], TextFieldProps["inputmode"]>> = {
  email: "email",
  url: "url",
  phone: "tel",
  number: "decimal",
};
const AUTOCOMPLETE: Record<string, string> = {
  first_name: "given-name",
  last_name: "family-name",
  email: "email",
  contact_email: "email",
  phone: "tel",
  website: "url",
};

/** What a checked box sends: a browser's default, one of the values the forms service reads as true. */
const CHECKED = "on";

/** The values of a field as posted: one for most, every checked one for a multi-select. */
function postedValues(values: FormValues, key: string): string[] {
  const value = values[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The form's fields, filled with `values` and showing `errors` (named by field key). */
export function SubmissionFields({
  fields,
  values,
  errors,
}: {
  fields: FormFieldDefinition[];
  values: FormValues;
  errors: FieldError[];
}) {
  return (
    <>
      {fields.map((field) => {
        const common = {
          name: field.key,
          label: field.label,
          hint: field.helpText ?? undefined,
          required: field.required,
          error: errors.find((error) => error.field === field.key)?.message,
        };
        const [first = ""] = postedValues(values, field.key);
        switch (field.type) {
          case "textarea":
            return <TextAreaField {...common} value={first} placeholder={field.placeholder ?? undefined} rows={5} />;
          case "select":
            return (
              <SelectField
                {...common}
                placeholder="Choose…"
                options={field.options.map((option) => ({ value: option, label: option }))}
                value={first}
              />
            );
          case "multi-select":
            return (
              <CheckboxesField
                {...common}
                options={field.options.map((option) => ({ value: option, label: option }))}
                values={postedValues(values, field.key)}
              />
            );
          case "checkbox":
            return <CheckboxField {...common} value={CHECKED} checked={first === CHECKED || first === "true"} />;
          default:
            return (
              <TextField
                {...common}
                type={INPUT_TYPES[field.type] ?? "text"}
                inputmode={INPUT_MODES[field.type]}
                autocomplete={AUTOCOMPLETE[field.key]}
                placeholder={field.placeholder ?? undefined}
                value={first}
              />
            );
        }
      })}
    </>
  );
}

/**
 * The submission the forms service validates: each field's posted value (a multi-select's as a
 * list), nothing else of the post (an unknown name would be refused as no field of the form).
 */
export function submissionValues(fields: FormFieldDefinition[], values: FormValues): Record<string, unknown> {
  const submission: Record<string, unknown> = {};
  for (const field of fields) {
    const posted = postedValues(values, field.key);
    if (field.type === "multi-select") submission[field.key] = posted;
    else if (posted.length > 0) submission[field.key] = posted[0];
  }
  return submission;
}

/**
 * The service's `values.<key>` errors as the form's: named by the field's key, the message led by
 * the field's label ("Enter company name", "Contact email must be an email address"). An error on
 * the whole submission (`values`: too large) goes on the first field.
 */
export function submissionErrors(fields: FormFieldDefinition[], errors: FieldError[]): FieldError[] {
  return errors.map((error) => {
    const key = error.field.replace(/^values\.?/, "");
    const field = fields.find((candidate) => candidate.key === key) ?? fields[0];
    if (!field) return error;
    if (!key) return { field: field.key, message: `Your answers are too long: ${error.message}` };
    return { field: field.key, message: friendlyMessage(field, error.message) };
  });
}

function friendlyMessage(field: FormFieldDefinition, message: string): string {
  if (message === "is required") {
    if (field.type === "select" || field.type === "multi-select") return `Select ${lowerFirst(field.label)}`;
    if (field.type === "checkbox") return `Check “${field.label}” to continue`;
    return `Enter ${lowerFirst(field.label)}`;
  }
  if (message === "must be checked") return `Check “${field.label}” to continue`;
  if (message.startsWith("at most")) return `${field.label} must be ${message}`;
  if (/^(is|must|has|already)\b/.test(message)) return `${field.label} ${message}`;
  return `${field.label}: ${message}`;
}

/** "Company name" → "company name", but acronyms stay: "URL" stays "URL". */
function lowerFirst(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}
