import { sortableToken } from "../lib/ids";
import { hourStart } from "../lib/time";
import { type ClickEvent, isClickEvent } from "./event";
import { recordFailedClicks, retryDelaySeconds } from "./failed";
import { eventsNamingOtherCompanies, REFUSED_FOREIGN_IDS } from "./ownership";

// D1 allows at most 100 bound parameters per statement.
const MAX_BOUND_PARAMS = 100;
const CLICK_COLUMNS = [
  "click_id",
  "company_id",
  "group_id",
  "partner_id",
  "partner_link_id",
  "default_link_id",
  "ts",
  "hour",
  "kind",
  "country",
  "referer_host",
  "visitor_hash",
  "ingest_batch",
] as const;
const VISITOR_COLUMNS = ["partner_link_id", "group_id", "hour", "visitor_hash", "ingest_batch"] as const;

/**
 * Writes one queue batch in one atomic `DB.batch()`: raw clicks (`INSERT OR IGNORE` on the click
 * id), first-visits per link and hour, then one upsert per (partner link, group, hour) into the
 * hourly counters. The counters add only rows this run inserted (tagged with its `ingest_batch`
 * token), so a redelivered click is counted nothing twice — even if two runs overlap.
 * `alsoRun` joins the same atomic batch (a replay marks its failed clicks replayed with the write).
 * An event naming another company's group, partner or link is never written (ownership.ts): this
 * is the one writer of clicks, so no caller can credit another company. Refused events are logged.
 * Returns how many clicks were new (the others were already written, or refused).
 */
export async function writeClicks(
  db: D1Database,
  allEvents: readonly ClickEvent[],
  now = Date.now(),
  alsoRun: readonly D1PreparedStatement[] = [],
): Promise<number> {
  const { inserted, refused } = await writeCheckedClicks(db, allEvents, now, alsoRun);
  if (refused.size > 0) {
    const clickIds = [...refused].map((event) => event.clickId);
    console.error(JSON.stringify({ msg: "clicks not written", reason: REFUSED_FOREIGN_IDS, clickIds }));
  }
  return inserted;
}

/**
 * `writeClicks`, answering the refused events instead of logging them, for a caller that keeps
 * them (the consumer records them in `failed_clicks`): the ownership check is this one read, made
 * once per write, so the caller need not make its own.
 */
export async function writeCheckedClicks(
  db: D1Database,
  allEvents: readonly ClickEvent[],
  now = Date.now(),
  alsoRun: readonly D1PreparedStatement[] = [],
): Promise<{ inserted: number; refused: Set<ClickEvent> }> {
  const refused = await eventsNamingOtherCompanies(db, allEvents);
  const events = refused.size > 0 ? allEvents.filter((event) => !refused.has(event)) : allEvents;
  if (events.length === 0) {
    if (alsoRun.length > 0) await db.batch([...alsoRun]);
    return { inserted: 0, refused };
  }
  const batchToken = sortableToken(now);
  const statements: D1PreparedStatement[] = [];

  const clickRows = events.map((event) => [
    event.clickId,
    event.companyId,
    event.groupId,
    event.partnerId,
    event.partnerLinkId,
    event.defaultLinkId,
    event.ts,
    hourStart(event.ts),
    event.kind,
    event.country,
    event.refererHost,
    event.visitorHash,
    batchToken,
  ]);
  statements.push(...insertOrIgnore(db, "clicks", CLICK_COLUMNS, clickRows));
  const clickStatements = statements.length;

  const visitorRows = events
    .filter((event) => event.kind === "human")
    .map((event) => [event.partnerLinkId, event.groupId, hourStart(event.ts), event.visitorHash, batchToken]);
  statements.push(...insertOrIgnore(db, "click_visitors", VISITOR_COLUMNS, visitorRows));

  statements.push(
    db
      .prepare(
        `INSERT INTO click_counts_hourly
           (partner_link_id, group_id, hour, company_id, partner_id, clicks, unique_clicks, updated_at)
         SELECT c.partner_link_id, c.group_id, c.hour, c.company_id, c.partner_id, count(*),
           (SELECT count(*) FROM click_visitors v WHERE v.ingest_batch = ?1
              AND v.partner_link_id = c.partner_link_id AND v.group_id = c.group_id AND v.hour = c.hour),
           ?2
         FROM clicks c WHERE c.ingest_batch = ?1 AND c.kind = 'human'
         GROUP BY c.partner_link_id, c.group_id, c.hour
         ON CONFLICT (partner_link_id, group_id, hour) DO UPDATE SET
           clicks = clicks + excluded.clicks,
           unique_clicks = unique_clicks + excluded.unique_clicks,
           updated_at = excluded.updated_at`,
      )
      .bind(batchToken, now),
  );
  const results = await db.batch([...statements, ...alsoRun]);
  const inserted = results.slice(0, clickStatements).reduce((sum, result) => sum + (result.meta?.changes ?? 0), 0);
  return { inserted, refused };
}

