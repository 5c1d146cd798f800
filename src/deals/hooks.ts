// Where other modules learn that a deal closed. Offers (issue 10) connect their deal-closed triggers
// here; `dealClosedEventKey` is the source event key that makes a reward exactly once per deal.

import type { customers } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import type { PipelineEntry } from "../pipelines/service";

export type Customer = typeof customers.$inferSelect;

export function dealClosedEventKey(deal: Pick<PipelineEntry, "id">): string {
  return `deal:${deal.id}:closed`;
}

/**
 * A deal entered its final stage (called once, after the move is committed). `customer` is the
 * customer closing created, attributed to the deal's partner and group, or null when the deal form
 * says closing creates none. Not connected to offers yet: the lead wires the offers' deal-closed
 * triggers here.
 */
export async function onDealClosed(_env: Stores, _deal: PipelineEntry, _customer: Customer | null): Promise<void> {}
