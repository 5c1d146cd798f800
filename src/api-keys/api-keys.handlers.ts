import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { apiKeys } from "../db/schema";
import type * as routes from "./api-keys.routes";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

type ApiKey = typeof apiKeys.$inferSelect;

export function serializeApiKey(key: ApiKey) {
  return {
    id: key.id,
    object: "api_key" as const,
    name: key.name,
    prefix: key.prefix,
    created_at: iso(key.createdAt)!,
    revoked_at: iso(key.revokedAt),
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const keys = await listApiKeys(c.env, c.get("caller").companyId);
  return c.json(listBody(keys.map(serializeApiKey)), 200);
};

export const create: AdminHandler<typeof routes.create> = async (c) => {
  const key = await createApiKey(c.env, c.get("caller").companyId, c.req.valid("json"));
  // The secret is shown once and never stored, not even for an Idempotency-Key replay.
  c.set("replayBody", { ...serializeApiKey(key), secret: null });
  return c.json({ ...serializeApiKey(key), secret: key.secret }, 201);
};

export const revoke: AdminHandler<typeof routes.revoke> = async (c) => {
  return c.json(
    serializeApiKey(await revokeApiKey(c.env, c.get("caller").companyId, c.req.valid("param").key_id)),
    200,
  );
};
