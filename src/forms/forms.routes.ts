import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  forbiddenResponse,
  idParam,
  jsonBody,
  jsonResponse,
  security,
} from "../admin/schemas";
import { FIELD_TYPES, FORM_KINDS } from "../lib/constants";
import { isWellFormed } from "../lib/unicode";
import { FIELD_KEY, FORM_LIMITS } from "./fields";
import type { FieldChanges, FieldInput, FormChanges } from "./service";

const tags = ["Forms"];

export const FormKindParam = z.enum(FORM_KINDS).openapi({
  param: { name: "kind", in: "path" },
  example: "lead",
  description: "`application`, `lead` (lead submission) or `deal` (deal registration)",
});
export const FormParams = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz").extend({ kind: FormKindParam });

export const fieldKey = z
  .string()
  .min(1)
  .max(FORM_LIMITS.keyLength)
  .regex(FIELD_KEY, "use lower-case letters, digits and _, starting with a letter");
const FieldParams = FormParams.extend({
  field_key: fieldKey.openapi({ param: { name: "field_key", in: "path" }, example: "contact_email" }),
});

const line = (max: number) => z.string().trim().max(max).refine(isWellFormed, "must be valid Unicode text");

const FieldSchema = z
  .object({
    key: z.string().openapi({ description: "Stable: values are stored under it; never changes" }),
    label: z.string(),
    type: z.enum(FIELD_TYPES),
    required: z.boolean(),
    options: z.array(z.string()).openapi({ description: "The choices of a select or multi-select; else empty" }),
    help_text: z.string().nullable(),
    placeholder: z.string().nullable(),
  })
  .openapi("FormField");

const formExample = {
  object: "form",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  kind: "lead",
  enabled: true,
  version: 3,
  title: "Submit a lead",
  description: "Introduce a prospect: our team qualifies it and works to close it.",
  fields: [
    {
      key: "company_name",
      label: "Company name",
      type: "text",
      required: true,
      options: [],
      help_text: null,
      placeholder: null,
    },
    {
      key: "company_size",
      label: "Company size",
      type: "select",
      required: false,
      options: ["1-10", "11-100", "100+"],
      help_text: "Employees",
      placeholder: null,
    },
  ],
  updated_at: "2026-11-25T08:00:00.000Z",
} as const;

export const FormSchema = z
  .object({
    object: z.literal("form"),
    group_id: z.string(),
    kind: z.enum(FORM_KINDS),
    enabled: z.boolean().openapi({
      description:
        "Lead submission and deal registration: partners can submit. Applications: the group is gated " +
        "(applications wait for approval); off, applicants join directly",
    }),
    version: z.number().int().openapi({ description: "Grows with every edit and reset" }),
    title: z.string(),
    description: z.string(),
    fields: z.array(FieldSchema),
    updated_at: z.string(),
  })
  .openapi("Form", { example: formExample });

/** A version a submission was made with: its title and fields as they were then. */
export const FormVersionSchema = z
  .object({
    version: z.number().int(),
    title: z.string(),
    description: z.string(),
    fields: z.array(FieldSchema),
  })
  .openapi("FormVersion", {
    example: {
      version: formExample.version,
      title: formExample.title,
      description: formExample.description,
      fields: formExample.fields,
    },
  });

const fieldBody = {
  label: line(FORM_LIMITS.labelLength).min(1).openapi({ example: "Company size" }),
  type: z.enum(FIELD_TYPES),
  required: z.boolean(),
  options: z
    .array(line(FORM_LIMITS.optionLength).min(1))
    .max(FORM_LIMITS.options)
    .refine((options) => new Set(options).size === options.length, "options must be unique")
    .openapi({ description: "Select and multi-select only: the choices, in order" }),
  help_text: line(FORM_LIMITS.helpTextLength).nullable(),
  placeholder: line(FORM_LIMITS.placeholderLength).nullable(),
};

const FieldInputSchema = z
  .object({
    key: fieldKey.optional().openapi({ description: "Made from the label when absent; fixed afterwards" }),
    ...fieldBody,
    required: fieldBody.required.default(false),
    options: fieldBody.options.default([]),
    help_text: fieldBody.help_text.optional(),
    placeholder: fieldBody.placeholder.optional(),
  })
  .strict();

const toFieldInput = (f: z.output<typeof FieldInputSchema>): FieldInput => ({
  ...(f.key === undefined ? {} : { key: f.key }),
  label: f.label,
  type: f.type,
  required: f.required,
  options: f.options,
  helpText: f.help_text || null,
  placeholder: f.placeholder || null,
});

