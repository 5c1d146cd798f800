import type { AdminHandler } from "../admin/context";
import { iso, listBody } from "../admin/schemas";
import type { StorageEnv as Stores } from "../env";
import { serializeFormVersion } from "../forms/forms.handlers";
import { type FormVersion, formVersionsByIds } from "../forms/service";
import type * as routes from "./applications.routes";
import {
  type Application,
  approveApplication,
  getApplication,
  listApplications,
  rejectApplication,
  submitApplication,
} from "./service";

export function serializeApplication(application: Application, version: FormVersion) {
  return {
    id: application.id,
    object: "application" as const,
    group_id: application.groupId,
    status: application.status,
    gated: application.gated,
    email: application.email,
    values: application.values,
    form: serializeFormVersion(version),
    partner_id: application.partnerId,
    rejection_reason: application.rejectionReason,
    decided_at: iso(application.decidedAt),
    created_at: iso(application.createdAt)!,
    updated_at: iso(application.updatedAt)!,
  };
}

/** Applications with the form versions they were made with. */
async function serialized(env: Stores, companyId: string, rows: Application[]) {
  const versions = await formVersionsByIds(
    env,
    companyId,
    rows.map((row) => row.formVersionId),
  );
  return rows.map((row) => serializeApplication(row, versions.get(row.formVersionId)!));
}

const one = async (env: Stores, companyId: string, application: Application) =>
  (await serialized(env, companyId, [application]))[0]!;

export const submit: AdminHandler<typeof routes.submit> = async (c) => {
  const { companyId } = c.get("caller");
  const application = await submitApplication(c.env, companyId, c.req.valid("json"));
  return c.json(await one(c.env, companyId, application), 201);
};

export const list: AdminHandler<typeof routes.list> = async (c) => {
  const { companyId } = c.get("caller");
  const { limit, starting_after, status, group_id } = c.req.valid("query");
  const page = await listApplications(c.env, companyId, {
    limit,
    startingAfter: starting_after,
    status,
    groupId: group_id,
  });
  return c.json(listBody(await serialized(c.env, companyId, page.rows), page.hasMore), 200);
};

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { companyId } = c.get("caller");
  const application = await getApplication(c.env, companyId, c.req.valid("param").application_id);
  return c.json(await one(c.env, companyId, application), 200);
};

export const approve: AdminHandler<typeof routes.approve> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const { application_id } = c.req.valid("param");
  const application = await approveApplication(c.env, companyId, application_id, c.req.valid("json"), apiKeyId);
  return c.json(await one(c.env, companyId, application), 200);
};

export const reject: AdminHandler<typeof routes.reject> = async (c) => {
  const { companyId, apiKeyId } = c.get("caller");
  const { application_id } = c.req.valid("param");
  const application = await rejectApplication(c.env, companyId, application_id, c.req.valid("json"), apiKeyId);
  return c.json(await one(c.env, companyId, application), 200);
};
