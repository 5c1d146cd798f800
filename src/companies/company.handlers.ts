import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { companies, linkDomains } from "../db/schema";
import { PLAN_LIMITS } from "../plans/plans";
import type * as routes from "./company.routes";
import { addLinkDomain, getCompany, listLinkDomains, removeLinkDomain, updateCompanySettings } from "./service";

type Company = typeof companies.$inferSelect;
type LinkDomain = typeof linkDomains.$inferSelect;

export function serializeCompany(company: Company) {
  const limits = PLAN_LIMITS[company.plan];
  return {
    id: company.id,
    object: "company" as const,
    name: company.name,
    slug: company.slug,
    plan: company.plan,
    plan_limits: {
      max_groups: limits.maxGroups,
      lead_submission: limits.leadSubmission,
      deal_registration: limits.dealRegistration,
      application_forms: limits.applicationForms,
    },
    default_group_id: company.defaultGroupId,
    terms_url: company.termsUrl,
    fallback_url: company.fallbackUrl,
    attribution_model: company.attributionModel,
    attribution_window_days: company.attributionWindowDays,
    click_id_param: company.clickIdParam,
    partner_key_param: company.partnerKeyParam,
    created_at: iso(company.createdAt)!,
    updated_at: iso(company.updatedAt)!,
  };
}

export function serializeLinkDomain(domain: LinkDomain) {
  return {
    id: domain.id,
    object: "link_domain" as const,
    hostname: domain.hostname,
    cookie_domain: domain.cookieDomain,
    created_at: iso(domain.createdAt)!,
  };
}

export const get: AdminHandler<typeof routes.get> = async (c) => {
  return c.json(serializeCompany(await getCompany(c.env, c.get("caller").companyId)), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const body = c.req.valid("json");
  const company = await updateCompanySettings(c.env, c.get("caller").companyId, {
    name: body.name,
    fallbackUrl: body.fallback_url,
    termsUrl: body.terms_url,
    attributionModel: body.attribution_model,
    attributionWindowDays: body.attribution_window_days,
    clickIdParam: body.click_id_param,
    partnerKeyParam: body.partner_key_param,
    defaultGroupId: body.default_group_id,
  });
  return c.json(serializeCompany(company), 200);
};

export const listDomains: AdminHandler<typeof routes.listDomains> = async (c) => {
  const domains = await listLinkDomains(c.env, c.get("caller").companyId);
  return c.json(listBody(domains.map(serializeLinkDomain)), 200);
};

export const addDomain: AdminHandler<typeof routes.addDomain> = async (c) => {
  const body = c.req.valid("json");
  const domain = await addLinkDomain(c.env, c.get("caller").companyId, { hostname: body.hostname, cookieDomain: body.cookie_domain ?? null });
  return c.json(serializeLinkDomain(domain), 201);
};

export const removeDomain: AdminHandler<typeof routes.removeDomain> = async (c) => {
  const { domain_id } = c.req.valid("param");
  await removeLinkDomain(c.env, c.get("caller").companyId, domain_id);
  return c.json({ id: domain_id, object: "link_domain" as const, deleted: true as const }, 200);
};
