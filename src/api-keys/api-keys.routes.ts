import { createRoute, z } from "@hono/zod-openapi";
import {
  conflictResponse,
  errorResponses,
  forbiddenResponse,
  idParam,
  jsonBody,
  jsonResponse,
  listOf,
  security,
} from "../admin/schemas";

const tags = ["API keys"];

const apiKeyExample = {
  id: "key_01jd3k5qv0r8t2x7m9c4b6n1pz",
  object: "api_key",
  name: "CI",
  prefix: "sk_live_Uae0IG",
  created_at: "2026-11-25T08:00:00.000Z",
  revoked_at: null,
} as const;

export const ApiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal("api_key"),
    name: z.string(),
    prefix: z.string().openapi({ description: "The first characters of the secret" }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey", {
    example: apiKeyExample,
  });

const NewApiKeySchema = ApiKeySchema.extend({
  secret: z.string().nullable().openapi({
    description: "Shown once, now; only its hash is stored. `null` in a replay of the request (Idempotency-Key).",
  }),
}).openapi("NewApiKey", {
  example: { ...apiKeyExample, secret: "sk_live_Uae0IGr4Jx2mB8sVq1Lw7NcT5yHd9PfK3oZa6Eu0XbQ" },
});

export const CreateApiKeyBody = z
  .object({ name: z.string().trim().min(1).max(100).openapi({ example: "CI" }) })
  .strict()
  .openapi("CreateApiKey", { example: { name: "CI" } });

export const list = createRoute({
  method: "get",
  operationId: "listApiKeys",
  path: "/v1/api-keys",
  tags,
  security,
  summary: "List API keys (by prefix; secrets are never shown again)",
  responses: {
    200: jsonResponse(listOf(ApiKeySchema, "ApiKey", apiKeyExample), "The company's keys"),
    ...errorResponses,
  },
});

export const create = createRoute({
  method: "post",
  operationId: "createApiKey",
  path: "/v1/api-keys",
  tags,
  security,
  summary: "Create an API key",
  request: { body: jsonBody(CreateApiKeyBody) },
  responses: {
    201: jsonResponse(NewApiKeySchema, "The new key, with its secret"),
    ...errorResponses,
    ...forbiddenResponse,
    ...conflictResponse,
  },
});

export const revoke = createRoute({
  method: "delete",
  operationId: "revokeApiKey",
  path: "/v1/api-keys/{key_id}",
  tags,
  security,
  summary: "Revoke an API key",
  request: { params: idParam("key_id", "key_01jd3k5qv0r8t2x7m9c4b6n1pz") },
  responses: { 200: jsonResponse(ApiKeySchema, "The revoked key"), ...errorResponses, ...conflictResponse },
});
