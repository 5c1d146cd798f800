import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ClickEvent } from "../../src/clicks/event";
import { consumeClickBatch, writeClicks } from "../../src/clicks/consumer";
import edgeWorker from "../../workers/edge";
import { sortableToken } from "../../src/lib/ids";
import { HOUR_MS, hourStart } from "../../src/lib/time";

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
  const row = await env.DB.prepare("SELECT count(*) AS n FROM clicks WHERE partner_link_id = ?").bind(partnerLinkId).first<{ n: number }>();
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
    const row = await env.DB.prepare("SELECT * FROM clicks WHERE click_id = ?").bind(event.clickId).first<Record<string, unknown>>();
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
      clickEvent({ partnerLinkId: links[i % links.length]!, visitorHash: `v${i % 17}`, kind: i % 25 === 0 ? "bot" : "human" }),
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
    expect(result.ackAll).toBe(true);

    const { results } = await env.DB.prepare(
      `SELECT click_id FROM clicks WHERE partner_link_id IN (${links.map(() => "?").join(", ")})`,
    )
      .bind(...links)
      .all<{ click_id: string }>();
    expect(new Set(results.map((row) => row.click_id))).toEqual(new Set(events.map((event) => event.clickId)));
    let counted = 0;
    for (const link of links) {
      const humans = events.filter((e) => e.partnerLinkId === link && e.kind === "human");
      expect(await countsFor(link), link).toEqual([{ hour: hourStart(BASE_TS), clicks: humans.length, unique_clicks: new Set(humans.map((e) => e.visitorHash)).size }]);
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

  it("drops malformed messages (acked, logged) and still writes the good ones", async () => {
    const good = clickEvent();
    const result = await deliver([{ nonsense: true }, null, "text", { ...clickEvent(), kind: "robot" }, good]);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.ackAll).toBe(true);
    expect(await rawClickCount(good.partnerLinkId)).toBe(1);
  });

  it("asks for the whole batch to be retried when D1 fails, having written nothing", async () => {
    const event = clickEvent();
    const failingDb = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: async () => {
        throw new Error("D1_ERROR: simulated outage");
      },
    } as unknown as D1Database;
    const batch = createMessageBatch("edgeref-clicks", [{ id: "m1", timestamp: new Date(), attempts: 1, body: event }]);
    const ctx = createExecutionContext();
    await consumeClickBatch(batch, { DB: failingDb });
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.ackAll).toBe(false);
    expect(await rawClickCount(event.partnerLinkId)).toBe(0);
  });
});
