import type { AdminHandler } from "../admin/context";
import { listBody } from "../admin/schemas";
import { serializeDeals } from "../pipelines/serialize";
import type * as routes from "./deals.routes";
import { getDeal, listDeals, moveDeal, registerDealForPartner } from "./service";

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { companyId } = c.get("caller");
  const { limit, starting_after, group_id, partner_id, stage_id } = c.req.valid("query");
  const page = await listDeals(c.env, companyId, {
    limit,
    startingAfter: starting_after,
    groupId: group_id,
    partnerId: partner_id,
    stageId: stage_id,
  });
  return c.json(listBody(await serializeDeals(c.env, companyId, page.rows), page.hasMore), 200);
};

export const register: AdminHandler<typeof routes.register> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const deal = await registerDealForPartner(c.env, companyId, c.req.valid("json"), apiKeyId);
  return c.json((await serializeDeals(c.env, companyId, [deal], true))[0]!, 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const deal = await getDeal(c.env, companyId, c.req.valid("param").deal_id);
  return c.json((await serializeDeals(c.env, companyId, [deal], true))[0]!, 200);
};

export const move: AdminHandler<typeof routes.move> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const deal = await moveDeal(c.env, companyId, c.req.valid("param").deal_id, c.req.valid("json"), {
    kind: "company",
    id: apiKeyId,
  });
  return c.json((await serializeDeals(c.env, companyId, [deal], true))[0]!, 200);
};
