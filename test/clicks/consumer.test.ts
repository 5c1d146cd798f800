import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumeClickBatch, writeClicks } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import { sortableToken } from "../../src/lib/ids";
import { HOUR_MS, hourStart } from "../../src/lib/time";
import edgeWorker from "../../workers/edge";
import { d1FailingOn } from "../helpers/clicks";
import { countingDb } from "../helpers/redirect";

const BASE_TS = Date.UTC(2026, 10, 25, 10, 15);

function clickEvent(overrides: Partial<ClickEvent> = {}): ClickEvent {
  return {
    v: 1,
    clickId: sortableToken(),
    ts: BASE_TS,
    companyId: "cmp_test",
    groupId: "grp_test",
    partnerId: "ptn_test",
    partnerLinkId: `plk_${crypto.randomUUID()}`,
    defaultLinkId: "lnk_test",
    kind: "human",
    country: "DE",
    refererHost: "blog.example",
    visitorHash: crypto.randomUUID().replaceAll("-", ""),
    ...overrides,
  };
}

/** Delivers events as one queue batch to the edge worker's real `queue` handler. */
async function deliver(events: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    "edgeref-clicks",
    events.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await edgeWorker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function countsFor(partnerLinkId: string) {
  const { results } = await env.DB.prepare(
    "SELECT hour, clicks, unique_clicks FROM click_counts_hourly WHERE partner_link_id = ? ORDER BY hour",
  )
    .bind(partnerLinkId)
    .all<{ hour: number; clicks: number; unique_clicks: number }>();
  return results;
}

async function rawClickCount(partnerLinkId: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM clicks WHERE partner_link_id = ?")
    .bind(partnerLinkId)
    .first<{ n: number }>();
  return row!.n;
}

describe("click consumer: happy path", () => {
  it("writes raw clicks and one hourly counter per link and hour, acking the batch", async () => {
    const link = `plk_${crypto.randomUUID()}`;
    const events = [
      clickEvent({ partnerLinkId: link, visitorHash: "visitor-a" }),
      clickEvent({ partnerLinkId: link, visitorHash: "visitor-a", ts: BASE_TS + 60_000 }),
      clickEvent({ partnerLinkId: link, visitorHash: "visitor-b" }),
      clickEvent({ partnerLinkId: link, visitorHash: "visitor-a", ts: BASE_TS + HOUR_MS }),
    ];
    const result = await deliver(events);
    expect(result.explicitAcks.length + (result.ackAll ? events.length : 0)).toBe(events.length);
    expect(result.retryBatch.retry).toBe(false);
    expect(await rawClickCount(link)).toBe(4);
    expect(await countsFor(link)).toEqual([
      { hour: hourStart(BASE_TS), clicks: 3, unique_clicks: 2 },
      { hour: hourStart(BASE_TS) + HOUR_MS, clicks: 1, unique_clicks: 1 },
    ]);
  });

  it("stores the raw click fields, with no IP anywhere", async () => {
    const event = clickEvent();
    await deliver([event]);
    const row = await env.DB.prepare("SELECT * FROM clicks WHERE click_id = ?")
      .bind(event.clickId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      click_id: event.clickId,
      partner_link_id: event.partnerLinkId,
      group_id: event.groupId,
      partner_id: event.partnerId,
      default_link_id: event.defaultLinkId,
      ts: event.ts,
      hour: hourStart(event.ts),
      kind: "human",
      country: "DE",
      referer_host: "blog.example",
      visitor_hash: event.visitorHash,
    });
    expect(Object.keys(row!).some((column) => /ip/i.test(column))).toBe(false);
  });

  it("chunks a full batch of 100 clicks under D1's 100 bound parameters per statement", async () => {
    const links = Array.from({ length: 7 }, () => `plk_${crypto.randomUUID()}`);
    const events = Array.from({ length: 100 }, (_, i) =>
      clickEvent({ partnerLinkId: links[i % links.length]!, visitorHash: `v${i % 13}` }),
    );
    const result = await deliver(events);
    expect(result.retryBatch.retry).toBe(false);
    let total = 0;
    for (const link of links) {
      const [counts] = await countsFor(link);
      total += counts!.clicks;
      const expectedUnique = new Set(events.filter((e) => e.partnerLinkId === link).map((e) => e.visitorHash)).size;
      expect(counts!.unique_clicks).toBe(expectedUnique);
    }
    expect(total).toBe(100);
  });

  it("reads the clicks' owners once per batch (the writer's ownership check), and writes and acks all", async () => {
    const { db, queries } = countingDb(env.DB);
    const link = `plk_${crypto.randomUUID()}`;
    const events = Array.from({ length: 100 }, (_, i) => clickEvent({ partnerLinkId: link, visitorHash: `v${i}` }));
    const batch = messageBatch(events);
    const result = await consumeAndSettle(batch, db);
    expect(queries.filter((query) => query.includes("FROM partner_links WHERE id IN"))).toHaveLength(1);
    expect(new Set(result.explicitAcks)).toEqual(new Set(batch.messages.map((message) => message.id)));
    expect(await rawClickCount(link)).toBe(100);
  });

  it("binds at most 100 parameters per statement (D1's limit) for a batch of 250, and writes all 250", async () => {
    // Checked on what the consumer sends, not only on whether the local D1 accepted it.
    const statements: { sql: string; placeholders: number; bound: number | null }[] = [];
    let batches = 0;
    const recordingDb = {
      prepare(sql: string) {
        const statement = env.DB.prepare(sql);
        const record = { sql, placeholders: (sql.match(/\?\d*/g) ?? []).length, bound: null as number | null };
        statements.push(record);
        const bind = statement.bind.bind(statement);
        statement.bind = (...values: unknown[]) => {
          record.bound = values.length;
          return bind(...values);
        };
        return statement;
      },
      batch(list: D1PreparedStatement[]) {
        batches++;
        return env.DB.batch(list);
      },
    } as unknown as D1Database;

    const links = Array.from({ length: 9 }, () => `plk_${crypto.randomUUID()}`);
    const events = Array.from({ length: 250 }, (_, i) =>
      clickEvent({
        partnerLinkId: links[i % links.length]!,
        visitorHash: `v${i % 17}`,
        kind: i % 25 === 0 ? "bot" : "human",
      }),
    );
    const batch = createMessageBatch(
      "edgeref-clicks",
      events.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await consumeClickBatch(batch, { DB: recordingDb });
    const result = await getQueueResult(batch, ctx);

    expect(batches).toBe(1); // one atomic batch
    const inserts = statements.filter((s) => /^INSERT OR IGNORE INTO clicks /.test(s.sql));
    expect(inserts.length).toBeGreaterThan(1); // 250 rows × 13 columns had to be split
    for (const statement of statements) {
      expect(statement.bound, statement.sql.slice(0, 80)).not.toBeNull();
      expect(statement.bound!, statement.sql.slice(0, 80)).toBeLessThanOrEqual(100);
      expect(statement.placeholders, statement.sql.slice(0, 80)).toBeLessThanOrEqual(100);
    }
    expect(result.retryBatch.retry).toBe(false);
    expect(new Set(result.explicitAcks)).toEqual(new Set(batch.messages.map((message) => message.id)));

    const { results } = await env.DB.prepare(
      `SELECT click_id FROM clicks WHERE partner_link_id IN (${links.map(() => "?").join(", ")})`,
    )
      .bind(...links)
      .all<{ click_id: string }>();
    expect(new Set(results.map((row) => row.click_id))).toEqual(new Set(events.map((event) => event.clickId)));
    let counted = 0;
    for (const link of links) {
      const humans = events.filter((e) => e.partnerLinkId === link && e.kind === "human");
      expect(await countsFor(link), link).toEqual([
        {
          hour: hourStart(BASE_TS),
          clicks: humans.length,
          unique_clicks: new Set(humans.map((e) => e.visitorHash)).size,
        },
      ]);
      counted += humans.length;
    }
    expect(counted).toBe(240);
  });

  it("stores bot, HEAD and prefetch visits but does not count them", async () => {
    const link = `plk_${crypto.randomUUID()}`;
    await deliver([
      clickEvent({ partnerLinkId: link, kind: "bot" }),
      clickEvent({ partnerLinkId: link, kind: "head" }),
      clickEvent({ partnerLinkId: link, kind: "prefetch" }),
    ]);
    expect(await rawClickCount(link)).toBe(3);
    expect(await countsFor(link)).toEqual([]);
    await deliver([clickEvent({ partnerLinkId: link })]);
    expect(await countsFor(link)).toEqual([{ hour: hourStart(BASE_TS), clicks: 1, unique_clicks: 1 }]);
  });
});

describe("click consumer: redelivery and bad input", () => {
  it("counts nothing twice when a batch is redelivered, whole or in part", async () => {
    const link = `plk_${crypto.randomUUID()}`;
    const events = Array.from({ length: 30 }, (_, i) => clickEvent({ partnerLinkId: link, visitorHash: `v${i % 10}` }));
    await deliver(events);
    await deliver(events, 2); // the same batch again
    await deliver([...events.slice(10, 20), clickEvent({ partnerLinkId: link, visitorHash: "new-visitor" })], 3);
    await deliver([events[0], events[0], events[0]], 4); // duplicates inside one batch
    expect(await rawClickCount(link)).toBe(31);
    expect(await countsFor(link)).toEqual([{ hour: hourStart(BASE_TS), clicks: 31, unique_clicks: 11 }]);
  });

  it("counts correctly when two deliveries of the same clicks overlap", async () => {
    const link = `plk_${crypto.randomUUID()}`;
    const events = Array.from({ length: 20 }, () => clickEvent({ partnerLinkId: link }));
    await Promise.all([writeClicks(env.DB, events), writeClicks(env.DB, events), writeClicks(env.DB, events.slice(5))]);
    expect(await countsFor(link)).toEqual([{ hour: hourStart(BASE_TS), clicks: 20, unique_clicks: 20 }]);
  });

  it(`records a malformed message in failed_clicks and acks it alone; its 99 batch-mates are written, \
acked`, async () => {
    const link = `plk_${crypto.randomUUID()}`;
    const bodies: unknown[] = Array.from({ length: 99 }, (_, i) =>
      clickEvent({ partnerLinkId: link, visitorHash: `v${i % 9}` }),
    );
    bodies.splice(37, 0, { nonsense: true });
    const batch = messageBatch(bodies);
    const malformedId = batch.messages[37]!.id;
    const result = await consumeAndSettle(batch);

    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect(new Set(result.explicitAcks)).toEqual(new Set(batch.messages.map((message) => message.id)));
    expect(await rawClickCount(link)).toBe(99);
    expect(await countsFor(link)).toEqual([{ hour: hourStart(BASE_TS), clicks: 99, unique_clicks: 9 }]);
    expect(await failedClick(malformedId)).toMatchObject({
      message_id: malformedId,
      click_id: null,
      company_id: null,
      body: '{"nonsense":true}',
      error: "malformed: not a click event",
      attempts: 1,
      replayed_at: null,
    });
  });

  it("records every kind of malformed message (null, text, a wrong kind) with its body", async () => {
    const good = clickEvent();
    const batch = messageBatch([null, "text", { ...clickEvent(), kind: "robot" }, good]);
    const result = await consumeAndSettle(batch);
    expect(new Set(result.explicitAcks)).toEqual(new Set(batch.messages.map((message) => message.id)));
    expect(await rawClickCount(good.partnerLinkId)).toBe(1);
    const [nullBody, text, robot] = await Promise.all(batch.messages.slice(0, 3).map((m) => failedClick(m.id)));
    expect(nullBody).toMatchObject({ body: "null", error: "malformed: not a click event" });
    expect(text).toMatchObject({ body: '"text"' });
    // Not a valid event, so it belongs to no company (none can see or replay it).
    expect(robot).toMatchObject({ company_id: null, click_id: null });
    expect(JSON.parse(robot!.body as string).kind).toBe("robot");
  });

  it("retries only the click whose write fails; the other 99 are written and acked", async () => {
    const link = `plk_${crypto.randomUUID()}`;
    const events = Array.from({ length: 100 }, (_, i) => clickEvent({ partnerLinkId: link, visitorHash: `v${i}` }));
    const poison = events[61]!;
    const { db, calls } = d1FailingOn(poison.clickId);
    const batch = messageBatch(events, 3);
    const delays = retryDelays(batch);
    const result = await consumeAndSettle(batch, db);

    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([{ msgId: batch.messages[61]!.id }]);
    expect(delays).toEqual(new Map([[batch.messages[61]!.id, 8]])); // backoff: 2^attempts seconds
    expect(result.explicitAcks).toHaveLength(99);
    expect(result.explicitAcks).not.toContain(batch.messages[61]!.id);
    expect(await rawClickCount(link)).toBe(99);
    const written = await env.DB.prepare("SELECT 1 FROM clicks WHERE click_id = ?").bind(poison.clickId).first();
    expect(written).toBeNull();
    expect(await countsFor(link)).toEqual([{ hour: hourStart(BASE_TS), clicks: 99, unique_clicks: 99 }]);
    expect(calls.batches).toBeLessThanOrEqual(16); // a bisection, not one write per message
  });

  it("retries every message with backoff when D1 is down, after a bounded number of writes", async () => {
    const events = Array.from({ length: 100 }, () => clickEvent());
    let batches = 0;
    const failingDb = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: async () => {
        batches++;
        throw new Error("D1_ERROR: simulated outage");
      },
    } as unknown as D1Database;
    const batch = messageBatch(events);
    const delays = retryDelays(batch);
    const result = await consumeAndSettle(batch, failingDb);
    expect(result.ackAll).toBe(false);
    expect(result.explicitAcks).toEqual([]);
    const retried = result.retryMessages.map((retry: { msgId: string }) => retry.msgId);
    expect(retried.sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect([...delays.values()]).toEqual(Array(100).fill(2));
    expect(batches).toBeLessThanOrEqual(32);
    expect(await rawClickCount(events[0]!.partnerLinkId)).toBe(0);
  });

  it("retries a malformed message alone when it cannot be recorded", async () => {
    const good = clickEvent();
    const batch = messageBatch([{ nonsense: true }, good]);
    const recordingFails = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: async (statements: D1PreparedStatement[]) => {
        if (statements.length === 1) throw new Error("D1_ERROR: simulated failure"); // the failed_clicks insert
        return env.DB.batch(statements);
      },
    } as unknown as D1Database;
    const result = await consumeAndSettle(batch, recordingFails);
    expect(result.explicitAcks).toEqual([batch.messages[1]!.id]);
    expect(result.retryMessages).toEqual([{ msgId: batch.messages[0]!.id }]);
    expect(await rawClickCount(good.partnerLinkId)).toBe(1);
  });
});

function messageBatch(bodies: unknown[], attempts = 1, queue = "edgeref-clicks") {
  return createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
}

/** The delay each message asked to be retried after (the test queue result does not report it). */
function retryDelays(batch: MessageBatch<unknown>) {
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    };
  }
  return delays;
}

async function consumeAndSettle(batch: MessageBatch<unknown>, db: D1Database = env.DB) {
  const ctx = createExecutionContext();
  await consumeClickBatch(batch, { DB: db });
  return getQueueResult(batch, ctx);
}

async function failedClick(messageId: string) {
  return env.DB.prepare("SELECT * FROM failed_clicks WHERE message_id = ?")
    .bind(messageId)
    .first<Record<string, unknown>>();
}
