import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { StorageEnv as Stores } from "../env";
import type { KeyCondition, OfferTrigger } from "./model";
import type * as routes from "./offers.routes";
import { createOffer, getOffer, listOffers, listVersions, type OfferView, stageNamesFor, updateOffer } from "./service";
import { offerSummary, type StageNames, triggerSummary } from "./summary";

const keyCondition = (condition: KeyCondition | undefined) =>
  condition === undefined ? undefined : "in" in condition ? { in: condition.in } : { eq: condition.eq };

export function serializeTrigger(trigger: OfferTrigger, stageNames?: StageNames) {
  const { conditions: c, reward: r } = trigger;
  return {
    id: trigger.id,
    event: trigger.event,
    conditions: {
      product_key: keyCondition(c.productKey),
      category_key: keyCondition(c.categoryKey),
      min_amount_usd_cents: c.minAmountUsdCents,
      first_transaction_only: c.firstTransactionOnly,
      within_months_of_signup: c.withinMonthsOfSignup,
      pipeline: c.pipeline,
      stage_id: c.stageId,
    },
    reward:
      r.type === "flat"
        ? { type: r.type, amount: r.amount, currency: r.currency, max_per_customer_usd_cents: r.maxPerCustomerUsdCents }
        : {
            type: r.type,
            percent: r.percentBp / 100,
            max_per_transaction_usd_cents: r.maxPerTransactionUsdCents,
            max_per_customer_usd_cents: r.maxPerCustomerUsdCents,
          },
    summary: triggerSummary(trigger, stageNames),
  };
}

/** The current names of the stages the offers' triggers name, for their summaries (one query). */
const stageNamesOf = (env: Stores, companyId: string, views: OfferView[]) =>
  stageNamesFor(
    env,
    companyId,
    views.flatMap((view) => view.version.triggers),
  );

export function serializeOffer({ offer, version }: OfferView, stageNames?: StageNames) {
  return {
    id: offer.id,
    object: "offer" as const,
    group_id: offer.groupId,
    version: version.version,
    name: version.name,
    description: version.description,
    active: version.active,
    hold_days: version.holdDays,
    triggers: version.triggers.map((trigger) => serializeTrigger(trigger, stageNames)),
    summary: offerSummary(version.triggers, stageNames),
    effective_from: iso(version.effectiveFrom)!,
    effective_to: iso(version.effectiveTo),
    created_at: iso(offer.createdAt)!,
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { limit, starting_after } = c.req.valid("query");
  const { group_id } = c.req.valid("param");
  const page = await listOffers(c.env, c.get("caller").companyId, group_id, { limit, startingAfter: starting_after });
  const names = await stageNamesOf(c.env, c.get("caller").companyId, page.rows);
  return c.json(
    listBody(
      page.rows.map((view) => serializeOffer(view, names)),
      page.hasMore,
    ),
    200,
  );
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const view = await createOffer(c.env, companyId, c.req.valid("param").group_id, c.req.valid("json"), apiKeyId);
  return c.json(serializeOffer(view, await stageNamesOf(c.env, companyId, [view])), 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const view = await getOffer(c.env, companyId, c.req.valid("param").offer_id);
  return c.json(serializeOffer(view, await stageNamesOf(c.env, companyId, [view])), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const view = await updateOffer(c.env, companyId, c.req.valid("param").offer_id, c.req.valid("json"), apiKeyId);
  return c.json(serializeOffer(view, await stageNamesOf(c.env, companyId, [view])), 200);
};

export const versions: AdminHandler<typeof routes.versions> = async (c) => {
  const { companyId } = c.get("caller");
  const views = await listVersions(c.env, companyId, c.req.valid("param").offer_id);
  const names = await stageNamesOf(c.env, companyId, views);
  return c.json(listBody(views.map((view) => serializeOffer(view, names))), 200);
};
