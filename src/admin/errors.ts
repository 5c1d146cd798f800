import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";

/** Every error leaves the admin API as `application/problem+json`. */
export function problemResponse(error: unknown, c: Context): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500)
    console.error(
      JSON.stringify({ msg: "admin error", url: c.req.url, error: String(error), stack: (error as Error)?.stack }),
    );
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  const { retryAfterSeconds } = apiError.problem;
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  return new Response(JSON.stringify(apiError.toProblem(new URL(c.req.url).pathname)), {
    status: apiError.status,
    headers,
  });
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError(PROBLEMS.bodyTooLarge, error.message);
    // Hono's JSON validator: a body not declared as JSON (415) or that is not JSON (400).
    if (error.status === 415) {
      return new ApiError(
        PROBLEMS.unsupportedMediaType,
        "Send the body as JSON with `Content-Type: application/json`.",
      );
    }
    if (error.status < 500) return new ApiError(PROBLEMS.badRequest, error.message || "The request could not be read.");
  }
  return new ApiError(PROBLEMS.internal, "Something went wrong on our side; nothing you sent was the cause.");
}
