import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import { type Simulation, simulateDraft, simulateOffer } from "./simulate";
import type * as routes from "./simulate.routes";

function serializeSimulation(simulation: Simulation) {
  return {
    object: "offer_simulation" as const,
    offer_id: simulation.offerId,
    group_id: simulation.groupId,
    version: simulation.version,
    from: iso(simulation.from)!,
    to: iso(simulation.to)!,
    events: simulation.events,
    rewards: simulation.rewards,
    total_usd_cents: simulation.totalUsdCents,
    partners: simulation.partners.map((p) => ({ partner_id: p.partnerId, rewards: p.rewards, usd_cents: p.usdCents })),
  };
}

export const simulate: AdminHandler<typeof routes.simulate> = async (c) => {
  const { companyId } = c.get("caller");
  const result = await simulateOffer(c.env, companyId, c.req.valid("param").offer_id, c.req.valid("json"));
  return c.json(serializeSimulation(result), 200);
};

export const simulateDraftOffer: AdminHandler<typeof routes.simulateDraft> = async (c) => {
  const { companyId } = c.get("caller");
  const result = await simulateDraft(c.env, companyId, c.req.valid("param").group_id, c.req.valid("json"));
  return c.json(serializeSimulation(result), 200);
};
