import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  forbiddenResponse,
  jsonBody,
  jsonResponse,
  listOf,
  security,
} from "../admin/schemas";
import { objectId } from "../lib/validation";

const tags = ["Partner credentials"];
const PartnerIdParam = z.object({
  partner_id: objectId.openapi({
    param: { name: "partner_id", in: "path" },
    example: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  }),
});
const CredentialParams = PartnerIdParam.extend({
  credential_id: objectId.openapi({
    param: { name: "credential_id", in: "path" },
    example: "pcr_01jd3k5qv0r8t2x7m9c4b6n1pz",
  }),
});

const credentialExample = {
  id: "pcr_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "partner_credential" as const,
  partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
  name: "Jane's CRM",
  prefix: "pc_live_Uae0IG",
  created_at: "2026-11-25T08:00:00.000Z",
  revoked_at: null,
};

export const PartnerCredentialSchema = z
  .object({
    id: z.string(),
    object: z.literal("partner_credential"),
    partner_id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The first characters of the secret" }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("PartnerCredential", { example: credentialExample });

const NewPartnerCredentialSchema = PartnerCredentialSchema.extend({
  secret: z
    .string()
    .nullable()
    .openapi({
      description:
        "For the partner API (`Authorization: Bearer pc_live_…`). Shown once, now; only its hash is stored. " +
        "`null` in a replay of the request (Idempotency-Key).",
    }),
}).openapi("NewPartnerCredential", {
  example: { ...credentialExample, secret: "pc_live_Uae0IGr4Jx2mB8sVq1Lw7NcT5yHd9PfK3oZa6Eu0XbQ" },
});

export const CreatePartnerCredentialBody = z
  .object({ name: z.string().trim().min(1).max(100).openapi({ example: "Jane's CRM" }) })
  .strict()
  .openapi("CreatePartnerCredential", { example: { name: "Jane's CRM" } });

export const list = createRoute({
  method: "get",
  operationId: "listPartnerCredentials",
  path: "/v1/partners/{partner_id}/credentials",
  tags,
  security,
  summary: "List a partner's credentials (by prefix; secrets are never shown again)",
  request: { params: PartnerIdParam },
  responses: {
    200: jsonResponse(listOf(PartnerCredentialSchema, "PartnerCredential", credentialExample), "The credentials"),
    ...errorResponses,
  },
});

export const create = createRoute({
  method: "post",
  operationId: "createPartnerCredential",
  path: "/v1/partners/{partner_id}/credentials",
  tags,
  security,
  summary: "Issue a credential for the partner API to an active partner",
  request: { params: PartnerIdParam, body: jsonBody(CreatePartnerCredentialBody) },
  responses: {
    201: jsonResponse(NewPartnerCredentialSchema, "The new credential, with its secret"),
    ...errorResponses,
    ...conflictResponse,
    ...forbiddenResponse,
  },
});

export const revoke = createRoute({
  method: "delete",
  operationId: "revokePartnerCredential",
  path: "/v1/partners/{partner_id}/credentials/{credential_id}",
  tags,
  security,
  summary: "Revoke a partner credential",
  request: { params: CredentialParams },
  responses: { 200: jsonResponse(PartnerCredentialSchema, "The revoked credential"), ...errorResponses },
});
