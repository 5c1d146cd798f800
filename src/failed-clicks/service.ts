// Failed clicks: click messages the queue gave up on (dead letters) or that were not click events,
// kept in `failed_clicks` by the edge worker (src/clicks). A company lists its own and replays them
// through the normal click writer. Rows without a company (malformed messages) are for operators.
import { and, asc, eq, gt, isNull, or } from "drizzle-orm";
import { writeClicks, writeIsolatingFailures } from "../clicks/consumer";
import { type ClickEvent, isClickEvent } from "../clicks/event";
import { eventsNamingOtherCompanies } from "../clicks/ownership";
import { database } from "../db/client";
import { failedClicks } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { problems } from "../lib/errors";

export type FailedClickRow = typeof failedClicks.$inferSelect;

/** Failed clicks one replay call handles at most: one click batch, as the queue delivers them. */
export const REPLAY_LIMIT = 100;
// Message ids per UPDATE, under D1's 100 bound parameters (two more: the time and the company).
const IDS_PER_STATEMENT = 90;

/** The company's failed clicks, oldest first; `startingAfter` is the id of the last one of the previous page. */
export async function listFailedClicks(
  env: Stores,
  companyId: string,
  options: { limit: number; startingAfter?: string },
) {
  const db = database(env.DB);
  let after: FailedClickRow | undefined;
  if (options.startingAfter !== undefined) {
    after = await db.query.failedClicks.findFirst({
      where: and(eq(failedClicks.companyId, companyId), eq(failedClicks.messageId, options.startingAfter)),
    });
    if (!after) {
      throw problems.validation([{ field: "startingAfter", message: "no failed click with this id in your company" }]);
    }
  }
  const rows = await db
    .select()
    .from(failedClicks)
    .where(
      and(
        eq(failedClicks.companyId, companyId),
        after
          ? or(
              gt(failedClicks.failedAt, after.failedAt),
              and(eq(failedClicks.failedAt, after.failedAt), gt(failedClicks.messageId, after.messageId)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(failedClicks.failedAt), asc(failedClicks.messageId))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

export interface ReplayOutcome {
  /** Clicks written now (and counted in the hourly counters). */
  replayed: number;
  /** Clicks that were already written (a redelivery got through, or an earlier replay): not counted again. */
  alreadyPresent: number;
  /** Rows whose body is not a click event of this company: marked handled, never written. */
  stillInvalid: number;
  /** Rows whose write failed again: left pending, tried after the others next time. */
  notWritten: number;
  /** More pending rows than this call handled. */
  hasMore: boolean;
}

/**
 * Replays up to `REPLAY_LIMIT` of the company's pending failed clicks through `writeClicks`, which
 * inserts each click id once and counts only what it inserted: replaying a click already written
 * (or replaying twice) counts nothing twice. `replayed_at` is set in the same atomic batch as the
 * write. A row whose write fails is isolated (the others are still written), its error updated and
 * its attempts raised, so it moves behind the rest of the queue.
 */
export async function replayFailedClicks(env: Stores, companyId: string, now = Date.now()): Promise<ReplayOutcome> {
  const db = database(env.DB);
  const pending = await db
    .select()
    .from(failedClicks)
    .where(and(eq(failedClicks.companyId, companyId), isNull(failedClicks.replayedAt)))
    .orderBy(asc(failedClicks.attempts), asc(failedClicks.failedAt), asc(failedClicks.messageId))
    .limit(REPLAY_LIMIT + 1);
  const rows = pending.slice(0, REPLAY_LIMIT);

  const parsed = rows.map((row) => ({ row, event: parseEvent(row.body) }));
  // A click naming another company's group, partner or link is not this company's to replay.
  const events = parsed.flatMap(({ event }) => (event && event.companyId === companyId ? [event] : []));
  const foreign = await eventsNamingOtherCompanies(env.DB, events);
  const valid: { row: FailedClickRow; event: ClickEvent }[] = [];
  const invalid: FailedClickRow[] = [];
  for (const { row, event } of parsed) {
    if (event && event.companyId === companyId && !foreign.has(event)) valid.push({ row, event });
    else invalid.push(row);
  }

  let inserted = 0;
  const { written, failed } = await writeIsolatingFailures(valid, async (items) => {
    const ids = items.map((item) => item.row.messageId);
    const events = items.map((item) => item.event);
    inserted += await writeClicks(env.DB, events, now, markReplayed(env.DB, companyId, ids, now));
  });

  const invalidIds = invalid.map((row) => row.messageId);
  const followUps = [
    ...markReplayed(env.DB, companyId, invalidIds, now, "replay: not a click event of this company"),
    ...failed.map(({ item, error }) =>
      env.DB.prepare(
        "UPDATE failed_clicks SET attempts = attempts + 1, error = ? WHERE company_id = ? AND message_id = ?",
      ).bind(`replay failed: ${String(error).slice(0, 500)}`, companyId, item.row.messageId),
    ),
  ];
  if (followUps.length > 0) await env.DB.batch(followUps);
  for (const { item, error } of failed) {
    const { messageId } = item.row;
    console.error(JSON.stringify({ msg: "failed click not written by replay", messageId, error: String(error) }));
  }

  return {
    replayed: inserted,
    alreadyPresent: written.length - inserted,
    stillInvalid: invalid.length,
    notWritten: failed.length,
    hasMore: pending.length > REPLAY_LIMIT,
  };
}

/** The stored body as a click event, or null (not JSON, or not a click event). */
export function parseEvent(body: string): ClickEvent | null {
  try {
    const value: unknown = JSON.parse(body);
    return isClickEvent(value) ? value : null;
  } catch {
    return null;
  }
}

function markReplayed(db: D1Database, companyId: string, messageIds: string[], now: number, error?: string) {
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < messageIds.length; start += IDS_PER_STATEMENT) {
    const ids = messageIds.slice(start, start + IDS_PER_STATEMENT);
    const setError = error === undefined ? "" : ", error = error || '; ' || ?";
    statements.push(
      db
        .prepare(
          `UPDATE failed_clicks SET replayed_at = ?${setError}
           WHERE company_id = ? AND replayed_at IS NULL AND message_id IN (${ids.map(() => "?").join(", ")})`,
        )
        .bind(now, ...(error === undefined ? [] : [error]), companyId, ...ids),
    );
  }
  return statements;
}
