import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type * as routes from "./failed-clicks.routes";
import { type FailedClickRow, listFailedClicks, parseEvent, replayFailedClicks } from "./service";

export function serializeFailedClick(row: FailedClickRow) {
  const event = parseEvent(row.body);
  return {
    id: row.messageId,
    object: "failed_click" as const,
    click_id: row.clickId,
    error: row.error,
    attempts: row.attempts,
    failed_at: iso(row.failedAt)!,
    replayed_at: iso(row.replayedAt),
    click: event && {
      clicked_at: iso(event.ts)!,
      group_id: event.groupId,
      partner_id: event.partnerId,
      partner_link_id: event.partnerLinkId,
      default_link_id: event.defaultLinkId,
      kind: event.kind,
      country: event.country,
      referer_host: event.refererHost,
    },
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { limit, starting_after } = c.req.valid("query");
  const page = await listFailedClicks(c.env, c.get("caller").companyId, { limit, startingAfter: starting_after });
  return c.json(listBody(page.rows.map(serializeFailedClick), page.hasMore), 200);
};

export const replay: AdminHandler<typeof routes.replay> = async (c) => {
  const outcome = await replayFailedClicks(c.env, c.get("caller").companyId);
  return c.json(
    {
      object: "failed_click_replay" as const,
      replayed: outcome.replayed,
      already_present: outcome.alreadyPresent,
      still_invalid: outcome.stillInvalid,
      not_written: outcome.notWritten,
      has_more: outcome.hasMore,
    },
    200,
  );
};
