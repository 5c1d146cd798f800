import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import { issueSignInLink } from "./sign-in-links";
import type * as routes from "./sign-in-links.routes";

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const { partner_id } = c.req.valid("param");
  const companyId = c.get("caller").companyId;
  // The portal is served by this worker: the link points at the origin the API was called on.
  const link = await issueSignInLink(c.env, { companyId, partnerId: partner_id }, new URL(c.req.url).origin);
  const body = { object: "sign_in_link" as const, partner_id, url: link.url, expires_at: iso(link.expiresAt)! };
  // The URL is a secret shown once: an Idempotency-Key replay does not show it again.
  c.set("replayBody", { ...body, url: null });
  return c.json(body, 201);
};
