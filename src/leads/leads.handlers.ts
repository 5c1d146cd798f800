import type { AdminHandler } from "../admin/context";
import { listBody } from "../admin/schemas";
import { serializeLeads } from "../pipelines/serialize";
import type * as routes from "./leads.routes";
import { getLead, listLeads, moveLead } from "./service";

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { companyId } = c.get("caller");
  const { limit, starting_after, group_id, partner_id, stage_id } = c.req.valid("query");
  const page = await listLeads(c.env, companyId, {
    limit,
    startingAfter: starting_after,
    groupId: group_id,
    partnerId: partner_id,
    stageId: stage_id,
  });
  return c.json(listBody(await serializeLeads(c.env, companyId, page.rows), page.hasMore), 200);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const lead = await getLead(c.env, companyId, c.req.valid("param").lead_id);
  return c.json((await serializeLeads(c.env, companyId, [lead], true))[0]!, 200);
};

export const move: AdminHandler<typeof routes.move> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const lead = await moveLead(c.env, companyId, c.req.valid("param").lead_id, c.req.valid("json").stageId, apiKeyId);
  return c.json((await serializeLeads(c.env, companyId, [lead], true))[0]!, 200);
};
