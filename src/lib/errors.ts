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

  toProblem(instance?: string) {
    return {
      type: `urn:edgeref:problem:${this.type}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const problems = {
  validation: (errors: FieldError[], detail = "The request has invalid fields.") =>
    new ApiError(422, "validation-failed", "Validation failed", detail, errors),
  notFound: (what: string, id: string) => new ApiError(404, "not-found", "Not found", `No ${what} with id '${id}'.`),
  conflict: (detail: string, type = "conflict") => new ApiError(409, type, "Conflict", detail),
};

export function fieldError(field: string, message: string): ApiError {
  return problems.validation([{ field, message }]);
}
