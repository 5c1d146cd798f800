// Leads: partners submit them (partner API) for the company to qualify and close. Only the company
// moves a lead between its pipeline's stages, each move recorded; a partner can never change a lead
// once submitted (the partner API has no operation that would).
import type { StorageEnv as Stores } from "../env";
import type { PartnerActor } from "../partner-credentials/service";
import { getPartner } from "../partners/service";
import { createEntry, type EntryFilter, getEntry, listEntries, moveEntry } from "../pipelines/service";

/** A partner submits a lead to its current group (the group's lead submission must be on). */
export async function submitLead(env: Stores, caller: PartnerActor, values: unknown) {
  const partner = await getPartner(env, caller.companyId, caller.partnerId);
  return createEntry(
    env,
    "lead",
    caller.companyId,
    { groupId: partner.groupId, partnerId: partner.id, values },
    { kind: "partner", id: partner.id },
  );
}

/** A lead of the company; with `partnerId`, only that partner's own (a 404 otherwise). */
export function getLead(env: Stores, companyId: string, leadId: string, partnerId?: string) {
  return getEntry(env, "lead", companyId, leadId, partnerId);
}

export function listLeads(env: Stores, companyId: string, filter: EntryFilter, scopePartnerId?: string) {
  return listEntries(env, "lead", companyId, filter, scopePartnerId);
}

/** The company moves a lead to another stage of its pipeline; the move is recorded with the API key. */
export async function moveLead(env: Stores, companyId: string, leadId: string, stageId: string, apiKeyId: string) {
  return (await moveEntry(env, "lead", companyId, leadId, stageId, { kind: "company", id: apiKeyId })).entry;
}
