// Simulation routes of offers: what an offer (or a draft) would have paid, writing nothing.
import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, idParam, jsonBody, jsonResponse, security } from "../admin/schemas";
import type { OfferInput } from "./model";
import { OfferObject, offerBodyExample, toOfferInput } from "./offers.routes";
import type { SimulationInput } from "./simulate";

const tags = ["Offers"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");
const OfferIdParam = idParam("offer_id", "ofr_01jd3k5qv0r8t2x7m9c4b6n1pz");

const isoTime = (description: string) =>
  z.iso.datetime({ offset: true }).openapi({ description, example: "2026-01-01T00:00:00Z" });
const rangeFields = {
  from: isoTime("Events at or after this time"),
  to: isoTime("Events before this time; at most 366 days after `from`"),
};
const MAX_RANGE_MS = 366 * 86_400_000;
const checkRange = <T extends { from: string; to: string }>(body: T, ctx: z.RefinementCtx) => {
  const [from, to] = [Date.parse(body.from), Date.parse(body.to)];
  if (!(from < to)) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after `from`" });
  else if (to - from > MAX_RANGE_MS) ctx.addIssue({ code: "custom", path: ["to"], message: "at most 366 days" });
};

export const SimulateOfferBody = z
  .object(rangeFields)
  .strict()
  .superRefine(checkRange)
  .openapi("SimulateOffer", { example: { from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z" } })
  .transform((body): SimulationInput => ({ from: Date.parse(body.from), to: Date.parse(body.to) }));

export const SimulateDraftBody = z
  .object({ ...rangeFields, offer: OfferObject })
  .strict()
  .superRefine(checkRange)
  .openapi("SimulateDraftOffer", {
    example: { from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z", offer: offerBodyExample },
  })
  .transform((body): SimulationInput & { offer: OfferInput } => ({
    from: Date.parse(body.from),
    to: Date.parse(body.to),
    offer: toOfferInput(body.offer),
  }));

const SimulationSchema = z
  .object({
    object: z.literal("offer_simulation"),
    offer_id: z.string().nullable(),
    group_id: z.string(),
    version: z.number().int().nullable().openapi({ description: "The version replayed; null for a draft" }),
    from: z.string(),
    to: z.string(),
    events: z.object({ signups: z.number().int(), transactions: z.number().int() }),
    rewards: z.number().int().openapi({ description: "How many rewards it would have created" }),
    total_usd_cents: z.number().int().openapi({ description: "Net of refunds recorded so far" }),
    partners: z.array(z.object({ partner_id: z.string(), rewards: z.number().int(), usd_cents: z.number().int() })),
  })
  .openapi("OfferSimulation", {
    example: {
      object: "offer_simulation",
      offer_id: "ofr_01jd3k5qv0r8t2x7m9c4b6n1pz",
      group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      version: 2,
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-07-01T00:00:00.000Z",
      events: { signups: 40, transactions: 120 },
      rewards: 75,
      total_usd_cents: 125000,
      partners: [{ partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz", rewards: 75, usd_cents: 125000 }],
    },
  });

export const simulate = createRoute({
  method: "post",
  operationId: "simulateOffer",
  path: "/v1/offers/{offer_id}/simulate",
  tags,
  security,
  summary: "What the offer's current version would have paid for past events (writes nothing)",
  description:
    "Replays the group's signups and sales in [from, to) through the offer, as if it had run then with no " +
    "rewards before `from`, net of refunds recorded so far. At most 10,000 events of each kind (more: a 422 on `to`).",
  request: { params: OfferIdParam, body: jsonBody(SimulateOfferBody) },
  responses: { 200: jsonResponse(SimulationSchema, "The simulation"), ...errorResponses, ...conflictResponse },
});

export const simulateDraft = createRoute({
  method: "post",
  operationId: "simulateDraftOffer",
  path: "/v1/groups/{group_id}/offers/simulate",
  tags,
  security,
  summary: "What a draft offer would have paid for the group's past events (writes nothing)",
  request: { params: GroupIdParam, body: jsonBody(SimulateDraftBody) },
  responses: { 200: jsonResponse(SimulationSchema, "The simulation"), ...errorResponses, ...conflictResponse },
});
