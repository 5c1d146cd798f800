// A submission is validated by the zod schema built from its form's fields: every type's rule, every
// failing field in one 422 (`values.<key>`), values normalised and bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FORM_LIMITS, type FormFieldDefinition, parseSubmission } from "../../src/forms/fields";
import { ApiError } from "../../src/lib/errors";

const field = (key: string, type: FormFieldDefinition["type"], extra: Partial<FormFieldDefinition> = {}) => ({
  key,
  label: key,
  type,
  required: false,
  options: [],
  helpText: null,
  placeholder: null,
  ...extra,
});

const EVERY_TYPE: FormFieldDefinition[] = [
  field("name", "text", { required: true }),
  field("email", "email", { required: true }),
  field("site", "url"),
  field("phone", "phone"),
  field("seats", "number"),
  field("about", "textarea"),
  field("size", "select", { options: ["small", "large"] }),
  field("tools", "multi-select", { options: ["crm", "erp", "bi"] }),
  field("agree", "checkbox", { required: true }),
  field("start", "date"),
];

/** The field errors of a refused submission, as the API answers them. */
function refusal(fields: FormFieldDefinition[], values: unknown) {
  try {
    parseSubmission(fields, values);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const problem = (error as ApiError).toProblem();
    expect(problem.status).toBe(422);
    return Object.fromEntries((problem.errors ?? []).map((e) => [e.field, e.message]));
  }
  throw new Error("the submission was accepted");
}

describe("values are normalised", () => {
  it("trims text, lower-cases emails, dates as YYYY-MM-DD, numbers as numbers, choices in the form's order", () => {
    const values = parseSubmission(EVERY_TYPE, {
      name: "  Ada Lovelace ",
      email: " Ada@Example.COM ",
      site: " https://ada.example/path?q=1 ",
      phone: " +44  20 7946 0958 ",
      seats: "12.5",
      about: "line one\nline two  ",
      size: "large",
      tools: ["bi", "crm"],
      agree: "on",
      start: "2026-11-25T23:30:00-02:00",
    });
    expect(values).toEqual({
      name: "Ada Lovelace",
      email: "ada@example.com",
      site: "https://ada.example/path?q=1",
      phone: "+44 20 7946 0958",
      seats: 12.5,
      about: "line one\nline two",
      size: "large",
      tools: ["crm", "bi"],
      agree: true,
      start: "2026-11-26",
    });
  });

  it("leaves out blank optional values (empty text, null, no choice)", () => {
    const values = parseSubmission(EVERY_TYPE, {
      name: "Ada",
      email: "ada@example.com",
      agree: true,
      site: "  ",
      phone: null,
      tools: [],
      start: "",
    });
    expect(values).toEqual({ name: "Ada", email: "ada@example.com", agree: true });
  });
});

describe("every failing field is reported, by its key, in one problem", () => {
  it("required fields missing or blank", () => {
    expect(refusal(EVERY_TYPE, { name: "   ", agree: false })).toEqual({
      "values.name": "is required",
      "values.email": "is required",
      "values.agree": "must be checked",
    });
  });

  it("each type's own rule", () => {
    const errors = refusal(EVERY_TYPE, {
      name: 42,
      email: "not-an-email",
      site: "javascript:alert(1)",
      phone: "call me",
      seats: "12 seats",
      about: "nul\u0000byte",
      size: "medium",
      tools: ["crm", "crm"],
      agree: "yes",
      start: "2026-02-30",
    });
    expect(errors).toEqual({
      "values.name": "must be text",
      "values.email": "must be an email address",
      "values.site": "must be an absolute http or https URL without credentials",
      "values.phone": "must be a phone number: digits, spaces, ( ) . - and a leading +",
      "values.seats": "must be a number",
      "values.about": "must not contain control characters",
      "values.size": "must be one of: small, large",
      "values.tools": "each option at most once",
      "values.agree": "must be true or false",
      "values.start": "must be a date (YYYY-MM-DD) between 1900-01-01 and 2199-12-31",
    });
  });

  it("more of each type's rules: bounds, unknown options, short phones, far dates", () => {
    const errors = refusal(EVERY_TYPE, {
      name: "x".repeat(FORM_LIMITS.textLength + 1),
      email: "a@b.c\nd",
      site: "https://user:pw@example.com/",
      phone: "+1 234",
      seats: 1e13,
      about: "y".repeat(FORM_LIMITS.textareaLength + 1),
      size: ["small"],
      tools: ["crm", "warehouse"],
      agree: true,
      start: "1899-12-31",
    });
    expect(Object.keys(errors).sort()).toEqual(
      ["name", "email", "site", "phone", "seats", "about", "size", "tools", "start"].map((k) => `values.${k}`).sort(),
    );
    expect(errors["values.name"]).toBe(`at most ${FORM_LIMITS.textLength} characters`);
    expect(errors["values.phone"]).toBe("must have 5 to 15 digits");
    expect(errors["values.seats"]).toBe(
      `must be between -${FORM_LIMITS.numberMagnitude} and ${FORM_LIMITS.numberMagnitude}`,
    );
    expect(errors["values.tools"]).toBe("every choice must be one of: crm, erp, bi");
    // A line break in a one-line text field.
    expect(refusal([field("t", "text")], { t: "a\nb" })).toEqual({ "values.t": "must not contain control characters" });
  });

  it("keys that are not fields of the form, and values that are not an object", () => {
    expect(refusal(EVERY_TYPE, { name: "A", email: "a@b.co", agree: true, colour: "red", Name: "x" })).toEqual({
      "values.colour": "is not a field of this form",
      "values.Name": "is not a field of this form",
    });
    expect(Object.keys(refusal(EVERY_TYPE, ["Ada"]))).toEqual(["values"]);
  });

  it("the whole submission is bounded", () => {
    const many = Array.from({ length: 10 }, (_, i) => field(`notes_${i}`, "textarea"));
    const values = Object.fromEntries(many.map((f) => [f.key, "z".repeat(FORM_LIMITS.textareaLength)]));
    const errors = refusal(many, values);
    expect(Object.keys(errors)).toEqual(["values"]);
    expect(errors.values).toMatch(/a submission holds at most 32768/);
  });

  it("property: any values parse to values of the form's keys, or are a 422 naming values.*; nothing else", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...EVERY_TYPE.map((f) => f.key), "extra"), fc.anything()), (values) => {
        try {
          const parsed = parseSubmission(EVERY_TYPE, values);
          for (const key of Object.keys(parsed)) expect(EVERY_TYPE.map((f) => f.key)).toContain(key);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          for (const e of (error as ApiError).errors ?? []) expect(e.field).toMatch(/^values(\.|$)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
