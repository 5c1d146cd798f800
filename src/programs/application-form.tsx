// The live application form of a program page, built from the fields of the group's current
// application form version (src/forms/fields.ts): one control per field type, named by the field's
// key, with its label, help text, placeholder and options. What a visitor posts is handed to the
// applications service as it is; the service's 422 (`values.<key>`) comes back next to each field.
import type { FormFieldDefinition } from "../forms/fields";
import { LOCKED_APPLICATION_FIELDS } from "../forms/fields";
import type { FieldError } from "../lib/errors";
import { CheckboxesField, CheckboxField, errorOf, SelectField, TextAreaField, TextField } from "../web/form";
import { type FormValues, fieldValue } from "../web/forms";

/** What a checked checkbox sends: one of the values the service reads as `true`. */
const CHECKED = "on";

/** The fields of a join form (a group whose applications are off): only what makes the partner. */
export function joinFields(fields: FormFieldDefinition[]): FormFieldDefinition[] {
  return fields.filter((field) => Object.hasOwn(LOCKED_APPLICATION_FIELDS, field.key));
}

/** The browser's autofill hint for the fields every application form has. */
const AUTOCOMPLETE: Record<string, string> = {
  first_name: "given-name",
  last_name: "family-name",
  email: "email",
};

const listOf = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** One control for one form field, re-filled with what the visitor sent. */
export function FormFieldControl({
  field,
  values,
  errors,
}: {
  field: FormFieldDefinition;
  values: FormValues;
  errors: FieldError[];
}) {
  const common = {
    name: field.key,
    label: field.label,
    hint: field.helpText ?? undefined,
    error: errorOf(errors, field.key),
    required: field.required,
  };
  const value = fieldValue(values, field.key);
  const placeholder = field.placeholder ?? undefined;
  const options = field.options.map((option) => ({ value: option, label: option }));
  switch (field.type) {
    case "text":
      return <TextField {...common} value={value} placeholder={placeholder} autocomplete={AUTOCOMPLETE[field.key]} />;
    case "email":
      return (
        <TextField
          {...common}
          type="email"
          value={value}
          placeholder={placeholder}
          autocomplete={AUTOCOMPLETE[field.key]}
        />
      );
    case "url":
      return <TextField {...common} type="url" value={value} placeholder={placeholder} autocomplete="url" />;
    case "phone":
      return <TextField {...common} type="tel" value={value} placeholder={placeholder} autocomplete="tel" />;
    case "number":
      // Text with a numeric keyboard, not type=number: a browser empties a number field whose
      // text is no number, so the visitor would lose what they typed and the server's message.
      return <TextField {...common} inputmode="decimal" value={value} placeholder={placeholder} />;
    case "date":
      return <TextField {...common} type="date" value={value} />;
    case "textarea":
      return <TextAreaField {...common} value={value} placeholder={placeholder} rows={5} />;
    case "select":
      return <SelectField {...common} options={options} value={value} placeholder="Choose…" />;
    case "multi-select":
      return <CheckboxesField {...common} options={options} values={listOf(values[field.key])} />;
    case "checkbox":
      return <CheckboxField {...common} value={CHECKED} checked={listOf(values[field.key]).includes(CHECKED)} />;
  }
}

/**
 * The posted form as the applications service's `values`: one entry per field of the form (a
 * multi-select as a list, anything else as one string); other names (the CSRF token, the
 * honeypot, anything a bot adds) are left out.
 */
export function submissionValues(fields: FormFieldDefinition[], posted: FormValues): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const sent = posted[field.key];
    if (sent === undefined) continue;
    values[field.key] = field.type === "multi-select" ? listOf(sent) : fieldValue(posted, field.key);
  }
  return values;
}

/**
 * The service's field errors (`values.<key>`, terse: "is required") as messages for people, named by
 * the form's own field names: "First name is required".
 */
export function pageErrors(fields: FormFieldDefinition[], errors: FieldError[]): FieldError[] {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  return errors.map((error) => {
    const key = error.field.replace(/^values\.?/, "");
    const field = byKey.get(key) ?? fields[0];
    const name = field?.key ?? key;
    if (!field || !key) return { field: name, message: `Your answers are too long: ${error.message}.` };
    return { field: name, message: sentence(field, error.message) };
  });
}

function sentence(field: FormFieldDefinition, message: string): string {
  if (field.type === "checkbox" && field.required && message === "is required") return `${field.label}: tick the box`;
  if (field.type === "multi-select" && message === "is required") return `${field.label}: choose at least one`;
  if (message.startsWith("at most")) return `${field.label} must be ${message}`;
  if (/^(is|must|has|already)\b/.test(message)) return `${field.label} ${message}`;
  return `${field.label}: ${message}`;
}
