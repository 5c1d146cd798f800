import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { AdminEnv } from "../env";
import type * as routes from "./link-domains.routes";
import {
  challengeName,
  claimLinkDomain,
  getLinkDomain,
  type LinkDomain,
  listLinkDomains,
  removeLinkDomain,
  type VerificationCheck,
  verifyLinkDomain,
} from "./service";

export function serializeLinkDomain(domain: LinkDomain) {
  return {
    id: domain.id,
    object: "link_domain" as const,
    hostname: domain.hostname,
    cookie_domain: domain.cookieDomain,
    status: domain.status,
    verification: { type: "TXT" as const, name: challengeName(domain.hostname), value: domain.verificationToken },
    verified_at: iso(domain.verifiedAt),
    last_checked_at: iso(domain.lastCheckedAt),
    created_at: iso(domain.createdAt)!,
  };
}

function serializeCheck(check: VerificationCheck) {
  const { checkedAt, ...rest } = check;
  return { ...rest, checked_at: iso(checkedAt)! };
}

/** Local hostnames verify themselves only where this is set: `wrangler dev` via npm start, and tests. */
export const allowsLocalHosts = (env: AdminEnv) => env.ALLOW_LOCAL_HOST_VERIFICATION === "true";

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const domains = await listLinkDomains(c.env, c.get("caller").companyId);
  return c.json(listBody(domains.map(serializeLinkDomain)), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const policy = { allowLocalHosts: allowsLocalHosts(c.env) };
  const domain = await claimLinkDomain(c.env, c.get("caller").companyId, c.req.valid("json"), policy);
  return c.json(serializeLinkDomain(domain), 201);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const domain = await getLinkDomain(c.env, c.get("caller").companyId, c.req.valid("param").domain_id);
  return c.json(serializeLinkDomain(domain), 200);
};

export const verify: AdminHandler<typeof routes.verify> = async (c) => {
  const { domain, check } = await verifyLinkDomain(c.env, c.get("caller").companyId, c.req.valid("param").domain_id, {
    resolveTxt: c.get("resolveTxt"),
    allowLocalHosts: allowsLocalHosts(c.env),
  });
  return c.json({ ...serializeLinkDomain(domain), check: check && serializeCheck(check) }, 200);
};

export const remove: AdminHandler<typeof routes.remove> = async (c) => {
  const { domain_id } = c.req.valid("param");
  await removeLinkDomain(c.env, c.get("caller").companyId, domain_id);
  return c.json({ id: domain_id, object: "link_domain" as const, deleted: true as const }, 200);
};
