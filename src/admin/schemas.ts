// Schemas shared by every resource's routes: problems, lists, ids, pagination.
import { z } from "@hono/zod-openapi";
import { objectId } from "../lib/validation";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", {
    example: {
      type: "urn:edgeref:problem:validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "The request has invalid fields.",
      errors: [{ field: "destination_url", message: "must be an absolute http or https URL without credentials" }],
    },
  });

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Error responses every authenticated route can give. */
export const errorResponses = {
  401: problem("Missing, malformed or revoked API key"),
  404: problem("No such object in your company"),
  413: problem("Request body too large"),
  422: problem("Invalid input, with per-field errors"),
  429: problem("Rate limit exceeded; see Retry-After"),
};
export const conflictResponse = { 409: problem("Conflicts with the current state") };
export const planResponse = { 403: problem("Not allowed by your plan") };

export function idParam<K extends string>(name: K, example: string) {
  const id = objectId.openapi({ param: { name, in: "path" }, example });
  return z.object({ [name]: id } as Record<K, typeof id>);
}

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  starting_after: objectId.optional().openapi({ description: "Id of the last object of the previous page" }),
});

export function listOf<T extends z.ZodTypeAny>(item: T, name: string, itemExample: z.input<T>) {
  return z
    .object({
      object: z.literal("list"),
      data: z.array(item),
      has_more: z.boolean(),
    })
    .openapi(`${name}List`, { example: { object: "list", data: [itemExample], has_more: false } });
}

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

export const security = [{ bearerAuth: [] }];

/** The body of a list response. */
export function listBody<T>(data: T[], hasMore = false) {
  return { object: "list" as const, data, has_more: hasMore };
}

/** The body of a successful DELETE. */
export function deletedSchema<O extends string>(object: O, exampleId: string) {
  return z
    .object({ id: z.string(), object: z.literal(object), deleted: z.literal(true) })
    .openapi({ example: { id: exampleId, object, deleted: true } });
}
