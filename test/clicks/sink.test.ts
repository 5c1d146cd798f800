import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClickEvent } from "../../src/clicks/event";
import { DEFAULT_SEND_RETRY, sendClick } from "../../src/clicks/sink";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { addPartner, BROWSER_UA, createCompanyFixture } from "../helpers/fixtures";
import { clickIdOf } from "../helpers/redirect";

const event = { clickId: "01testclickid000000000000" } as ClickEvent;
const fastRetry = { attempts: 4, baseDelayMs: 1 };

afterEach(() => vi.restoreAllMocks());

describe("sendClick", () => {
  it("retries a failing send until it goes through", async () => {
    let calls = 0;
    const sink = {
      send: async () => {
        calls++;
        if (calls < 3) throw new Error("QuotaExceededError: max active timeouts");
      },
    };
    expect(await sendClick(sink, event, fastRetry)).toBe(true);
    expect(calls).toBe(3);
  });

  it("logs the click id when every attempt fails, never silently dropping it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    let calls = 0;
    const sink = {
      send: async () => {
        calls++;
        throw new Error("queue unavailable");
      },
    };
    expect(await sendClick(sink, event, fastRetry)).toBe(false);
    expect(calls).toBe(4);
    expect(errors).toHaveBeenCalledTimes(1);
    const logged = JSON.parse(String(errors.mock.calls[0]![0]));
    expect(logged).toMatchObject({ msg: "click lost: queue send failed", clickId: event.clickId, attempts: 4 });
  });
});

describe("edge: a click the queue never takes", () => {
  it("still redirects, retries, then logs the lost click with the click id from the Location", async () => {
    const { hostname, companyId, groupId } = await createCompanyFixture();
    await addPartner(companyId, groupId, "jane");
    const sent: ClickEvent[] = [];
    const app = createEdgeApp({
      cache: new IsolateCache({ maxEntries: 100, freshMs: 1_000, missFreshMs: 1_000 }),
      clickSink: () => ({
        send: async (event: ClickEvent) => {
          sent.push(event);
          throw new Error("Queue send failed: 503");
        },
      }),
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`https://${hostname}/jane`, { headers: { "user-agent": BROWSER_UA } }),
      env,
      ctx,
    );
    expect(response.status).toBe(302); // the visitor is not kept waiting on the queue
    await waitOnExecutionContext(ctx); // the retries (default backoff, ~0.7 s) run after the response

    const clickId = clickIdOf(response);
    expect(sent).toHaveLength(DEFAULT_SEND_RETRY.attempts);
    for (const event of sent) expect(event.clickId).toBe(clickId);
    const lines = errors.mock.calls.map((args) => args.map(String).join(" "));
    const lost = lines.filter((line) => line.includes(clickId));
    expect(lost, lines.join("\n")).toHaveLength(1);
    expect(JSON.parse(lost[0]!)).toMatchObject({
      msg: "click lost: queue send failed",
      clickId,
      attempts: DEFAULT_SEND_RETRY.attempts,
    });
  });
});
