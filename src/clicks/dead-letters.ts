// The edge worker's queue handler: the click queue, and its dead-letter queue (wrangler.toml).
import { consumeClickBatch } from "./consumer";
import { isClickEvent } from "./event";
import { recordFailedClicks, retryDelaySeconds } from "./failed";
import { eventsNamingOtherCompanies, REFUSED_FOREIGN_IDS } from "./ownership";

export const CLICKS_QUEUE = "edgeref-clicks";
export const CLICKS_DEAD_LETTER_QUEUE = "edgeref-clicks-dlq";
/**
 * Deliveries a click message gets before the queue dead-letters it: `max_retries` of the
 * edgeref-clicks consumer in wrangler.toml (10), plus the first. A dead letter arrives with its
 * attempts counted afresh, so this is the only way to say how often it was tried.
 */
export const CLICK_MAX_DELIVERIES = 11;

/** Dispatches on the queue a batch came from; anything but the dead-letter queue is clicks. */
export async function consumeClickQueues(batch: MessageBatch<unknown>, env: { DB: D1Database }): Promise<void> {
  if (batch.queue === CLICKS_DEAD_LETTER_QUEUE) return consumeDeadLetters(batch, env);
  return consumeClickBatch(batch, env);
}

/**
 * Stores every dead letter in `failed_clicks` (once per message id) and acks it. Nothing is written
 * to the clicks tables here: a company replays its failed clicks (POST /v1/failed-clicks/replay)
 * once the cause is fixed.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: { DB: D1Database }): Promise<void> {
  const tried = `dead-lettered after ${CLICK_MAX_DELIVERIES} attempts on ${CLICKS_QUEUE}`;
  try {
    // A click naming another company's objects is kept for operators only: no company may replay it.
    const clicks = batch.messages.map((message) => message.body).filter(isClickEvent);
    const foreign = await eventsNamingOtherCompanies(env.DB, clicks);
    const failures = batch.messages.map((message) => {
      const body = message.body;
      const refused = isClickEvent(body) && foreign.has(body);
      const why = !isClickEvent(body) ? "malformed, not a click event" : refused ? REFUSED_FOREIGN_IDS : "not written";
      const error = `${tried}: ${why}`;
      return { messageId: message.id, body, attempts: CLICK_MAX_DELIVERIES, error, ownerUnknown: refused };
    });
    if (failures.length > 0) await env.DB.batch(recordFailedClicks(env.DB, failures));
  } catch (error) {
    const ids = batch.messages.map((m) => m.id);
    console.error(JSON.stringify({ msg: "dead letters not recorded, will retry", ids, error: String(error) }));
    for (const message of batch.messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return;
  }
  for (const message of batch.messages) message.ack();
  const ids = batch.messages.map((m) => m.id);
  console.error(JSON.stringify({ msg: "dead letters recorded in failed_clicks", ids }));
}
