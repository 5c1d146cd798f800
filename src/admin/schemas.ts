// Schemas shared by every resource's routes: problems, lists, ids, pagination.
import { z } from "@hono/zod-openapi";
import { PROBLEM_LIST, PROBLEMS, type Problem, problemUrn } from "../lib/problems";
import { objectId } from "../lib/validation";

/** The problem types' URNs, from the catalogue: a client can generate an exhaustive enum from it. */
const PROBLEM_URNS = PROBLEM_LIST.map(problemUrn) as [string, ...string[]];

export const ProblemSchema = z
  .object({
    type: z.enum(PROBLEM_URNS).openapi({ description: "Stable: branch on it (README, Errors)" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().openapi({ description: "The request's path" }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", {
    example: {
      type: problemUrn(PROBLEMS.validationFailed),
      title: PROBLEMS.validationFailed.title,
      status: PROBLEMS.validationFailed.status,
      detail: "The request has invalid fields.",
      instance: "/v1/groups",
      errors: [{ field: "destination_url", message: "must be an absolute http or https URL without credentials" }],
    },
  });

type ProblemStatus = Problem["status"];
interface ProblemResponse {
  description: string;
  content: { "application/problem+json": { schema: typeof ProblemSchema } };
}

/** Documented error responses for these statuses, each listing the catalogue's types that use it. */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]) {
  const responses = {} as Record<S, ProblemResponse>;
  for (const status of statuses) {
    const types = PROBLEM_LIST.filter((problem) => problem.status === status);
    responses[status] = {
      description: types.map((problem) => `\`${problem.type}\`: ${problem.when}`).join("; "),
      content: { "application/problem+json": { schema: ProblemSchema } },
    };
  }
  return responses;
}

/** Error responses every authenticated route can give. */
export const errorResponses = problemResponses(400, 401, 404, 413, 415, 422, 429, 500);
export const conflictResponse = problemResponses(409);
export const forbiddenResponse = problemResponses(403);

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
