// The forms and pipelines a new group starts with: statements the groups service batches with the
// group's insert, so a group never exists without them. Imports no other service (groups imports it).

import type { StorageEnv as Stores } from "../env";
import { FORM_KINDS, PIPELINE_KINDS } from "../lib/constants";
import { newId } from "../lib/ids";
import { DEFAULT_FORMS, DEFAULT_STAGES } from "./fields";

/**
 * Statements that give group `groupId` its three forms (version 1 = the default of each kind) and
 * its lead and deal pipelines (the last deal stage is final). Each acts only if the group row
 * exists, so a batch whose group insert wrote nothing (plan limit) writes none of this either.
 */
export function defaultFormStatements(env: Stores, companyId: string, groupId: string, now = Date.now()) {
  const versions = FORM_KINDS.map((kind) => ({
    id: newId("formVersion", now),
    kind,
    title: DEFAULT_FORMS[kind].title,
    description: DEFAULT_FORMS[kind].description,
    fields: JSON.stringify(DEFAULT_FORMS[kind].fields),
  }));
  const stages = PIPELINE_KINDS.flatMap((kind) =>
    DEFAULT_STAGES[kind].map((name, index, all) => ({
      id: newId("stage", now),
      kind,
      name,
      position: index + 1,
      isFinal: kind === "deal" && index === all.length - 1 ? 1 : 0,
    })),
  );
  const groupExists = "EXISTS (SELECT 1 FROM groups WHERE id = ?2 AND company_id = ?1)";
  return [
    env.DB.prepare(
      `INSERT INTO forms (company_id, group_id, kind, current_version, updated_at)
       SELECT ?1, ?2, value, 1, ?3 FROM json_each(?4) WHERE ${groupExists}`,
    ).bind(companyId, groupId, now, JSON.stringify(FORM_KINDS)),
    env.DB.prepare(
      `INSERT INTO form_versions (id, company_id, group_id, kind, version, title, description, fields, origin,
         created_at)
       SELECT json_extract(value, '$.id'), ?1, ?2, json_extract(value, '$.kind'), 1,
              json_extract(value, '$.title'), json_extract(value, '$.description'),
              json_extract(value, '$.fields'), 'default', ?3
       FROM json_each(?4) WHERE ${groupExists}`,
    ).bind(companyId, groupId, now, JSON.stringify(versions)),
    env.DB.prepare(
      `INSERT INTO pipeline_stages (id, company_id, group_id, kind, name, position, is_final, created_at, updated_at)
       SELECT json_extract(value, '$.id'), ?1, ?2, json_extract(value, '$.kind'), json_extract(value, '$.name'),
              json_extract(value, '$.position'), json_extract(value, '$.isFinal'), ?3, ?3
       FROM json_each(?4) WHERE ${groupExists}`,
    ).bind(companyId, groupId, now, JSON.stringify(stages)),
  ];
}
