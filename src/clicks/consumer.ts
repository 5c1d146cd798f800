import { sortableToken } from "../lib/ids";
import { hourStart } from "../lib/time";
import { isClickEvent, type ClickEvent } from "./event";

// D1 allows at most 100 bound parameters per statement.
const MAX_BOUND_PARAMS = 100;
const CLICK_COLUMNS = [
  "click_id", "company_id", "group_id", "partner_id", "partner_link_id", "default_link_id",
  "ts", "hour", "kind", "country", "referer_host", "visitor_hash", "ingest_batch",
] as const;
const VISITOR_COLUMNS = ["partner_link_id", "group_id", "hour", "visitor_hash", "ingest_batch"] as const;

/**
 * Writes one queue batch in one atomic `DB.batch()`: raw clicks (`INSERT OR IGNORE` on the click
 * id), first-visits per link and hour, then one upsert per (partner link, group, hour) into the
 * hourly counters. The counters add only rows this run inserted (tagged with its `ingest_batch`
 * token), so a redelivered click is counted nothing twice — even if two runs overlap.
 */
export async function writeClicks(db: D1Database, events: readonly ClickEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0) return;
  const batchToken = sortableToken(now);
  const statements: D1PreparedStatement[] = [];

  const clickRows = events.map((event) => [
    event.clickId, event.companyId, event.groupId, event.partnerId, event.partnerLinkId, event.defaultLinkId,
    event.ts, hourStart(event.ts), event.kind, event.country, event.refererHost, event.visitorHash, batchToken,
  ]);
  statements.push(...insertOrIgnore(db, "clicks", CLICK_COLUMNS, clickRows));

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
  await db.batch(statements);
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
    const sql = `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => rowPlaceholder).join(", ")}`;
    statements.push(db.prepare(sql).bind(...chunk.flat()));
  }
  return statements;
}

/** The edge worker's `queue` handler. */
export async function consumeClickBatch(batch: MessageBatch<unknown>, env: { DB: D1Database }): Promise<void> {
  const events: ClickEvent[] = [];
  for (const message of batch.messages) {
    if (isClickEvent(message.body)) events.push(message.body);
    else console.error(JSON.stringify({ msg: "dropped malformed click message", id: message.id }));
  }
  try {
    await writeClicks(env.DB, events);
    batch.ackAll();
  } catch (error) {
    // Nothing was written (the batch is atomic); let the queue redeliver, with backoff.
    console.error(JSON.stringify({ msg: "click batch failed, will retry", size: events.length, error: String(error) }));
    batch.retryAll({ delaySeconds: Math.min(60, 2 ** batch.messages[0]!.attempts) });
  }
}
