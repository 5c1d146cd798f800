// Security of the cron/consumer surface: the click queue's consumer, its dead-letter consumer, the
// failed-click replay and the hourly cron (rollup, retention). Their input is not an API request
// but a message or a stored row, so the question is what a forged or corrupt one can do: a click
// event naming company A with company B's group, partner or partner link must never be written —
// counters, stats and attribution are keyed by those ids, so it would credit B (or let A attribute
// a customer to B's partner). Nothing here may move a number from one company to another.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeClicks } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import { REFUSED_FOREIGN_IDS } from "../../src/clicks/ownership";
import { DAY_MS, HOUR_MS } from "../../src/lib/time";
import adminWorker from "../../workers/admin";
import edgeWorker from "../../workers/edge";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";
import { type ClickTarget, clickEvent } from "../helpers/clicks";
import { companySnapshot, crossCompanyRows } from "../helpers/tenancy";

/** A company with a group, a partner (with a real partner link) and a customer of that partner. */
async function program(name: string) {
  const t = await newTenant("enterprise", name);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://shop.example/" }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "p@example.com", first_name: "P", last_name: name }),
    201,
  );
  const link = await env.DB.prepare("SELECT id FROM partner_links WHERE partner_id = ?")
    .bind(partner.id)
    .first<{ id: string }>();
  await api(t.key, "POST", "/v1/customers", {
    customer_key: "c1",
    email: "c1@example.com",
    partner_key: partner.partner_key,
  });
  const target: ClickTarget = {
    companyId: t.companyId,
    groupId: group.id,
    partnerId: partner.id,
    partnerLinkId: link!.id,
  };
  return { ...t, group, partner, target };
}
type Program = Awaited<ReturnType<typeof program>>;

/** Delivers bodies as one batch from `queue` to the edge worker's real queue handler. */
async function deliver(queue: "edgeref-clicks" | "edgeref-clicks-dlq", bodies: unknown[]) {
  const ids = bodies.map(() => `msg-${crypto.randomUUID()}`);
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: ids[i]!, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await edgeWorker.queue(batch, env);
  return { ids, result: await getQueueResult(batch, ctx) };
}

async function cron(scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await adminWorker
    .scheduled(createScheduledController({ scheduledTime, cron: "0 * * * *" }), env, ctx)
    .catch(() => undefined);
  await waitOnExecutionContext(ctx);
}

async function stats(p: Program) {
  const group = bodyOf(await api(p.key, "GET", `/v1/groups/${p.group.id}/stats`), 200);
  const partner = bodyOf(await api(p.key, "GET", `/v1/partners/${p.partner.id}/stats`), 200);
  type Stats = {
    clicks: number;
    partners?: number;
    signups_paid: number;
    signups_unpaid: number;
    revenue_usd_cents: number;
  };
  const pick = ({ clicks, partners, signups_paid, signups_unpaid, revenue_usd_cents }: Stats) => ({
    clicks,
    partners,
    signups_paid,
    signups_unpaid,
    revenue_usd_cents,
  });
  return { group: pick(group), partner: pick(partner) };
}

async function clickIdsOf(companyId: string) {
  const { results } = await env.DB.prepare("SELECT click_id FROM clicks WHERE company_id = ? ORDER BY click_id")
    .bind(companyId)
    .all<{ click_id: string }>();
  return results.map((row) => row.click_id);
}

const failedRow = (messageId: string) =>
  env.DB.prepare("SELECT * FROM failed_clicks WHERE message_id = ?").bind(messageId).first<Record<string, unknown>>();

/** Events of company `a` that name `b`'s objects, one way each; an hour old (no longer "pending"). */
function forgeries(a: Program, b: Program): [string, ClickEvent][] {
  const ts = Date.now() - HOUR_MS;
  return [
    ["all of B's objects", clickEvent({ ...b.target, companyId: a.companyId }, ts)],
    ["B's group", clickEvent({ ...a.target, groupId: b.group.id }, ts)],
    ["B's partner", clickEvent({ ...a.target, partnerId: b.partner.id }, ts)],
    ["B's partner link", clickEvent({ ...a.target, partnerLinkId: b.target.partnerLinkId }, ts)],
  ];
}

afterEach(() => vi.restoreAllMocks());