function insertOrIgnore(
  db: D1Database,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
): D1PreparedStatement[] {
  const rowsPerStatement = Math.floor(MAX_BOUND_PARAMS / columns.length);
  const rowPlaceholder = `(${columns.map(() => "?").join(", ")})`;
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const values = chunk.map(() => rowPlaceholder).join(", ");
    const sql = `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES ${values}`;
    statements.push(db.prepare(sql).bind(...chunk.flat()));
  }
  return statements;
}

// Most writes one failed batch may spend on finding its failing messages. A bisection finds one bad
// message among 100 in about 15; in an outage every write fails, and this bounds the cost of learning that.
const MAX_ISOLATION_WRITES = 32;

export interface Isolated<T> {
  written: T[];
  failed: { item: T; error: unknown }[];
}

/**
 * Calls `write` with all items at once (the fast path). If that fails, halves the failing set and
 * writes each half, down to single items, so one bad item fails alone and every other is written.
 * `write` must be atomic (all or nothing), as `writeClicks` is. Items left when the budget is spent
 * count as failed.
 */
export async function writeIsolatingFailures<T>(
  items: readonly T[],
  write: (items: T[]) => Promise<unknown>,
  maxWrites = MAX_ISOLATION_WRITES,
): Promise<Isolated<T>> {
  const result: Isolated<T> = { written: [], failed: [] };
  const pending: T[][] = items.length > 0 ? [[...items]] : [];
  let writes = 0;
  let lastError: unknown = new Error("not written: isolation budget spent");
  for (let group = pending.shift(); group; group = pending.shift()) {
    if (writes >= maxWrites) {
      result.failed.push(...group.map((item) => ({ item, error: lastError })));
      continue;
    }
    writes++;
    try {
      await write(group);
      result.written.push(...group);
    } catch (error) {
      lastError = error;
      if (group.length === 1) result.failed.push({ item: group[0]!, error });
      else pending.push(group.slice(0, Math.ceil(group.length / 2)), group.slice(Math.ceil(group.length / 2)));
    }
  }
  return result;
}

/**
 * The click queue's consumer. Each message is acked or retried on its own: a malformed message, or
 * one naming another company's objects, is recorded in `failed_clicks` and acked; valid clicks are
 * written in one atomic batch, and if that fails, only the messages that fail on their own are
 * retried (with backoff; after `max_retries` the queue moves them to the dead-letter queue, see
 * dead-letters.ts). Ownership is checked once per write, by the writer (one read per batch).
 */
export async function consumeClickBatch(batch: MessageBatch<unknown>, env: { DB: D1Database }): Promise<void> {
  const clicks: Message<ClickEvent>[] = [];
  const malformed: Message<unknown>[] = [];
  for (const message of batch.messages) {
    if (isClickEvent(message.body)) clicks.push(message as Message<ClickEvent>);
    else malformed.push(message);
  }
  if (malformed.length > 0) await recordUnwritable(env.DB, malformed);

  const refused = new Set<ClickEvent>();
  const { written, failed } = await writeIsolatingFailures(clicks, async (messages) => {
    const outcome = await writeCheckedClicks(
      env.DB,
      messages.map((message) => message.body),
    );
    for (const event of outcome.refused) refused.add(event);
  });
  // Clicks naming another company's group, partner or link (a forged or corrupt message) were not
  // written: recorded like malformed ones, with no company, so neither company can see or replay them.
  const foreign = written.filter((message) => refused.has(message.body));
  if (foreign.length > 0) await recordUnwritable(env.DB, foreign, REFUSED_FOREIGN_IDS);
  for (const message of written) if (!refused.has(message.body)) message.ack();
  for (const { item: message } of failed) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  if (failed.length > 0) {
    console.error(
      JSON.stringify({
        msg: "clicks not written, will retry",
        clicks: failed.map(({ item }) => ({ id: item.id, clickId: item.body.clickId, attempts: item.attempts })),
        errors: [...new Set(failed.map(({ error }) => String(error)))],
      }),
    );
  }
}

/**
 * Keeps messages that can never be written (malformed, or naming another company's objects) for
 * inspection, with no company, and acks them: retrying cannot make them valid.
 */
async function recordUnwritable(
  db: D1Database,
  messages: readonly Message<unknown>[],
  reason = "malformed: not a click event",
): Promise<void> {
  try {
    const failures = messages.map((m) => ({
      messageId: m.id,
      body: m.body,
      attempts: m.attempts,
      error: reason,
      ownerUnknown: true,
    }));
    await db.batch(recordFailedClicks(db, failures));
  } catch (recordError) {
    // Not kept yet: retry them alone (their batch-mates are unaffected); the dead-letter queue keeps them at last.
    for (const message of messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    const ids = messages.map((m) => m.id);
    const error = String(recordError);
    console.error(JSON.stringify({ msg: "unwritable click messages not recorded, will retry", ids, error }));
    return;
  }
  for (const message of messages) message.ack();
  const ids = messages.map((m) => m.id);
  console.error(JSON.stringify({ msg: "click messages not written, recorded in failed_clicks", reason, ids }));
}
