// One error type for the whole admin side, rendered as RFC 9457 `application/problem+json`.
// What it says comes from the catalogue (./problems.ts); a thrown error adds only detail and fields.
import { PROBLEMS, type Problem, type ProblemEntry, problemUrn } from "./problems";

export interface FieldError {
  /** Dotted path of the offending field, e.g. `utm_params.0.value`. */
  field: string;
  message: string;
  /** Already the API's name (a form's field key, as the client sent it): not turned into snake_case. */
  verbatim?: boolean;
}

export class ApiError extends Error {
  readonly problem: ProblemEntry;

  /** Only a catalogue entry is accepted (`Problem`): never a type, status or title made up here. */
  constructor(
    problem: Problem,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? problem.title);
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get type(): string {
    return this.problem.type;
  }

  /** The client should send the same request again (README); never stored for Idempotency-Key replay. */
  get retryable(): boolean {
    return this.problem.retryable;
  }

  toProblem(instance?: string) {
    return {
      type: problemUrn(this.problem),
      title: this.problem.title,
      status: this.problem.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors
        ? {
            errors: this.errors.map((e) => ({ field: e.verbatim ? e.field : snakeCase(e.field), message: e.message })),
          }
        : {}),
    };
  }
}

/** Services name fields in camelCase; the API speaks snake_case. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Whether an answer asks the client to retry: the problem's own rule (catalogue), or for a response
 * that no ApiError explains, every 5xx and 429. The one place that decides what an Idempotency-Key
 * may replay.
 */
export function isRetryable(status: number, error?: unknown): boolean {
  if (error instanceof ApiError) return error.retryable;
  return status >= 500 || status === 429;
}

export const problems = {
  validation: (errors: FieldError[], detail = "The request has invalid fields.") =>
    new ApiError(PROBLEMS.validationFailed, detail, errors),
  notFound: (what: string, id: string) => new ApiError(PROBLEMS.notFound, `No ${what} with id '${id}'.`),
};
