// Clicks that fail go somewhere: dead letters are stored in failed_clicks, and a company replays
// its own through the normal click writer, counting each click once.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import { replayFailedClicks } from "../../src/failed-clicks/service";
import { hourStart } from "../../src/lib/time";
import edgeWorker from "../../workers/edge";
import { api, expectStatus, newTenant } from "../helpers/admin";
import { clickEvent, d1FailingOn } from "../helpers/clicks";

const DLQ = "edgeref-clicks-dlq";

/** Clicks of one new partner link of the company, each from its own visitor unless told. */
function clicksOf(companyId: string, count: number, visitors = count): ClickEvent[] {
  const target = { companyId, groupId: "grp_dlq", partnerId: "ptn_dlq", partnerLinkId: `plk_${crypto.randomUUID()}` };
  return Array.from({ length: count }, (_, i) => clickEvent(target, Date.now(), "human", `visitor-${i % visitors}`));
}

/** Delivers bodies to the edge worker's real queue handler as a batch from the dead-letter queue. */
async function deadLetter(bodies: unknown[], ids = bodies.map(() => crypto.randomUUID().replaceAll("-", ""))) {
  const batch = createMessageBatch(
    DLQ,
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await edgeWorker.queue(batch, env);
  return { ids, result: await getQueueResult(batch, ctx) };
}

async function failedRow(messageId: string) {
  return env.DB.prepare("SELECT * FROM failed_clicks WHERE message_id = ?")
    .bind(messageId)
    .first<Record<string, unknown>>();
}

async function counts(partnerLinkId: string) {
  const { results } = await env.DB.prepare(
    "SELECT hour, clicks, unique_clicks FROM click_counts_hourly WHERE partner_link_id = ? ORDER BY hour",
  )
    .bind(partnerLinkId)
    .all<{ hour: number; clicks: number; unique_clicks: number }>();
  return results;
}

async function rawClicks(partnerLinkId: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM clicks WHERE partner_link_id = ?")
    .bind(partnerLinkId)
    .first<{ n: number }>();
  return row!.n;
}

describe("dead-letter consumer", () => {
  it("stores each dead letter in failed_clicks with why, acks it, and writes no click", async () => {
    const { companyId } = await newTenant();
    const [click] = clicksOf(companyId, 1);
    const { ids, result } = await deadLetter([click, { nonsense: true }]);

    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect(result.ackAll || new Set(result.explicitAcks).size === 2).toBe(true);
    expect(await failedRow(ids[0]!)).toMatchObject({
      click_id: click!.clickId,
      company_id: companyId,
      body: JSON.stringify(click),
      error: "dead-lettered after 11 attempts on edgeref-clicks: not written",
      attempts: 11,
      replayed_at: null,
    });
    expect(await failedRow(ids[1]!)).toMatchObject({
      click_id: null,
      company_id: null,
      error: "dead-lettered after 11 attempts on edgeref-clicks: malformed, not a click event",
    });
    expect(await rawClicks(click!.partnerLinkId)).toBe(0); // kept for a replay, not written behind anyone's back
  });

  it("stores a redelivered dead letter once", async () => {
    const { companyId } = await newTenant();
    const [click] = clicksOf(companyId, 1);
    const { ids } = await deadLetter([click]);
    const first = await failedRow(ids[0]!);
    await deadLetter([click], ids);
    const { results } = await env.DB.prepare("SELECT * FROM failed_clicks WHERE message_id = ?").bind(ids[0]!).all();
    expect(results).toEqual([first]);
  });
});

describe("GET /v1/failed-clicks and POST /v1/failed-clicks/replay", () => {
  it("lists a company's failed clicks and replays them once (counters match); again counts nothing", async () => {
    const tenant = await newTenant();
    const clicks = clicksOf(tenant.companyId, 6, 4);
    const link = clicks[0]!.partnerLinkId;
    // Click 5 was written after all (its ack was lost), and click 0 was dead-lettered twice.
    await writeClicks(env.DB, [clicks[5]!]);
    const { ids } = await deadLetter([...clicks, clicks[0]]);

    const listed = await api(tenant.key, "GET", "/v1/failed-clicks?limit=100");
    expectStatus(listed, 200);
    expect(listed.body.data).toHaveLength(7);
    expect(new Set(listed.body.data.map((row: { id: string }) => row.id))).toEqual(new Set(ids));
    expect(listed.body.data[0]).toMatchObject({
      object: "failed_click",
      error: "dead-lettered after 11 attempts on edgeref-clicks: not written",
      attempts: 11,
      replayed_at: null,
      click: { partner_link_id: link, partner_id: "ptn_dlq", group_id: "grp_dlq", kind: "human" },
    });

    const replay = await api(tenant.key, "POST", "/v1/failed-clicks/replay");
    expectStatus(replay, 200);
    expect(replay.body).toEqual({
      object: "failed_click_replay",
      replayed: 5,
      already_present: 2,
      still_invalid: 0,
      not_written: 0,
      has_more: false,
    });
    expect(await rawClicks(link)).toBe(6);
    expect(await counts(link)).toEqual([{ hour: hourStart(clicks[0]!.ts), clicks: 6, unique_clicks: 4 }]);

    const again = await api(tenant.key, "POST", "/v1/failed-clicks/replay");
    expect(again.body).toMatchObject({ replayed: 0, already_present: 0, still_invalid: 0, not_written: 0 });
    // The same dead letters delivered again are not pending again.
    await deadLetter([...clicks, clicks[0]], ids);
    const third = await api(tenant.key, "POST", "/v1/failed-clicks/replay");
    expect(third.body).toMatchObject({ replayed: 0, already_present: 0 });
    expect(await counts(link)).toEqual([{ hour: hourStart(clicks[0]!.ts), clicks: 6, unique_clicks: 4 }]);

    const after = await api(tenant.key, "GET", "/v1/failed-clicks?limit=100");
    expectStatus(after, 200);
    expect(after.body.data.every((row: { replayed_at: string | null }) => typeof row.replayed_at === "string")).toBe(
      true,
    );
  });

  it("replays at most 100 per call and says when more are pending", async () => {
    const tenant = await newTenant();
    const clicks = clicksOf(tenant.companyId, 103);
    await deadLetter(clicks.slice(0, 100));
    await deadLetter(clicks.slice(100));
    const first = await api(tenant.key, "POST", "/v1/failed-clicks/replay");
    expect(first.body).toMatchObject({ replayed: 100, has_more: true });
    const second = await api(tenant.key, "POST", "/v1/failed-clicks/replay");
    expect(second.body).toMatchObject({ replayed: 3, has_more: false });
    const hour = hourStart(clicks[0]!.ts);
    expect(await counts(clicks[0]!.partnerLinkId)).toEqual([{ hour, clicks: 103, unique_clicks: 103 }]);
  });

  it("pages through the list with starting_after, oldest first", async () => {
    const tenant = await newTenant();
    await deadLetter(clicksOf(tenant.companyId, 5));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const after = cursor ? `&starting_after=${cursor}` : "";
      const response = await api(tenant.key, "GET", `/v1/failed-clicks?limit=2${after}`);
      expectStatus(response, 200);
      seen.push(...response.body.data.map((row: { id: string }) => row.id));
      if (!response.body.has_more) break;
      cursor = seen.at(-1);
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("isolates a click whose replay write fails: the others are written, it stays pending and goes last", async () => {
    const { companyId } = await newTenant();
    const clicks = clicksOf(companyId, 10);
    const { ids } = await deadLetter(clicks);
    const { db } = d1FailingOn(clicks[3]!.clickId);

    const outcome = await replayFailedClicks({ DB: db, LINKS_KV: env.LINKS_KV }, companyId);
    expect(outcome).toEqual({ replayed: 9, alreadyPresent: 0, stillInvalid: 0, notWritten: 1, hasMore: false });
    expect(await failedRow(ids[3]!)).toMatchObject({ replayed_at: null, attempts: 12 });
    expect((await failedRow(ids[3]!))!.error).toMatch(/^replay failed: .*simulated failure/);

    const retried = await replayFailedClicks(env, companyId);
    expect(retried).toMatchObject({ replayed: 1, notWritten: 0 });
    const hour = hourStart(clicks[0]!.ts);
    expect(await counts(clicks[0]!.partnerLinkId)).toEqual([{ hour, clicks: 10, unique_clicks: 10 }]);
  });

  it("marks a stored body that is no longer a click event as still invalid, and writes nothing for it", async () => {
    const { companyId, key } = await newTenant();
    await env.DB.prepare(
      `INSERT INTO failed_clicks (message_id, click_id, company_id, body, error, attempts, failed_at)
       VALUES (?, ?, ?, ?, ?, 11, ?)`,
    )
      .bind(`msg-invalid-${crypto.randomUUID()}`, "clk", companyId, '{"v":2}', "dead-lettered", Date.now())
      .run();
    const replay = await api(key, "POST", "/v1/failed-clicks/replay");
    expect(replay.body).toMatchObject({ replayed: 0, already_present: 0, still_invalid: 1 });
    const listed = await api(key, "GET", "/v1/failed-clicks");
    expectStatus(listed, 200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ click: null, error: "dead-lettered; replay: not a click event of this company" }),
    ]);
    expect(listed.body.data[0]!.replayed_at).toEqual(expect.any(String));
  });

  it("tenancy: company B cannot see or replay company A's failed clicks; malformed ones belong to no one", async () => {
    const a = await newTenant("enterprise", "A");
    const b = await newTenant("enterprise", "B");
    const clicks = clicksOf(a.companyId, 3);
    const { ids } = await deadLetter([...clicks, { companyId: b.companyId, nonsense: true }]);

    const listedByB = await api(b.key, "GET", "/v1/failed-clicks");
    expectStatus(listedByB, 200);
    expect(listedByB.body).toEqual({ object: "list", data: [], has_more: false });
    const cursorOfA = await api(b.key, "GET", `/v1/failed-clicks?starting_after=${ids[0]}`);
    expectStatus(cursorOfA, 422);
    expect(cursorOfA.body.errors).toEqual([
      { field: "starting_after", message: "no failed click with this id in your company" },
    ]);

    const replayedByB = await api(b.key, "POST", "/v1/failed-clicks/replay");
    expect(replayedByB.body).toMatchObject({ replayed: 0, already_present: 0, still_invalid: 0, not_written: 0 });
    expect(await rawClicks(clicks[0]!.partnerLinkId)).toBe(0);
    for (const id of ids.slice(0, 3)) expect((await failedRow(id))!.replayed_at).toBeNull();

    const listedByA = await api(a.key, "GET", "/v1/failed-clicks");
    expectStatus(listedByA, 200);
    expect(listedByA.body.data.map((row: { id: string }) => row.id).sort()).toEqual(ids.slice(0, 3).sort());
    expect(await api(null, "GET", "/v1/failed-clicks").then((r) => r.status)).toBe(401);
    expect(await api(null, "POST", "/v1/failed-clicks/replay").then((r) => r.status)).toBe(401);
  });
});
