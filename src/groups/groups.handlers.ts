import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import { getCompany } from "../companies/service";
import type { companies, groups } from "../db/schema";
import { activeOfferCounts } from "../offers/service";
import { lastRollupAt } from "../rollup/rollup";
import { groupStatsOf, type StatsSnapshot, statsSnapshot } from "../stats/service";
import { serializeStats } from "../stats/stats.handlers";
import type * as routes from "./groups.routes";
import { archiveGroup, createGroup, getGroup, listGroupsWithStats, updateGroup } from "./service";

type Group = typeof groups.$inferSelect;
type Company = typeof companies.$inferSelect;

export function programPageUrl(origin: string, company: Company, group: Group): string {
  return `${origin}/programs/${company.slug}/${group.slug}`;
}

export function serializeGroup(
  group: Group,
  stats: StatsSnapshot,
  company: Company,
  origin: string,
  offersCount: number,
) {
  return {
    id: group.id,
    object: "group" as const,
    name: group.name,
    slug: group.slug,
    program_page_url: programPageUrl(origin, company, group),
    is_default: company.defaultGroupId === group.id,
    referral_links_enabled: group.referralLinksEnabled,
    terms_url: group.termsUrl,
    effective_terms_url: group.termsUrl ?? company.termsUrl,
    features: {
      lead_submission: group.leadSubmissionEnabled,
      deal_registration: group.dealRegistrationEnabled,
      application_form: group.applicationFormEnabled,
    },
    archived_at: iso(group.archivedAt),
    offers_count: offersCount,
    created_at: iso(group.createdAt)!,
    updated_at: iso(group.updatedAt)!,
    stats: { partners: stats.partners ?? 0, ...serializeStats(stats) },
  };
}

const originOf = (url: string) => new URL(url).origin;

async function groupResponse(env: Parameters<typeof getCompany>[0], companyId: string, groupId: string, url: string) {
  const [group, stats, company, offerCounts] = await Promise.all([
    getGroup(env, companyId, groupId),
    groupStatsOf(env, companyId, groupId),
    getCompany(env, companyId),
    activeOfferCounts(env, companyId, [groupId]),
  ]);
  return serializeGroup(group, stats, company, originOf(url), offerCounts.get(groupId) ?? 0);
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { companyId } = c.get("caller");
  const { limit, starting_after } = c.req.valid("query");
  const [page, company, refreshedAt] = await Promise.all([
    listGroupsWithStats(c.env, companyId, { limit, startingAfter: starting_after }),
    getCompany(c.env, companyId),
    lastRollupAt(c.env, companyId),
  ]);
  const offerCounts = await activeOfferCounts(
    c.env,
    companyId,
    page.rows.map((row) => row.group.id),
  );
  const serialize = ({ group, stats }: (typeof page.rows)[number]) =>
    serializeGroup(
      group,
      statsSnapshot(stats, refreshedAt, true),
      company,
      originOf(c.req.url),
      offerCounts.get(group.id) ?? 0,
    );
  return c.json(listBody(page.rows.map(serialize), page.hasMore), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const { companyId } = c.get("caller");
  const group = await createGroup(c.env, companyId, c.req.valid("json"));
  return c.json(await groupResponse(c.env, companyId, group.id, c.req.url), 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  return c.json(await groupResponse(c.env, companyId, c.req.valid("param").group_id, c.req.url), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const { companyId } = c.get("caller");
  const { group_id } = c.req.valid("param");
  await updateGroup(c.env, companyId, group_id, c.req.valid("json"));
  return c.json(await groupResponse(c.env, companyId, group_id, c.req.url), 200);
};

export const archive: AdminHandler<typeof routes.archive> = async (c) => {
  const { companyId } = c.get("caller");
  const { group_id } = c.req.valid("param");
  await archiveGroup(c.env, companyId, group_id);
  return c.json(await groupResponse(c.env, companyId, group_id, c.req.url), 200);
};
