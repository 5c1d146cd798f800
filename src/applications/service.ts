// Applications to join a group. The group's application form validates them. A group whose
// applications are off is not gated: the applicant joins at once (a partner with links). Otherwise
// the application waits, `pending`, for an admin to approve it (the partner is created then) or
// reject it. Without a group, an application lands in the company's default group (the marketplace
// path). The admin API and the program pages (src/programs) call these functions.
import { and, asc, eq, gt } from "drizzle-orm";
import { getCompany } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { applications } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { LOCKED_APPLICATION_FIELDS, parseSubmission } from "../forms/fields";
import { currentVersion } from "../forms/service";
import { formEnabled, getGroup, isOwnGroup } from "../groups/service";
import type { ApplicationStatus } from "../lib/constants";
import { ApiError, problems } from "../lib/errors";
import { newId } from "../lib/ids";
import { PROBLEMS } from "../lib/problems";
import { createPartner, findActivePartnerByEmail } from "../partners/service";

export type Application = typeof applications.$inferSelect;

/** How long an approval in progress holds its application before another may try (a crashed one). */
const CLAIM_MS = 60_000;
/** A partner's first and last name are at most this long (the partners API's rule). */
const NAME_LENGTH = 100;

/** An application, as the API's SubmitApplication schema (or a public page) hands it over. */
export interface ApplicationInput {
  /** The company's default group when absent (marketplace applications). */
  groupId?: string;
  /** Checked against the group's application form here. */
  values: unknown;
  /**
   * A join form (the program page of a group whose applications are off): only the fields a partner
   * is made of (`first_name`, `last_name`, `email`) are asked, so only they are checked. A gated
   * group still checks its whole form.
   */
  join?: boolean;
}

/**
 * Validates an application against the group's current application form and records it. Not gated:
 * the partner is created in the group (with links) and the application is `approved`. Gated: it is
 * `pending`. An email that is already an active partner's, or already pending, is a 409.
 */
export async function submitApplication(env: Stores, companyId: string, input: ApplicationInput) {
  const groupId = input.groupId ?? (await getCompany(env, companyId)).defaultGroupId;
  if (!groupId) throw new ApiError(PROBLEMS.noGroup, "The company has no group to apply to yet.");
  const group = await liveGroup(env, companyId, groupId);
  const version = await currentVersion(env, companyId, groupId, "application");
  const gated = formEnabled(group, "application");
  const asked =
    input.join && !gated
      ? version.fields.filter((field) => Object.hasOwn(LOCKED_APPLICATION_FIELDS, field.key))
      : version.fields;
  const values = parseSubmission(asked, input.values);
  const email = String(values.email);
  await assertNotAPartner(env, companyId, email);

  const now = Date.now();
  const id = newId("application", now);
  try {
    await database(env.DB)
      .insert(applications)
      .values({
        id,
        companyId,
        groupId,
        formVersionId: version.id,
        email,
        values,
        status: "pending",
        gated,
        // Not gated: this request approves it at once, and holds it meanwhile.
        claimedAt: gated ? null : now,
        createdAt: now,
        updatedAt: now,
      });
  } catch (error) {
    if (isUniqueViolation(error, "applications.company_id")) throw alreadyPending(email);
    throw error;
  }
  if (gated) return getApplication(env, companyId, id);
  try {
    return await createApplicant(env, companyId, id, groupId, null);
  } catch (error) {
    // The partner could not be created: the submission leaves nothing behind.
    await database(env.DB).delete(applications).where(eq(applications.id, id));
    throw error;
  }
}

export async function getApplication(env: Stores, companyId: string, applicationId: string) {
  const application = await database(env.DB).query.applications.findFirst({
    where: and(eq(applications.id, applicationId), eq(applications.companyId, companyId)),
  });
  if (!application) throw problems.notFound("application", applicationId);
  return application;
}

export async function listApplications(
  env: Stores,
  companyId: string,
  options: { limit: number; startingAfter?: string; status?: ApplicationStatus; groupId?: string },
) {
  if (options.groupId && !(await isOwnGroup(env, companyId, options.groupId)))
    throw problems.validation([{ field: "groupId", message: "no group with this id in your company" }]);
  if (options.startingAfter !== undefined) {
    const after = await getApplication(env, companyId, options.startingAfter).catch(() => null);
    if (!after)
      throw problems.validation([{ field: "startingAfter", message: "no application with this id in your company" }]);
  }
  const rows = await database(env.DB)
    .select()
    .from(applications)
    .where(
      and(
        eq(applications.companyId, companyId),
        options.status ? eq(applications.status, options.status) : undefined,
        options.groupId ? eq(applications.groupId, options.groupId) : undefined,
        options.startingAfter ? gt(applications.id, options.startingAfter) : undefined,
      ),
    )
    .orderBy(asc(applications.id))
    .limit(options.limit + 1);
  return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}

