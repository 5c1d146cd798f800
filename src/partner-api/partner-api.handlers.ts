import type { AdminHandler } from "../admin/context";
import { listBody } from "../admin/schemas";
import { getDeal, listDeals, moveDeal, registerDeal, updateOwnDeal } from "../deals/service";
import { serializeForm } from "../forms/forms.handlers";
import { getForm as getGroupForm } from "../forms/service";
import { getLead, listLeads, submitLead } from "../leads/service";
import { getPartner } from "../partners/service";
import { serializePartnerDeals, serializePartnerLeads } from "../pipelines/serialize";
import { listStages } from "../pipelines/service";
import type * as routes from "./partner-api.routes";

export const getForm: AdminHandler<typeof routes.getForm> = async (c) => {
  const { companyId, partnerId } = c.get("partner");
  const { kind } = c.req.valid("param");
  const partner = await getPartner(c.env, companyId, partnerId);
  const [form, stages] = await Promise.all([
    getGroupForm(c.env, companyId, partner.groupId, kind),
    listStages(c.env, companyId, partner.groupId, kind),
  ]);
  const { updated_at: _, ...shown } = serializeForm(form);
  return c.json(
    {
      ...shown,
      stages: stages.map((s) => ({ id: s.id, name: s.name, is_final: s.isFinal, position: s.position })),
    },
    200,
  );
};

export const submit: AdminHandler<typeof routes.submitLead> = async (c) => {
  const caller = c.get("partner");
  const lead = await submitLead(c.env, caller, c.req.valid("json").values);
  return c.json((await serializePartnerLeads(c.env, caller.companyId, [lead]))[0]!, 201);
};

export const leads: AdminHandler<typeof routes.listLeads> = async (c) => {
  const { companyId, partnerId } = c.get("partner");
  const { limit, starting_after } = c.req.valid("query");
  const page = await listLeads(c.env, companyId, { limit, startingAfter: starting_after }, partnerId);
  return c.json(listBody(await serializePartnerLeads(c.env, companyId, page.rows), page.hasMore), 200);
};

export const lead: AdminHandler<typeof routes.getLead> = async (c) => {
  const { companyId, partnerId } = c.get("partner");
  const found = await getLead(c.env, companyId, c.req.valid("param").lead_id, partnerId);
  return c.json((await serializePartnerLeads(c.env, companyId, [found]))[0]!, 200);
};

export const register: AdminHandler<typeof routes.registerDeal> = async (c) => {
  const caller = c.get("partner");
  const deal = await registerDeal(c.env, caller, c.req.valid("json").values);
  return c.json((await serializePartnerDeals(c.env, caller.companyId, [deal]))[0]!, 201);
};

export const deals: AdminHandler<typeof routes.listDeals> = async (c) => {
  const { companyId, partnerId } = c.get("partner");
  const { limit, starting_after } = c.req.valid("query");
  const page = await listDeals(c.env, companyId, { limit, startingAfter: starting_after }, partnerId);
  return c.json(listBody(await serializePartnerDeals(c.env, companyId, page.rows), page.hasMore), 200);
};

export const deal: AdminHandler<typeof routes.getDeal> = async (c) => {
  const { companyId, partnerId } = c.get("partner");
  const found = await getDeal(c.env, companyId, c.req.valid("param").deal_id, partnerId);
  return c.json((await serializePartnerDeals(c.env, companyId, [found]))[0]!, 200);
};

export const update: AdminHandler<typeof routes.updateDeal> = async (c) => {
  const caller = c.get("partner");
  const updated = await updateOwnDeal(c.env, caller, c.req.valid("param").deal_id, c.req.valid("json").values);
  return c.json((await serializePartnerDeals(c.env, caller.companyId, [updated]))[0]!, 200);
};

export const move: AdminHandler<typeof routes.moveDeal> = async (c) => {
  const caller = c.get("partner");
  const moved = await moveDeal(c.env, caller.companyId, c.req.valid("param").deal_id, c.req.valid("json"), {
    kind: "partner",
    id: caller.partnerId,
  });
  return c.json((await serializePartnerDeals(c.env, caller.companyId, [moved]))[0]!, 200);
};
