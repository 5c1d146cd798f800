import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuery,
  security,
} from "../admin/schemas";
import { FormVersionSchema } from "../forms/forms.routes";
import { APPLICATION_STATUSES } from "../lib/constants";
import { isWellFormed } from "../lib/unicode";
import { objectId } from "../lib/validation";
import type { ApplicationInput } from "./service";

const tags = ["Applications"];
const ApplicationIdParam = idParam("application_id", "app_01jd3k5qv0r8t2x7m9c4b6n1pz");

/** Submitted values: checked against the form's own fields by the service (one error per field). */
export const SubmissionValues = z.record(z.string().max(64), z.unknown()).openapi({
  description: "One value per field key of the form; validated by the form's fields (`values.<key>` in errors)",
});

const ApplicationShape = z.object({
  id: z.string(),
  object: z.literal("application"),
  group_id: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  gated: z.boolean().openapi({ description: "Whether the group's applications were on (it waited for a decision)" }),
  email: z.string(),
  values: z.record(z.string(), z.unknown()),
  form: FormVersionSchema.openapi({ description: "The form version it was submitted with" }),
  partner_id: z.string().nullable().openapi({ description: "The partner it made, once approved" }),
  rejection_reason: z.string().nullable(),
  decided_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const applicationExample: z.input<typeof ApplicationShape> = {
  id: "app_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "application",
  group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
  status: "pending",
  gated: true,
  email: "jane@example.com",
  values: { first_name: "Jane", last_name: "Doe", email: "jane@example.com", website: "https://jane.example" },
  form: {
    version: 2,
    title: "Apply to our partner program",
    description: "",
    fields: [
      {
        key: "first_name",
        label: "First name",
        type: "text",
        required: true,
        options: [],
        help_text: null,
        placeholder: null,
      },
    ],
  },
  partner_id: null,
  rejection_reason: null,
  decided_at: null,
  created_at: "2026-11-25T08:00:00.000Z",
  updated_at: "2026-11-25T08:00:00.000Z",
};

export const ApplicationSchema = ApplicationShape.openapi("Application", { example: applicationExample });

export const SubmitApplicationBody = z
  .object({
    group_id: objectId.optional().openapi({ description: "The company's default group when absent" }),
    values: SubmissionValues,
  })
  .strict()
  .openapi("SubmitApplication", {
    example: { values: { first_name: "Jane", last_name: "Doe", email: "jane@example.com" } },
  })
  .transform((body): ApplicationInput => ({ groupId: body.group_id, values: body.values }));

export const ApproveApplicationBody = z
  .object({
    group_id: objectId.optional().openapi({ description: "Another group to place the partner in" }),
  })
  .strict()
  .openapi("ApproveApplication", { example: {} })
  .transform((body) => ({ groupId: body.group_id }));

export const RejectApplicationBody = z
  .object({
    reason: z.string().trim().max(1000).refine(isWellFormed, "must be valid Unicode text").optional(),
  })
  .strict()
  .openapi("RejectApplication", { example: { reason: "We only work with agencies for now." } })
  .transform((body) => ({ reason: body.reason || null }));

export const ListApplicationsQuery = PaginationQuery.extend({
  status: z.enum(APPLICATION_STATUSES).optional(),
  group_id: objectId.optional().openapi({ description: "Only this group's applications" }),
});

export const submit = createRoute({
  method: "post",
  operationId: "submitApplication",
  path: "/v1/applications",
  tags,
  security,
  summary: "Submit an application to join a group",
  description:
    "Validated by the group's application form. When the group's applications are off (not gated) the " +
    "applicant joins at once: `approved`, with its partner. Otherwise it is `pending` until decided.",
  request: { body: jsonBody(SubmitApplicationBody) },
  responses: {
    201: jsonResponse(ApplicationSchema, "The application"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export const list = createRoute({
  method: "get",
  operationId: "listApplications",
  path: "/v1/applications",
  tags,
  security,
  summary: "List applications",
  request: { query: ListApplicationsQuery },
  responses: {
    200: jsonResponse(listOf(ApplicationSchema, "Application", applicationExample), "A page of applications"),
    ...errorResponses,
  },
});

export const get = createRoute({
  method: "get",
  operationId: "getApplication",
  path: "/v1/applications/{application_id}",
  tags,
  security,
  summary: "Get an application, with the form version it was made with",
  request: { params: ApplicationIdParam },
  responses: { 200: jsonResponse(ApplicationSchema, "The application"), ...errorResponses },
});

export const approve = createRoute({
  method: "post",
  operationId: "approveApplication",
  path: "/v1/applications/{application_id}/approve",
  tags,
  security,
  summary: "Approve a pending application: the applicant becomes a partner, with links",
  request: { params: ApplicationIdParam, body: jsonBody(ApproveApplicationBody) },
  responses: {
    200: jsonResponse(ApplicationSchema, "The approved application"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export const reject = createRoute({
  method: "post",
  operationId: "rejectApplication",
  path: "/v1/applications/{application_id}/reject",
  tags,
  security,
  summary: "Reject a pending application, with an optional reason",
  request: { params: ApplicationIdParam, body: jsonBody(RejectApplicationBody) },
  responses: {
    200: jsonResponse(ApplicationSchema, "The rejected application"),
    ...errorResponses,
    ...conflictResponse,
  },
});
