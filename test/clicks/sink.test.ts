import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClickEvent } from "../../src/clicks/event";
import { sendClick } from "../../src/clicks/sink";

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
