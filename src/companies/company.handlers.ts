import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import type { companies } from "../db/schema";
import { PLAN_LIMITS } from "../plans/plans";
import type * as routes from "./company.routes";
import { getCompany, updateCompanySettings } from "./service";

type Company = typeof companies.$inferSelect;

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

export const get: AdminHandler<typeof routes.get> = async (c) => {
  return c.json(serializeCompany(await getCompany(c.env, c.get("caller").companyId)), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const company = await updateCompanySettings(c.env, c.get("caller").companyId, c.req.valid("json"));
  return c.json(serializeCompany(company), 200);
};
