// Form builder: a group's application, lead and deal forms. Every edit (title, description, fields)
// and every reset writes a new version; submissions keep the version they were made with, so they
// stay readable with their own fields. Turning a form on is gated by the plan (the group's flags).
import { and, eq, inArray } from "drizzle-orm";
import { database, isUniqueViolation } from "../db/client";
import { forms, formVersions } from "../db/schema";
import type { StorageEnv as Stores } from "../env";
import { formEnabled, getGroup, setFormEnabledStatement } from "../groups/service";
import { problems } from "../lib/errors";
import { newId, sqlId } from "../lib/ids";
import {
  DEFAULT_FORMS,
  type FormContent,
  type FormFieldDefinition,
  type FormKind,
  formFieldProblems,
  keyFromLabel,
  LOCKED_APPLICATION_FIELDS,
  SELECT_TYPES,
} from "./fields";

export type FormVersion = typeof formVersions.$inferSelect;
type Group = Awaited<ReturnType<typeof getGroup>>;

/** A field as the builder sends it: without a key, one is made from the label (and then kept). */
export interface FieldInput extends Omit<FormFieldDefinition, "key"> {
  key?: string;
}

/** Changes to a form, as validated by the API's UpdateForm schema; absent fields stay. */
export interface FormChanges {
  enabled?: boolean;
  title?: string;
  description?: string;
  /** The whole ordered list: fields left out are removed, their order is the new order. */
  fields?: FieldInput[];
}

/** Changes to one field (its key never changes); `position` (1-based) moves it. */
export interface FieldChanges extends Partial<Omit<FormFieldDefinition, "key">> {
  position?: number;
}

export interface FormView {
  group: Group;
  kind: FormKind;
  enabled: boolean;
  version: FormVersion;
}

/** The group's form of `kind` as it is now: its current version and whether it is on. */
export async function getForm(env: Stores, companyId: string, groupId: string, kind: FormKind): Promise<FormView> {
  const group = await getGroup(env, companyId, groupId);
  return {
    group,
    kind,
    enabled: formEnabled(group, kind),
    version: await currentVersion(env, companyId, groupId, kind),
  };
}

/** The current version of a group's form (every group has one per kind from its creation). */
export async function currentVersion(env: Stores, companyId: string, groupId: string, kind: FormKind) {
  const [row] = await database(env.DB)
    .select({ version: formVersions })
    .from(forms)
    .innerJoin(
      formVersions,
      and(
        eq(formVersions.groupId, forms.groupId),
        eq(formVersions.kind, forms.kind),
        eq(formVersions.version, forms.currentVersion),
      ),
    )
    .where(and(eq(forms.groupId, groupId), eq(forms.kind, kind), eq(forms.companyId, companyId)));
  if (!row) throw problems.notFound(`${kind} form of group`, groupId);
  return row.version;
}

/** A stored version by id (what a submission was made with). */
export async function formVersionById(env: Stores, companyId: string, versionId: string) {
  const version = await database(env.DB).query.formVersions.findFirst({
    where: and(eq(formVersions.id, versionId), eq(formVersions.companyId, companyId)),
  });
  if (!version) throw problems.notFound("form version", versionId);
  return version;
}

