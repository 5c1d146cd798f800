// Clicks written straight through the consumer's writer, for tests of what happens after them.
import { env } from "cloudflare:workers";
import { writeClicks } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import type { ClickKind } from "../../src/db/schema";
import { sortableToken } from "../../src/lib/ids";

export interface ClickTarget {
  companyId: string;
  groupId: string;
  partnerId: string;
  partnerLinkId?: string;
}

export function clickEvent(
  target: ClickTarget,
  ts = Date.now(),
  kind: ClickKind = "human",
  visitor = crypto.randomUUID(),
): ClickEvent {
  return {
    v: 1,
    clickId: sortableToken(ts),
    ts,
    companyId: target.companyId,
    groupId: target.groupId,
    partnerId: target.partnerId,
    partnerLinkId: target.partnerLinkId ?? `plk_of_${target.partnerId}`,
    defaultLinkId: "lnk_test",
    kind,
    country: null,
    refererHost: null,
    visitorHash: visitor,
  };
}

/** Records a click at `ts` and returns its id (the `ps_xid`). */
export async function recordClick(target: ClickTarget, ts = Date.now()): Promise<string> {
  const event = clickEvent(target, ts);
  await writeClicks(env.DB, [event]);
  return event.clickId;
}

/**
 * The test D1, except that a `batch()` containing a statement bound to `poison` (a click id) fails,
 * as a write that D1 refuses for that one row would. Counts the batches it was asked to run.
 */
export function d1FailingOn(poison: string) {
  const bound = new WeakMap<object, unknown[]>();
  const calls = { batches: 0 };
  const db = {
    prepare(sql: string) {
      const statement = env.DB.prepare(sql);
      const bind = statement.bind.bind(statement);
      statement.bind = (...values: unknown[]) => {
        const boundStatement = bind(...values);
        bound.set(boundStatement, values);
        return boundStatement;
      };
      return statement;
    },
    async batch(statements: D1PreparedStatement[]) {
      calls.batches++;
      if (statements.some((statement) => bound.get(statement)?.includes(poison))) {
        throw new Error(`D1_ERROR: simulated failure writing ${poison}`);
      }
      return env.DB.batch(statements);
    },
  } as unknown as D1Database;
  return { db, calls };
}
