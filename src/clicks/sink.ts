import type { ClickEvent } from "./event";

/** Where the edge hands click events: the `CLICKS` queue, or an in-memory sink in the benchmark. */
export interface ClickSink {
  send(event: ClickEvent): Promise<unknown>;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

// Four attempts over ~1.4 s: well inside the 30 s `waitUntil` budget after a response.
export const DEFAULT_SEND_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 100 };

/**
 * One `send()` per click, retried with exponential backoff. Each request awaits its own send in
 * its own `waitUntil`: batching sends across requests loses clicks in workerd, which cancels
 * continuations owned by a request that has already finished.
 * Returns whether the click was handed over; a final failure is logged with the click id.
 */
export async function sendClick(sink: ClickSink, event: ClickEvent, retry = DEFAULT_SEND_RETRY): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.send(event);
      return true;
    } catch (error) {
      if (attempt >= retry.attempts) {
        console.error(
          JSON.stringify({
            msg: "click lost: queue send failed",
            clickId: event.clickId,
            attempts: attempt,
            error: String(error),
          }),
        );
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, retry.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
