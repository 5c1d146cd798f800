// A click event names its company and, separately, the group, partner and partner link it counts
// for. The edge builds every event from one company's records, so they agree; a forged or corrupt
// message might not. The hourly counters and the stats are keyed by group, partner and link — not
// by company — so writing such an event would credit another company's numbers (and let a
// conversion of the event's company attribute a customer to another company's partner).
import type { ClickEvent } from "./event";

/** Why a refused event was not written (kept in `failed_clicks.error` and in the logs). */
export const REFUSED_FOREIGN_IDS = "refused: names a group, partner or partner link of another company";

/**
 * The events whose group, partner or partner link belongs to a company other than the event's own,
 * in one indexed read. An id found nowhere is not refused: it names no one else's object, so it
 * cannot move anyone's numbers (and test data and benchmarks use made-up ids).
 */
export async function eventsNamingOtherCompanies(
  db: D1Database,
  events: readonly ClickEvent[],
): Promise<Set<ClickEvent>> {
  if (events.length === 0) return new Set();
  const ids = (pick: (event: ClickEvent) => string) => JSON.stringify([...new Set(events.map(pick))]);
  // One bound JSON array per kind: any batch size stays under D1's 100 bound parameters.
  const { results } = await db
    .prepare(
      `SELECT 'group' AS kind, id, company_id FROM groups WHERE id IN (SELECT value FROM json_each(?1))
       UNION ALL SELECT 'partner', id, company_id FROM partners WHERE id IN (SELECT value FROM json_each(?2))
       UNION ALL SELECT 'link', id, company_id FROM partner_links WHERE id IN (SELECT value FROM json_each(?3))`,
    )
    .bind(
      ids((e) => e.groupId),
      ids((e) => e.partnerId),
      ids((e) => e.partnerLinkId),
    )
    .all<{ kind: string; id: string; company_id: string }>();
  const owners = new Map(results.map((row) => [`${row.kind}:${row.id}`, row.company_id]));
  const foreign = (key: string, companyId: string) => {
    const owner = owners.get(key);
    return owner !== undefined && owner !== companyId;
  };
  return new Set(
    events.filter(
      (event) =>
        foreign(`group:${event.groupId}`, event.companyId) ||
        foreign(`partner:${event.partnerId}`, event.companyId) ||
        foreign(`link:${event.partnerLinkId}`, event.companyId),
    ),
  );
}
