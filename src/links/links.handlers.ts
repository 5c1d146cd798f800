import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { defaultLinks } from "../db/schema";
import type * as routes from "./links.routes";
import { createDefaultLink, deleteDefaultLink, getDefaultLink, listDefaultLinks, updateDefaultLink } from "./service";
import { fromUtmParams } from "./utm";

type DefaultLink = typeof defaultLinks.$inferSelect;

export function serializeDefaultLink(link: DefaultLink) {
  return {
    id: link.id,
    object: "default_link" as const,
    group_id: link.groupId,
    position: link.position,
    is_original: link.position === 1,
    title: link.title,
    description: link.description,
    destination_url: link.destinationUrl,
    ...fromUtmParams(link.utmParams),
    lock_utms: link.lockUtms,
    link_text: link.linkText,
    created_at: iso(link.createdAt)!,
    updated_at: iso(link.updatedAt)!,
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const links = await listDefaultLinks(c.env, c.get("caller").companyId, c.req.valid("param").group_id);
  return c.json(listBody(links.map(serializeDefaultLink)), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const link = await createDefaultLink(
    c.env,
    c.get("caller").companyId,
    c.req.valid("param").group_id,
    c.req.valid("json"),
  );
  return c.json(serializeDefaultLink(link), 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  return c.json(
    serializeDefaultLink(await getDefaultLink(c.env, c.get("caller").companyId, c.req.valid("param").link_id)),
    200,
  );
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const link = await updateDefaultLink(
    c.env,
    c.get("caller").companyId,
    c.req.valid("param").link_id,
    c.req.valid("json"),
  );
  return c.json(serializeDefaultLink(link), 200);
};

export const remove: AdminHandler<typeof routes.remove> = async (c) => {
  const { link_id } = c.req.valid("param");
  await deleteDefaultLink(c.env, c.get("caller").companyId, link_id);
  return c.json({ id: link_id, object: "default_link" as const, deleted: true as const }, 200);
};
