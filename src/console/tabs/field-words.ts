// Small helpers the Offers, Links and Social content tabs share: the API's messages said after the
// field's label, a textarea's value as the API stores text, and a refused service call's field.
import type { FieldError } from "../../lib/errors";
import { type FormValues, fieldValue } from "../../web/forms";

/**
 * "Link destination must be an absolute http or https URL…", "Link text: use letters, digits…": the
 * API's message after the field's label, joined by a colon unless it reads on as a sentence. A
 * message in words of our own (capitalised: "Enter a title") is left as it is.
 */
export function labelled(errors: FieldError[], labelOf: (field: string) => string | undefined): FieldError[] {
  return errors.map((error) => {
    const label = labelOf(error.field);
    if (!label || !/^[a-z`{]/.test(error.message)) return error;
    const joined = /^(must|is|are|cannot|can't|needs|has|should)\b/.test(error.message) ? " " : ": ";
    return { field: error.field, message: `${label}${joined}${error.message}` };
  });
}

/** One error per field: the first (the form shows one message per field). */
export function firstPerField(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => !seen.has(error.field) && seen.add(error.field));
}

/**
 * A textarea's value with the line breaks the API stores: browsers send CRLF, so text read back and
 * saved unchanged would otherwise differ from what was saved.
 */
export function textareaValue(values: FormValues, name: string): string {
  return fieldValue(values, name).replace(/\r\n?/g, "\n");
}

/** Whether a checkbox was ticked. */
export const isChecked = (values: FormValues, name: string) => fieldValue(values, name) !== "";