const position = z.number().int().min(1).max(FORM_LIMITS.fields).openapi({ description: "1 is the top" });

export const UpdateFormBody = z
  .object({
    enabled: z.boolean().openapi({ description: "Turning a form on needs a plan that includes it (403)" }),
    title: line(FORM_LIMITS.titleLength).min(1),
    description: line(FORM_LIMITS.descriptionLength),
    fields: z
      .array(FieldInputSchema)
      .max(FORM_LIMITS.fields)
      .openapi({ description: "The whole ordered list: fields left out are removed, and the order is kept" }),
  })
  .partial()
  .strict()
  .openapi("UpdateForm", {
    example: { enabled: true, title: "Refer a customer", description: "We reply within a day." },
  })
  .transform(
    (body): FormChanges => ({
      enabled: body.enabled,
      title: body.title,
      description: body.description,
      fields: body.fields?.map(toFieldInput),
    }),
  );

export const AddFieldBody = FieldInputSchema.extend({
  position: position.optional().openapi({ description: "1 is the top; the end when absent" }),
})
  .openapi("AddFormField", {
    example: { label: "Company size", type: "select", options: ["1-10", "11-100", "100+"], position: 2 },
  })
  .transform((body) => ({ ...toFieldInput(body), position: body.position }));

export const UpdateFieldBody = z
  .object({ ...fieldBody, position })
  .partial()
  .strict()
  .openapi("UpdateFormField", { example: { label: "Work email", help_text: "We never share it", position: 1 } })
  .transform(
    (body): FieldChanges => ({
      label: body.label,
      type: body.type,
      required: body.required,
      options: body.options,
      helpText: body.help_text === undefined ? undefined : body.help_text || null,
      placeholder: body.placeholder === undefined ? undefined : body.placeholder || null,
      position: body.position,
    }),
  );

const formResponses = (description: string) => ({
  200: jsonResponse(FormSchema, description),
  ...errorResponses,
});

export const get = createRoute({
  method: "get",
  operationId: "getForm",
  path: "/v1/groups/{group_id}/forms/{kind}",
  tags,
  security,
  summary: "Get a group's application, lead or deal form",
  request: { params: FormParams },
  responses: formResponses("The form, as it is now"),
});

export const update = createRoute({
  method: "patch",
  operationId: "updateForm",
  path: "/v1/groups/{group_id}/forms/{kind}",
  tags,
  security,
  summary: "Turn a form on or off, or edit its title, description and fields",
  description:
    "An edit of the title, description or fields writes a new version; submissions keep theirs. Turning a " +
    "form on is a 403 on a plan without the feature.",
  request: { params: FormParams, body: jsonBody(UpdateFormBody) },
  responses: { ...formResponses("The form"), ...forbiddenResponse },
});

export const addField = createRoute({
  method: "post",
  operationId: "addFormField",
  path: "/v1/groups/{group_id}/forms/{kind}/fields",
  tags,
  security,
  summary: "Add a field to a form",
  request: { params: FormParams, body: jsonBody(AddFieldBody) },
  responses: { 201: jsonResponse(FormSchema, "The form with the new field"), ...errorResponses, ...conflictResponse },
});

export const updateField = createRoute({
  method: "patch",
  operationId: "updateFormField",
  path: "/v1/groups/{group_id}/forms/{kind}/fields/{field_key}",
  tags,
  security,
  summary: "Change or move a field (its key stays)",
  request: { params: FieldParams, body: jsonBody(UpdateFieldBody) },
  responses: formResponses("The form"),
});

export const removeField = createRoute({
  method: "delete",
  operationId: "removeFormField",
  path: "/v1/groups/{group_id}/forms/{kind}/fields/{field_key}",
  tags,
  security,
  summary: "Remove a field (earlier submissions keep it)",
  request: { params: FieldParams },
  responses: formResponses("The form without the field"),
});

export const reset = createRoute({
  method: "post",
  operationId: "resetForm",
  path: "/v1/groups/{group_id}/forms/{kind}/reset",
  tags,
  security,
  summary: "Reset a form to the default of its kind",
  description: "Writes a new version with the default title, description and fields; submissions keep theirs.",
  request: { params: FormParams },
  responses: { 200: jsonResponse(FormSchema, "The reset form"), ...errorResponses, ...conflictResponse },
});
