import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { partners } from "../db/schema";
import type { AdminEnv } from "../env";
import { listLinkDomains } from "../link-domains/service";
import type * as routes from "./partners.routes";
import { createPartner, getPartner, listPartnerLinks, listPartners, updatePartner } from "./service";

type Partner = typeof partners.$inferSelect;

export function serializePartner(partner: Partner) {
  return {
    id: partner.id,
    object: "partner" as const,
    partner_key: partner.partnerKey,
    email: partner.email,
    first_name: partner.firstName,
    last_name: partner.lastName,
    group_id: partner.groupId,
    status: partner.status,
    created_at: iso(partner.createdAt)!,
    updated_at: iso(partner.updatedAt)!,
  };
}

/** Partner links are served by the edge worker: https on real domains, its dev origin on localhost. */
export function linkOrigin(env: AdminEnv, hostname: string): string {
  return hostname === "localhost" ? (env.LOCAL_EDGE_ORIGIN ?? "http://localhost:8787") : `https://${hostname}`;
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { limit, starting_after, group_id } = c.req.valid("query");
  const page = await listPartners(c.env, c.get("caller").companyId, {
    limit,
    startingAfter: starting_after,
    groupId: group_id,
  });
  return c.json(listBody(page.rows.map(serializePartner), page.hasMore), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const partner = await createPartner(c.env, c.get("caller").companyId, c.req.valid("json"));
  return c.json(serializePartner(partner), 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  return c.json(
    serializePartner(await getPartner(c.env, c.get("caller").companyId, c.req.valid("param").partner_id)),
    200,
  );
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const partner = await updatePartner(
    c.env,
    c.get("caller").companyId,
    c.req.valid("param").partner_id,
    c.req.valid("json"),
  );
  return c.json(serializePartner(partner), 200);
};

export const links: AdminHandler<typeof routes.links> = async (c) => {
  const { companyId } = c.get("caller");
  const [rows, domains] = await Promise.all([
    listPartnerLinks(c.env, companyId, c.req.valid("param").partner_id),
    listLinkDomains(c.env, companyId),
  ]);
  // Only a verified domain serves links: a URL on a pending claim would answer 404.
  const served = domains.find((domain) => domain.status === "verified");
  const origin = served ? linkOrigin(c.env, served.hostname) : null;
  return c.json(
    listBody(
      rows.map(({ defaultLink, slug }) => ({
        object: "partner_link" as const,
        default_link_id: defaultLink.id,
        position: defaultLink.position,
        title: defaultLink.title,
        slug,
        url: origin ? `${origin}/${slug}` : null,
      })),
    ),
    200,
  );
};
