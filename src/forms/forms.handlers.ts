import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import type { FormFieldDefinition } from "./fields";
import type * as routes from "./forms.routes";
import {
  addField,
  type FormVersion,
  type FormView,
  getForm,
  removeField,
  resetForm,
  updateField,
  updateForm,
} from "./service";

export function serializeField(field: FormFieldDefinition) {
  return {
    key: field.key,
    label: field.label,
    type: field.type,
    required: field.required,
    options: field.options,
    help_text: field.helpText,
    placeholder: field.placeholder,
  };
}

/** A version as submissions show it: the fields they were made with. */
export function serializeFormVersion(version: FormVersion) {
  return {
    version: version.version,
    title: version.title,
    description: version.description,
    fields: version.fields.map(serializeField),
  };
}

export function serializeForm(form: FormView) {
  return {
    object: "form" as const,
    group_id: form.group.id,
    kind: form.kind,
    enabled: form.enabled,
    ...serializeFormVersion(form.version),
    updated_at: iso(Math.max(form.version.createdAt, form.group.updatedAt))!,
  };
}

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const { group_id, kind } = c.req.valid("param");
  return c.json(serializeForm(await getForm(c.env, c.get("caller").companyId, group_id, kind)), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const { group_id, kind } = c.req.valid("param");
  const { companyId, apiKeyId } = c.get("caller");
  return c.json(serializeForm(await updateForm(c.env, companyId, group_id, kind, c.req.valid("json"), apiKeyId)), 200);
};

export const add: AdminHandler<typeof routes.addField> = async (c) => {
  const { group_id, kind } = c.req.valid("param");
  const { companyId, apiKeyId } = c.get("caller");
  return c.json(serializeForm(await addField(c.env, companyId, group_id, kind, c.req.valid("json"), apiKeyId)), 201);
};

export const change: AdminHandler<typeof routes.updateField> = async (c) => {
  const { group_id, kind, field_key } = c.req.valid("param");
  const { companyId, apiKeyId } = c.get("caller");
  const form = await updateField(c.env, companyId, group_id, kind, field_key, c.req.valid("json"), apiKeyId);
  return c.json(serializeForm(form), 200);
};

export const remove: AdminHandler<typeof routes.removeField> = async (c) => {
  const { group_id, kind, field_key } = c.req.valid("param");
  const { companyId, apiKeyId } = c.get("caller");
  return c.json(serializeForm(await removeField(c.env, companyId, group_id, kind, field_key, apiKeyId)), 200);
};

export const reset: AdminHandler<typeof routes.reset> = async (c) => {
  const { group_id, kind } = c.req.valid("param");
  const { companyId, apiKeyId } = c.get("caller");
  return c.json(serializeForm(await resetForm(c.env, companyId, group_id, kind, apiKeyId)), 200);
};
