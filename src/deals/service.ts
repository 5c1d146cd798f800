// Deals: registered by partners (partner API) or by the company for a partner (admin API). A deal is
// open until it enters its pipeline's final stage; partners may edit their own open deals and move
// them, but into the final stage only if the deal form allows partners to. Closing can create a
// customer attributed to the deal's partner and group (a signup in the group's stats, and for the
// group's offers), in the batch of the move that closes the deal.

import { isUniqueViolation } from "../db/client";
import type { StorageEnv as Stores } from "../env";
import type { FormFieldDefinition } from "../forms/fields";
import { formSettings, formVersionById } from "../forms/service";
import { dealCustomerStatement } from "../ingest/service";
import { ApiError, problems } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import type { PartnerActor } from "../partner-credentials/service";
import { getPartner } from "../partners/service";
import {
  type Actor,
  createEntry,
  type EntryFilter,
  getEntry,
  listEntries,
  moveEntry,
  type PipelineEntry,
  updateEntryValues,
} from "../pipelines/service";
import { signupRewardStatementsWith } from "../rewards/ingest";

/** A partner registers a deal in its current group (the group's deal registration must be on). */
export async function registerDeal(env: Stores, caller: PartnerActor, values: unknown) {
  const partner = await getPartner(env, caller.companyId, caller.partnerId);
  return createEntry(
    env,
    "deal",
    caller.companyId,
    { groupId: partner.groupId, partnerId: partner.id, values },
    { kind: "partner", id: partner.id },
  );
}

/** The company registers a deal for one of its active partners, in the partner's current group. */
export async function registerDealForPartner(
  env: Stores,
  companyId: string,
  input: { partnerId: string; values: unknown },
  apiKeyId: string,
) {
  const partner = await getPartner(env, companyId, input.partnerId).catch(() => null);
  if (!partner)
    throw problems.validation([{ field: "partner_id", message: "no partner with this id in your company" }]);
  if (partner.status !== "active")
    throw problems.validation([{ field: "partner_id", message: "the partner is archived" }]);
  return createEntry(
    env,
    "deal",
    companyId,
    { groupId: partner.groupId, partnerId: partner.id, values: input.values },
    { kind: "company", id: apiKeyId },
  );
}

export function getDeal(env: Stores, companyId: string, dealId: string, partnerId?: string) {
  return getEntry(env, "deal", companyId, dealId, partnerId);
}

export function listDeals(env: Stores, companyId: string, filter: EntryFilter, scopePartnerId?: string) {
  return listEntries(env, "deal", companyId, filter, scopePartnerId);
}

/** A partner edits its own open deal: the given values replace theirs, checked by the deal's form version. */
export async function updateOwnDeal(
  env: Stores,
  caller: PartnerActor,
  dealId: string,
  values: Record<string, unknown>,
) {
  const deal = await getDeal(env, caller.companyId, dealId, caller.partnerId);
  assertOpen(deal);
  // Closed meanwhile: nothing is written.
  if (!(await updateEntryValues(env, "deal", caller.companyId, deal, values, "closed_at IS NULL")))
    assertOpen(await getDeal(env, caller.companyId, dealId));
  return getDeal(env, caller.companyId, dealId);
}

export interface DealMove {
  stageId: string;
  /** The key of the customer closing creates (the company's own id for it); `deal:<deal id>` by default. */
  customerKey?: string;
}

/**
 * Moves a deal. A closed deal does not move. Into the final stage: a partner only if the deal form
 * lets partners; closing writes `closed_at` and, if the form says so, creates the customer and the
 * rewards of its signup — all in the move's batch, with the rewards of the deal closing (pipelines).
 */
export async function moveDeal(env: Stores, companyId: string, dealId: string, move: DealMove, actor: Actor) {
  const partnerId = actor.kind === "partner" ? actor.id : undefined;
  const deal = await getDeal(env, companyId, dealId, partnerId);
  const settings = await formSettings(env, companyId, deal.groupId, "deal");
  const { fields } = await formVersionById(env, companyId, deal.formVersionId);
  let result: Awaited<ReturnType<typeof moveEntry>>;
  try {
    result = await moveEntry(env, "deal", companyId, dealId, move.stageId, actor, {
      partnerId,
      check: (entry, target) => {
        assertOpen(entry);
        if (target.isFinal && actor.kind === "partner" && settings.finalStageMovers === "company") {
          throw new ApiError(
            PROBLEMS.finalStageCompanyOnly,
            `Only the company moves deals into '${target.name}', the final stage.`,
          );
        }
      },
      extras: (entry, target) => (written, _moveId, now, rules) => {
        if (!target.isFinal || !settings.closingCreatesCustomer) return [];
        const customer = dealCustomerStatement(
          env,
          companyId,
          {
            dealId: entry.id,
            customerKey: move.customerKey ?? `deal:${entry.id}`,
            ...contactOf(entry, fields),
            partnerId: entry.partnerId,
            groupId: entry.groupId,
          },
          written,
          now,
        );
        return [
          customer.statement,
          env.DB.prepare(`UPDATE deals SET customer_id = ?1 WHERE id = ?2 AND ${written}`).bind(customer.id, entry.id),
          // The new customer is a signup of the deal's group: its offers' signup triggers fire.
          ...signupRewardStatementsWith(env.DB, rules, {
            companyId,
            groupId: entry.groupId,
            customerId: customer.id,
            at: now,
          }),
        ];
      },
    });
  } catch (error) {
    if (isUniqueViolation(error, "customers")) {
      throw new ApiError(
        PROBLEMS.customerExists,
        `A customer with key '${move.customerKey ?? `deal:${dealId}`}' already exists; the deal was not moved.`,
        [{ field: "customer_key", message: "is already a customer's key" }],
      );
    }
    throw error;
  }
  return result.entry;
}

/** The customer's email and name from the deal's values: its first email field, its company or contact name. */
function contactOf(deal: PipelineEntry, fields: FormFieldDefinition[]) {
  const values = deal.values;
  const text = (key: string | undefined) => (key && typeof values[key] === "string" ? (values[key] as string) : null);
  const email = text(fields.find((f) => f.type === "email" && typeof values[f.key] === "string")?.key);
  const name =
    text("company_name") ?? text("contact_name") ?? text(fields.find((f) => f.type === "text" && values[f.key])?.key);
  return { email, name: name?.slice(0, 200) ?? null };
}

function assertOpen(deal: PipelineEntry) {
  if (deal.closedAt !== null) {
    throw new ApiError(PROBLEMS.dealClosed, "The deal is closed (in its final stage): it can no longer change.");
  }
}