/** The versions with these ids, by id (for pages of submissions). */
export async function formVersionsByIds(env: Stores, companyId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  const found = new Map<string, FormVersion>();
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await database(env.DB)
      .select()
      .from(formVersions)
      .where(and(eq(formVersions.companyId, companyId), inArray(formVersions.id, unique.slice(i, i + 90))));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** The deal form's final-stage rules (pipelines use them). */
export async function formSettings(env: Stores, companyId: string, groupId: string, kind: FormKind) {
  const form = await database(env.DB).query.forms.findFirst({
    where: and(eq(forms.groupId, groupId), eq(forms.kind, kind), eq(forms.companyId, companyId)),
  });
  if (!form) throw problems.notFound(`${kind} form of group`, groupId);
  return form;
}

/** The statement that changes the deal form's final-stage rules (for the pipelines service's batch). */
export function finalStageSettingsStatement(
  env: Stores,
  companyId: string,
  groupId: string,
  settings: { finalStageMovers?: "company" | "partners"; closingCreatesCustomer?: boolean },
) {
  return env.DB.prepare(
    `UPDATE forms SET final_stage_movers = coalesce(?1, final_stage_movers),
       closing_creates_customer = coalesce(?2, closing_creates_customer), updated_at = ?3
     WHERE group_id = ?4 AND kind = 'deal' AND company_id = ?5`,
  ).bind(
    settings.finalStageMovers ?? null,
    settings.closingCreatesCustomer === undefined ? null : settings.closingCreatesCustomer ? 1 : 0,
    Date.now(),
    groupId,
    companyId,
  );
}

/**
 * Edits a form: turns it on or off (plan-gated: a 403 before anything is written) and, when the
 * title, description or fields change, writes the next version. Everything in one batch.
 */
export async function updateForm(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  changes: FormChanges,
  actor: string,
): Promise<FormView> {
  await getGroup(env, companyId, groupId);
  const toggle = (onlyIf?: string) =>
    changes.enabled === undefined
      ? Promise.resolve([])
      : setFormEnabledStatement(env, companyId, groupId, kind, changes.enabled, onlyIf).then((s) => [s]);
  if (changes.title === undefined && changes.description === undefined && changes.fields === undefined) {
    const statements = await toggle();
    if (statements.length) await env.DB.batch(statements);
  } else {
    await writeNextVersion(
      env,
      companyId,
      groupId,
      kind,
      "edit",
      actor,
      (current) => {
        const fields = changes.fields ? withKeys(changes.fields, current.fields) : current.fields;
        return {
          title: changes.title ?? current.title,
          description: changes.description ?? current.description,
          fields,
        };
      },
      toggle,
    );
  }
  return getForm(env, companyId, groupId, kind);
}

/** Adds a field at `position` (1-based; the end when absent) in a new version. */
export async function addField(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  input: FieldInput & { position?: number },
  actor: string,
): Promise<FormView> {
  return editFields(env, companyId, groupId, kind, actor, (current) => {
    const { position, ...field } = input;
    if (field.key !== undefined && current.some((f) => f.key === field.key))
      throw problems.validation([{ field: "key", message: `the form already has a field '${field.key}'` }]);
    const [added] = withKeys([field], current);
    const fields = [...current];
    const at = position === undefined ? fields.length : Math.min(position - 1, fields.length);
    fields.splice(at, 0, added!);
    return { fields, at };
  });
}

/** Changes one field (its key stays) in a new version. */
export async function updateField(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  key: string,
  changes: FieldChanges,
  actor: string,
): Promise<FormView> {
  return editFields(env, companyId, groupId, kind, actor, (current) => {
    const index = current.findIndex((f) => f.key === key);
    if (index === -1) throw problems.notFound("form field", key);
    const { position, ...given } = changes;
    const rest = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as typeof given;
    const before = current[index]!;
    const type = rest.type ?? before.type;
    // Retyped away from a select: its options go too (unless the change sends some, which is refused).
    const options = rest.options ?? (SELECT_TYPES.includes(type) ? before.options : []);
    const changed: FormFieldDefinition = { ...before, ...rest, options };
    const fields = current.filter((_, i) => i !== index);
    const at = position === undefined ? index : Math.min(position - 1, fields.length);
    fields.splice(at, 0, changed);
    return { fields, at };
  });
}

/** Removes a field in a new version (earlier submissions keep it). */
export async function removeField(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  key: string,
  actor: string,
): Promise<FormView> {
  return editFields(env, companyId, groupId, kind, actor, (current) => {
    if (!current.some((f) => f.key === key)) throw problems.notFound("form field", key);
    if (kind === "application" && LOCKED_APPLICATION_FIELDS[key]) {
      throw problems.validation([
        { field: "field_key", message: `the application form keeps its '${key}' field (it makes the partner)` },
      ]);
    }
    return { fields: current.filter((f) => f.key !== key) };
  });
}

/**
 * One field edit as a new version (title and description stay): `change` answers the new field list
 * and, when it adds or changes a field, where that field now is, so that field's problems are named
 * as the request's own (`options`, not `fields.3.options`). Answers the form as it now is.
 */
async function editFields(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  actor: string,
  change: (current: FormFieldDefinition[]) => { fields: FormFieldDefinition[]; at?: number },
): Promise<FormView> {
  await getGroup(env, companyId, groupId);
  let at: number | undefined;
  await writeNextVersion(
    env,
    companyId,
    groupId,
    kind,
    "edit",
    actor,
    (current) => {
      const next = change(current.fields);
      at = next.at;
      return { ...current, fields: next.fields };
    },
    undefined,
    (problem) => (at === undefined ? problem : ownField(problem, at)),
  );
  return getForm(env, companyId, groupId, kind);
}

/** "Reset form": a new version with the kind's default title, description and fields. */
export async function resetForm(env: Stores, companyId: string, groupId: string, kind: FormKind, actor: string) {
  await getGroup(env, companyId, groupId);
  await writeNextVersion(env, companyId, groupId, kind, "reset", actor, () => structuredClone(DEFAULT_FORMS[kind]));
  return getForm(env, companyId, groupId, kind);
}

/** Keys for fields sent without one: from the label, unique in the form, never reused from `existing`' others. */
function withKeys(inputs: FieldInput[], existing: FormFieldDefinition[]): FormFieldDefinition[] {
  const taken = new Set([...existing.map((f) => f.key), ...inputs.flatMap((f) => (f.key ? [f.key] : []))]);
  return inputs.map((input) => {
    const key = input.key ?? keyFromLabel(input.label, taken);
    taken.add(key);
    return { ...input, key };
  });
}

type FieldProblem = { field: string; message: string };

/** A problem of the one field a request adds or changes, named as that request's own field (`options`). */
function ownField(problem: FieldProblem, index: number): FieldProblem {
  const prefix = `fields.${index}.`;
  return problem.field.startsWith(prefix) ? { ...problem, field: problem.field.slice(prefix.length) } : problem;
}

const MAX_ATTEMPTS = 5;

/**
 * Writes version n+1 from version n through `change`, and makes it current, in one batch that
 * acts only while n is still current: a concurrent edit makes this one start again from the
 * newer version. `extra` adds statements that act only if the version was written.
 */
async function writeNextVersion(
  env: Stores,
  companyId: string,
  groupId: string,
  kind: FormKind,
  origin: "edit" | "reset",
  actor: string,
  change: (current: FormContent) => FormContent,
  extra: (onlyIf: string) => Promise<D1PreparedStatement[]> = async () => [],
  renameField: (problem: FieldProblem) => FieldProblem = (problem) => problem,
) {
  for (let attempt = 0; ; attempt++) {
    const current = await currentVersion(env, companyId, groupId, kind);
    const next = change({ title: current.title, description: current.description, fields: current.fields });
    const fieldProblems = formFieldProblems(kind, next.fields).map(renameField);
    if (fieldProblems.length) throw problems.validation(fieldProblems);
    const now = Date.now();
    const id = newId("formVersion", now);
    const written = `EXISTS (SELECT 1 FROM form_versions WHERE id = ${sqlId(id)})`;
    try {
      const [inserted] = await env.DB.batch([
        env.DB.prepare(
          `INSERT INTO form_versions (id, company_id, group_id, kind, version, title, description, fields, origin,
             created_by, created_at)
           SELECT ?1, ?2, ?3, ?4, ?5 + 1, ?6, ?7, ?8, ?9, ?10, ?11
           WHERE EXISTS (SELECT 1 FROM forms WHERE group_id = ?3 AND kind = ?4 AND current_version = ?5)`,
        ).bind(
          id,
          companyId,
          groupId,
          kind,
          current.version,
          next.title,
          next.description,
          JSON.stringify(next.fields),
          origin,
          actor,
          now,
        ),
        env.DB.prepare(
          `UPDATE forms SET current_version = ?1 + 1, updated_at = ?2
           WHERE group_id = ?3 AND kind = ?4 AND current_version = ?1 AND ${written}`,
        ).bind(current.version, now, groupId, kind),
        ...(await extra(written)),
      ]);
      if (inserted!.meta.changes === 1) return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    if (attempt + 1 >= MAX_ATTEMPTS) throw new Error(`form ${groupId}/${kind}: too many concurrent edits`);
  }
}