describe("the click consumer", () => {
  it("refuses events naming another company's group, partner or link: kept for operators, acked", async () => {
    const a = await program("A");
    const b = await program("B");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const forged = forgeries(a, b);
    const ownOfA = clickEvent(a.target);
    const ownOfB = clickEvent(b.target);
    const { ids, result } = await deliver("edgeref-clicks", [ownOfA, ...forged.map(([, event]) => event), ownOfB]);

    // Every message is settled for good: the forged ones cannot become valid by retrying.
    expect(result.retryMessages).toEqual([]);
    expect(result.ackAll || new Set(result.explicitAcks).size === ids.length).toBe(true);
    expect(await clickIdsOf(a.companyId)).toEqual([ownOfA.clickId]);
    expect(await clickIdsOf(b.companyId)).toEqual([ownOfB.clickId]);
    expect(await crossCompanyRows([a.companyId, b.companyId])).toEqual([]);
    for (const [i, [label, event]] of forged.entries()) {
      expect(await failedRow(ids[i + 1]!), label).toMatchObject({
        click_id: event.clickId,
        company_id: null,
        error: REFUSED_FOREIGN_IDS,
      });
    }
    // Neither company sees them (they cannot be replayed into anyone's numbers).
    for (const p of [a, b]) expect(bodyOf(await api(p.key, "GET", "/v1/failed-clicks"), 200).data).toEqual([]);

    await cron();
    expect((await stats(a)).group.clicks).toBe(1);
    expect((await stats(b)).group.clicks).toBe(1);
    expect((await stats(b)).partner.clicks).toBe(1);
    // A cannot attribute a customer to B's partner through a forged click id.
    const conversion = await api(a.key, "POST", "/v1/conversions", {
      xid: forged[0]![1].clickId,
      customer_key: "via-forged",
    });
    expectStatus(conversion, 422);
    expect(conversion.body.errors?.[0]?.field).toBe("xid");
  });

  it("writeClicks, the one writer every path uses, writes nothing of a forged event", async () => {
    const a = await program("A");
    const b = await program("B");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await companySnapshot(b.companyId);
    const inserted = await writeClicks(
      env.DB,
      forgeries(a, b).map(([, event]) => event),
    );
    expect(inserted).toBe(0);
    expect(await clickIdsOf(a.companyId)).toEqual([]);
    expect(await companySnapshot(b.companyId)).toEqual(before);
  });

  it("the dead-letter consumer keeps a forged click for operators only", async () => {
    const a = await program("A");
    const b = await program("B");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const [[, forged]] = forgeries(a, b) as [[string, ClickEvent]];
    const own = clickEvent(a.target);
    const { ids } = await deliver("edgeref-clicks-dlq", [forged, own]);
    expect(await failedRow(ids[0]!)).toMatchObject({
      company_id: null,
      error: expect.stringContaining(REFUSED_FOREIGN_IDS),
    });
    expect(await failedRow(ids[1]!)).toMatchObject({ company_id: a.companyId });
    const listed = bodyOf(await api(a.key, "GET", "/v1/failed-clicks"), 200).data.map((row: { id: string }) => row.id);
    expect(listed).toEqual([ids[1]]);
  });
});

describe("the failed-click replay", () => {
  /** A failed_clicks row as stored before the consumer refused forged events (or by any other path). */
  async function storeFailed(companyId: string, event: ClickEvent) {
    const messageId = `msg-${crypto.randomUUID()}`;
    await env.DB.prepare(
      `INSERT INTO failed_clicks (message_id, click_id, company_id, body, error, attempts, failed_at)
       VALUES (?, ?, ?, ?, 'test', 11, ?)`,
    )
      .bind(messageId, event.clickId, companyId, JSON.stringify(event), Date.now())
      .run();
    return messageId;
  }

  it("by company B never writes company A's clicks, whatever B's stored rows say", async () => {
    const a = await program("A");
    const b = await program("B");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const pendingOfA = await storeFailed(a.companyId, clickEvent(a.target));
    // Rows of B naming A: all of A's event, and B's company with A's group, partner or link.
    await storeFailed(b.companyId, clickEvent(a.target));
    for (const [, event] of forgeries(b, a)) await storeFailed(b.companyId, event);
    const before = await companySnapshot(a.companyId);

    const replay = await api(b.key, "POST", "/v1/failed-clicks/replay");
    expectStatus(replay, 200);
    expect(replay.body).toMatchObject({ replayed: 0, already_present: 0, still_invalid: 5, not_written: 0 });
    expect(await companySnapshot(a.companyId)).toEqual(before);
    expect(await clickIdsOf(b.companyId)).toEqual([]);
    expect(await crossCompanyRows([a.companyId, b.companyId])).toEqual([]);
    expect((await failedRow(pendingOfA))!.replayed_at).toBeNull();

    // A's own pending click is A's to replay.
    expect((await api(a.key, "POST", "/v1/failed-clicks/replay")).body).toMatchObject({
      replayed: 1,
      still_invalid: 0,
    });
  });
});

describe("the hourly cron with two companies", () => {
  it("never moves a number between them; each keeps raw clicks for its own window", async () => {
    const a = await program("A");
    const b = await program("B");
    expect((await api(a.key, "PATCH", "/v1/company", { attribution_window_days: 30 })).status).toBe(200); // B: 90
    const now = Date.now();
    const ages = [10, 60, 100].map((days) => now - days * DAY_MS);
    const clicksA = ages.map((ts) => clickEvent(a.target, ts));
    const clicksB = [...ages, now].map((ts) => clickEvent(b.target, ts));
    await writeClicks(env.DB, [...clicksA, ...clicksB]);
    await api(a.key, "POST", "/v1/transactions", { key: "t1", customer_key: "c1", amount: 1100, currency: "USD" });
    await api(b.key, "POST", "/v1/transactions", { key: "t1", customer_key: "c1", amount: 2200, currency: "USD" });

    await cron(now);
    const expected = (clicks: number, revenue: number) => ({
      group: { clicks, partners: 1, signups_paid: 1, signups_unpaid: 0, revenue_usd_cents: revenue },
      partner: { clicks, partners: undefined, signups_paid: 1, signups_unpaid: 0, revenue_usd_cents: revenue },
    });
    expect(await stats(a)).toEqual(expected(3, 1100));
    expect(await stats(b)).toEqual(expected(4, 2200));
    // Retention: A's 30-day window keeps the 10-day click; B's 90-day window the 10- and 60-day ones too.
    expect(await clickIdsOf(a.companyId)).toEqual([clicksA[0]!.clickId]);
    expect(await clickIdsOf(b.companyId)).toEqual([clicksB[1]!.clickId, clicksB[0]!.clickId, clicksB[3]!.clickId]);
    expect(await crossCompanyRows([a.companyId, b.companyId])).toEqual([]);

    // New events of A alone: B's numbers stay exactly where they were.
    await writeClicks(env.DB, [clickEvent(a.target), clickEvent(a.target)]);
    await api(a.key, "POST", "/v1/transactions", { key: "t2", customer_key: "c1", amount: 900, currency: "USD" });
    await cron(now + HOUR_MS);
    expect(await stats(a)).toEqual(expected(5, 2000));
    expect(await stats(b)).toEqual(expected(4, 2200));
  });
});
