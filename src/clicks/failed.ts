// Click messages that could not be written: kept in `failed_clicks` (with why) instead of lost.
import { isClickEvent } from "./event";

// D1 allows at most 100 bound parameters per statement.
const MAX_BOUND_PARAMS = 100;
const COLUMNS = ["message_id", "click_id", "company_id", "body", "error", "attempts", "failed_at"] as const;
// A click event is well under 1 KiB; only a malformed body can be this large, and it is kept for reading only.
const MAX_BODY_CHARS = 32_768;

export interface FailedClick {
  messageId: string;
  error: string;
  attempts: number;
  body: unknown;
  /** The body names another company's objects, so not its company for sure: kept for operators only. */
  ownerUnknown?: boolean;
}

/**
 * Stores failed messages, once per message id (`INSERT OR IGNORE`: a redelivery changes nothing).
 * The company is set only for a valid click event whose ids are its own, so a company sees (and can
 * replay) only clicks that are provably its own; anything else stays with `company_id` null, for operators.
 */
export function recordFailedClicks(
  db: D1Database,
  failures: readonly FailedClick[],
  now = Date.now(),
): D1PreparedStatement[] {
  const rows = failures.map((failure) => {
    const event = isClickEvent(failure.body) ? failure.body : null;
    const companyId = failure.ownerUnknown ? null : (event?.companyId ?? null);
    return [
      failure.messageId,
      event?.clickId ?? null,
      companyId,
      bodyText(failure.body),
      failure.error,
      failure.attempts,
      now,
    ];
  });
  const rowsPerStatement = Math.floor(MAX_BOUND_PARAMS / COLUMNS.length);
  const placeholders = `(${COLUMNS.map(() => "?").join(", ")})`;
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const values = chunk.map(() => placeholders).join(", ");
    const sql = `INSERT OR IGNORE INTO failed_clicks (${COLUMNS.join(", ")}) VALUES ${values}`;
    statements.push(db.prepare(sql).bind(...chunk.flat()));
  }
  return statements;
}

/** The body as JSON text; a body JSON cannot express (cycles, BigInt, undefined) as plain text. */
function bodyText(body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body) ?? String(body);
  } catch {
    text = Object.prototype.toString.call(body);
  }
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…(truncated)` : text;
}

/** Backoff for a message's next delivery: 2, 4, 8 … seconds, at most a minute. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}
