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

export function clickEvent(target: ClickTarget, ts = Date.now(), kind: ClickKind = "human", visitor = crypto.randomUUID()): ClickEvent {
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
