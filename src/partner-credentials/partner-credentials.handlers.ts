import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type * as routes from "./partner-credentials.routes";
import {
  createPartnerCredential,
  listPartnerCredentials,
  type PartnerCredential,
  revokePartnerCredential,
} from "./service";

export function serializeCredential(credential: PartnerCredential) {
  return {
    id: credential.id,
    object: "partner_credential" as const,
    partner_id: credential.partnerId,
    name: credential.name,
    prefix: credential.prefix,
    created_at: iso(credential.createdAt)!,
    revoked_at: iso(credential.revokedAt),
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const rows = await listPartnerCredentials(c.env, c.get("caller").companyId, c.req.valid("param").partner_id);
  return c.json(listBody(rows.map(serializeCredential)), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const { partner_id } = c.req.valid("param");
  const credential = await createPartnerCredential(
    c.env,
    c.get("caller").companyId,
    partner_id,
    c.req.valid("json").name,
  );
  // The secret is shown once and never stored, not even for an Idempotency-Key replay.
  c.set("replayBody", { ...serializeCredential(credential), secret: null });
  return c.json({ ...serializeCredential(credential), secret: credential.secret }, 201);
};

export const revoke: AdminHandler<typeof routes.revoke> = async (c) => {
  const { partner_id, credential_id } = c.req.valid("param");
  const credential = await revokePartnerCredential(c.env, c.get("caller").companyId, partner_id, credential_id);
  return c.json(serializeCredential(credential), 200);
};