/**
 * Approves a pending application: the applicant becomes a partner (with links) in the application's
 * group, or in `groupId` when the admin places them elsewhere.
 */
export async function approveApplication(
  env: Stores,
  companyId: string,
  applicationId: string,
  input: { groupId?: string },
  actor: string,
) {
  const application = await getApplication(env, companyId, applicationId);
  assertPending(application);
  const groupId = input.groupId ?? application.groupId;
  await liveGroup(env, companyId, groupId);
  await assertNotAPartner(env, companyId, application.email);
  const now = Date.now();
  const claimed = await env.DB.prepare(
    `UPDATE applications SET claimed_at = ?1
     WHERE id = ?2 AND company_id = ?3 AND status = 'pending' AND (claimed_at IS NULL OR claimed_at < ?4)`,
  )
    .bind(now, applicationId, companyId, now - CLAIM_MS)
    .run();
  if (claimed.meta.changes === 0) throw notPending(await getApplication(env, companyId, applicationId));
  try {
    return await createApplicant(env, companyId, applicationId, groupId, actor);
  } catch (error) {
    // Left pending, as it was, for another try (or a rejection).
    await env.DB.prepare("UPDATE applications SET claimed_at = NULL WHERE id = ?1 AND claimed_at = ?2")
      .bind(applicationId, now)
      .run();
    throw error;
  }
}

/** Rejects a pending application, with an optional reason kept on it. */
export async function rejectApplication(
  env: Stores,
  companyId: string,
  applicationId: string,
  input: { reason?: string | null },
  actor: string,
) {
  const application = await getApplication(env, companyId, applicationId);
  assertPending(application);
  const now = Date.now();
  const rejected = await env.DB.prepare(
    `UPDATE applications SET status = 'rejected', rejection_reason = ?1, decided_by = ?2, decided_at = ?3,
       updated_at = ?3
     WHERE id = ?4 AND company_id = ?5 AND status = 'pending' AND (claimed_at IS NULL OR claimed_at < ?6)`,
  )
    .bind(input.reason ?? null, actor, now, applicationId, companyId, now - CLAIM_MS)
    .run();
  if (rejected.meta.changes === 0) throw notPending(await getApplication(env, companyId, applicationId));
  return getApplication(env, companyId, applicationId);
}

/** The partner from a claimed application's locked fields, then the application approved with it. */
async function createApplicant(
  env: Stores,
  companyId: string,
  applicationId: string,
  groupId: string,
  actor: string | null,
) {
  const application = await getApplication(env, companyId, applicationId);
  const values = application.values as { first_name: string; last_name: string };
  const partner = await createPartner(env, companyId, {
    email: application.email,
    firstName: values.first_name.slice(0, NAME_LENGTH),
    lastName: values.last_name.slice(0, NAME_LENGTH),
    groupId,
  });
  const now = Date.now();
  await database(env.DB)
    .update(applications)
    .set({
      status: "approved",
      partnerId: partner.id,
      groupId,
      decidedBy: actor,
      decidedAt: now,
      claimedAt: null,
      updatedAt: now,
    })
    .where(eq(applications.id, applicationId));
  return getApplication(env, companyId, applicationId);
}

/** A group of the company that is not archived (named as the request's `group_id`). */
async function liveGroup(env: Stores, companyId: string, groupId: string) {
  const group = await getGroup(env, companyId, groupId).catch(() => null);
  if (!group) throw problems.validation([{ field: "group_id", message: `no group with id '${groupId}'` }]);
  if (group.archivedAt) throw problems.validation([{ field: "group_id", message: "the group is archived" }]);
  return group;
}

async function assertNotAPartner(env: Stores, companyId: string, email: string) {
  if (await findActivePartnerByEmail(env, companyId, email)) {
    throw new ApiError(PROBLEMS.partnerExists, `'${email}' is already a partner of this program.`, [
      { field: "values.email", message: "is already a partner's email", verbatim: true },
    ]);
  }
}

function assertPending(application: Application) {
  if (application.status !== "pending") throw notPending(application);
}

function notPending(application: Application) {
  const state = application.status === "pending" ? "being approved right now" : application.status;
  return new ApiError(PROBLEMS.applicationDecided, `The application is ${state}; only a pending one can be decided.`);
}

function alreadyPending(email: string) {
  return new ApiError(PROBLEMS.applicationPending, `An application from '${email}' is already pending.`, [
    { field: "values.email", message: "already has a pending application", verbatim: true },
  ]);
}
