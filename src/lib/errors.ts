// One error type for the whole admin side, rendered as RFC 9457 `application/problem+json`.
// `type` is stable: clients branch on it, so never change an existing one.

export interface FieldError {
  /** Dotted path of the offending field, e.g. `utm_params.0.value`. */
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
    this.name = "ApiError";
  }

  /** The client should send the same request again (README); never stored for Idempotency-Key replay. */
  get retryable(): boolean {
    return isRetryable(this.status, this.type);
  }

  toProblem(instance?: string) {
    return {
      type: `urn:edgeref:problem:${this.type}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors.map((e) => ({ ...e, field: snakeCase(e.field) })) } : {}),
    };
  }
}

/** Services name fields in camelCase; the API speaks snake_case. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Answers the README tells clients to retry unchanged: every 5xx, `429`, and these problem types
 * (a state that passes by itself). The one place that decides what an Idempotency-Key may replay.
 */
export const RETRYABLE_PROBLEM_TYPES: ReadonlySet<string> = new Set([
  "click-pending",
  "rate-limited",
  "idempotency-key-in-progress",
]);

export function isRetryable(status: number, type?: string): boolean {
  return status >= 500 || status === 429 || (type !== undefined && RETRYABLE_PROBLEM_TYPES.has(type));
}

export const problems = {
  validation: (errors: FieldError[], detail = "The request has invalid fields.") =>
    new ApiError(422, "validation-failed", "Validation failed", detail, errors),
  notFound: (what: string, id: string) => new ApiError(404, "not-found", "Not found", `No ${what} with id '${id}'.`),
  conflict: (detail: string, type = "conflict") => new ApiError(409, type, "Conflict", detail),
  unauthorized: (type: string, detail: string) => new ApiError(401, type, "Unauthorized", detail),
};

export function fieldError(field: string, message: string): ApiError {
  return problems.validation([{ field, message }]);
}
