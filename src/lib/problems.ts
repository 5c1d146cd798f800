// Every problem the API can answer, one entry each: the closed catalogue. `ApiError` takes an entry,
// so a type, status or title cannot be made up where an error is thrown. The README's error table
// and the OpenAPI document's problem schema and error responses are checked against (or built from)
// this list (test/admin/problems.test.ts). `type` is stable: clients branch on it, never change one.
// No imports: the edge may use it without pulling in the admin side.

export interface ProblemEntry {
  /** The name after `urn:edgeref:problem:`. */
  readonly type: string;
  readonly status: number;
  readonly title: string;
  /** When it is answered: the README table's words, and the OpenAPI responses' descriptions. */
  readonly when: string;
  /**
   * The client should send the same request again unchanged (a state that passes by itself): every
   * 5xx and 429 is. Never stored for an Idempotency-Key replay.
   */
  readonly retryable: boolean;
  /** Sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
}

/** The window of the admin rate limiters (wrangler.toml), hence their `Retry-After`. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

const CONFLICT = { status: 409, title: "Conflict", retryable: false } as const;
const PLAN_FEATURE = { status: 403, title: "Not included in your plan", retryable: false } as const;
const UNAUTHORIZED = { status: 401, title: "Unauthorized", retryable: false } as const;

export const PROBLEMS = {
  badRequest: {
    type: "bad-request",
    status: 400,
    title: "Bad request",
    when: "the body of a `Content-Type: application/json` request is not valid JSON",
    retryable: false,
  },
  idempotencyKeyInvalid: {
    type: "idempotency-key-invalid",
    status: 400,
    title: "Bad request",
    when: "`Idempotency-Key` is not 1 to 255 visible ASCII characters",
    retryable: false,
  },
  apiKeyMissing: { ...UNAUTHORIZED, type: "api-key-missing", when: "no `Authorization` header" },
  authSchemeUnsupported: {
    ...UNAUTHORIZED,
    type: "auth-scheme-unsupported",
    when: "`Authorization` uses another scheme than `Bearer`",
  },
  apiKeyInvalid: { ...UNAUTHORIZED, type: "api-key-invalid", when: "the key does not exist" },
  apiKeyRevoked: { ...UNAUTHORIZED, type: "api-key-revoked", when: "the key was revoked" },
  partnerCredentialInvalid: {
    ...UNAUTHORIZED,
    type: "partner-credential-invalid",
    when: "partner API: the credential does not exist (an API key is not one)",
  },
  partnerCredentialRevoked: {
    ...UNAUTHORIZED,
    type: "partner-credential-revoked",
    when: "partner API: the credential was revoked, or its partner archived",
  },
  apiKeyLimit: {
    type: "api-key-limit",
    status: 403,
    title: "Forbidden",
    when: "creating a key while the company has 25 active ones",
    retryable: false,
  },
  partnerCredentialLimit: {
    type: "partner-credential-limit",
    status: 403,
    title: "Forbidden",
    when: "issuing a partner credential while the partner has 10 active ones",
    retryable: false,
  },
  finalStageCompanyOnly: {
    type: "final-stage-company-only",
    status: 403,
    title: "Forbidden",
    when: "partner API: moving a deal into its final stage, which the deal form leaves to the company",
    retryable: false,
  },
  planLimitGroups: {
    type: "plan-limit-groups",
    status: 403,
    title: "Plan limit reached",
    when: "creating a group beyond the plan's live groups",
    retryable: false,
  },
  planFeatureLeadSubmission: {
    ...PLAN_FEATURE,
    type: "plan-feature-lead-submission",
    when: "turning on lead submission on a plan without it",
  },
  planFeatureDealRegistration: {
    ...PLAN_FEATURE,
    type: "plan-feature-deal-registration",
    when: "turning on deal registration on a plan without it",
  },
  planFeatureApplicationForms: {
    ...PLAN_FEATURE,
    type: "plan-feature-application-forms",
    when: "turning on application forms on a plan without it",
  },
  notFound: {
    type: "not-found",
    status: 404,
    title: "Not found",
    when: "no object with this id in your company",
    retryable: false,
  },
  routeNotFound: {
    type: "route-not-found",
    status: 404,
    title: "Not found",
    when: "no route for this method and path",
    retryable: false,
  },
  applicationDecided: {
    ...CONFLICT,
    type: "application-decided",
    when: "approving or rejecting an application that is no longer pending (or is being approved)",
  },
  applicationPending: {
    ...CONFLICT,
    type: "application-pending",
    when: "an application with this email is already pending",
  },
  clickPending: {
    type: "click-pending",
    status: 409,
    title: "Click not recorded yet",
    when: "a conversion's click id was issued in the last 10 minutes but is not written yet",
    retryable: true,
  },
  customerExists: {
    ...CONFLICT,
    type: "customer-exists",
    when: "a customer key already exists with another partner or email",
  },
  dealClosed: {
    ...CONFLICT,
    type: "deal-closed",
    when: "editing or moving a deal that is closed (in its final stage)",
  },
  defaultGroup: { ...CONFLICT, type: "default-group", when: "archiving the company's default group" },
  defaultLinkLimit: {
    ...CONFLICT,
    type: "default-link-limit",
    when: "a group would have more than 3 live default links",
  },
  formDisabled: {
    ...CONFLICT,
    type: "form-disabled",
    when: "submitting a lead or deal to a group whose lead submission or deal registration is off (or archived)",
  },
  groupSlugTaken: { ...CONFLICT, type: "group-slug-taken", when: "another group was just given the same name" },
  hostnameTaken: { ...CONFLICT, type: "hostname-taken", when: "another company has verified the hostname" },
  idempotencyKeyInProgress: {
    ...CONFLICT,
    type: "idempotency-key-in-progress",
    when: "the first request with this `Idempotency-Key` is still running",
    retryable: true,
  },
  lastApiKey: { ...CONFLICT, type: "last-api-key", when: "revoking the company's last active key" },
  linkDomainExists: { ...CONFLICT, type: "link-domain-exists", when: "your company already has this hostname" },
  linkTextTaken: { ...CONFLICT, type: "link-text-taken", when: "the group already has a link with this link text" },
  noGroup: { ...CONFLICT, type: "no-group", when: "adding a partner before any group exists" },
  originalLinkUndeletable: {
    ...CONFLICT,
    type: "original-link-undeletable",
    when: "deleting a group's original link",
  },
  partnerExists: { ...CONFLICT, type: "partner-exists", when: "an applicant's email is already an active partner's" },
  partnerKeyTaken: {
    ...CONFLICT,
    type: "partner-key-taken",
    when: "the partner key is taken, or was used before and its links still exist",
  },
  rewardStatusConflict: {
    ...CONFLICT,
    type: "reward-status-conflict",
    when:
      "a reward cannot go from its status to the one asked (`paid` → `pending`), or a payout names a reward " +
      "that is not approved: `errors` names each",
  },
  slugConflict: {
    ...CONFLICT,
    type: "slug-conflict",
    when: "a partner link the change needs belongs to another partner",
  },
  stageNotEmpty: {
    ...CONFLICT,
    type: "stage-not-empty",
    when: "removing a pipeline stage that still holds leads or deals",
  },
  stageRequired: {
    ...CONFLICT,
    type: "stage-required",
    when: "removing the deal pipeline's final stage, or a pipeline's only other stage",
  },
  unsupportedMediaType: {
    type: "unsupported-media-type",
    status: 415,
    title: "Unsupported media type",
    when: "a request body is not sent as `Content-Type: application/json`",
    retryable: false,
  },
  bodyTooLarge: {
    type: "body-too-large",
    status: 413,
    title: "Request body too large",
    when: "the request body is over 64 KiB",
    retryable: false,
  },
  validationFailed: {
    type: "validation-failed",
    status: 422,
    title: "Validation failed",
    when: "fields are missing, unknown or invalid: `errors` names each one",
    retryable: false,
  },
  clickExpired: {
    type: "click-expired",
    status: 422,
    title: "Click expired",
    when: "a conversion's click is older than the attribution window",
    retryable: false,
  },
  idempotencyKeyReused: {
    type: "idempotency-key-reused",
    status: 422,
    title: "Idempotency key reused",
    when: "the `Idempotency-Key` was used for a different request",
    retryable: false,
  },
  transactionKeyReused: {
    type: "transaction-key-reused",
    status: 422,
    title: "Transaction key reused",
    when: "a transaction key sent again with other details: `errors` names each that differs",
    retryable: false,
  },
  rateLimited: {
    type: "rate-limited",
    status: 429,
    title: "Too many requests",
    when: "the API key or its company sent too many requests this minute",
    retryable: true,
    retryAfterSeconds: RATE_LIMIT_PERIOD_SECONDS,
  },
  authRateLimited: {
    type: "auth-rate-limited",
    status: 429,
    title: "Too many failed authentications",
    when: "your IP sent too many unknown or revoked keys this minute",
    retryable: true,
    retryAfterSeconds: RATE_LIMIT_PERIOD_SECONDS,
  },
  internal: {
    type: "internal",
    status: 500,
    title: "Internal error",
    when: "a failure on our side",
    retryable: true,
  },
  dnsLookupFailed: {
    type: "dns-lookup-failed",
    status: 503,
    title: "DNS lookup failed",
    when: "verifying a link domain, the TXT lookup failed; nothing changed",
    retryable: true,
    retryAfterSeconds: 30,
  },
} as const satisfies Record<string, ProblemEntry>;

/** One entry of the catalogue: only these can be thrown. */
export type Problem = (typeof PROBLEMS)[keyof typeof PROBLEMS];

export const PROBLEM_LIST: readonly Problem[] = Object.values(PROBLEMS);

export const PROBLEM_TYPE_PREFIX = "urn:edgeref:problem:";

export function problemUrn(problem: ProblemEntry): string {
  return `${PROBLEM_TYPE_PREFIX}${problem.type}`;
}
