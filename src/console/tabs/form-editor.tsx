// The form editor of the Lead submission, Deal registration and Application tabs: the switch that
// turns the form on or off (plan-gated), its title and description, its ordered fields (add, edit,
// move up or down, remove) and "Reset form" (a confirmation page, then a POST). Every change goes
// through the forms service with the API's own schemas (PATCH/POST/DELETE /v1/groups/{id}/forms/…),
// so each edit is a new version of the form and submissions keep the version they were made with.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import { DEFAULT_FORMS, type FormFieldDefinition, type FormKind, LOCKED_APPLICATION_FIELDS } from "../../forms/fields";
import { AddFieldBody, UpdateFieldBody, UpdateFormBody } from "../../forms/forms.routes";
import { addField, type FormView, getForm, removeField, resetForm, updateField, updateForm } from "../../forms/service";
import { FORM_FEATURES } from "../../groups/service";
import { FIELD_TYPES, type FieldType } from "../../lib/constants";
import { type FieldError, problems } from "../../lib/errors";
import { featureRefusal, plansWith } from "../../plans/plans";
import { csrfToken } from "../../web/csrf";
import { CheckboxField, errorOf, PostForm, SelectField, TextAreaField, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { userCanWrite } from "../auth";
import { checkWith } from "../form-errors";
import { groupOf, renderGroupTab } from "../group-page";
import { forbiddenPage } from "../pages";
import {
  ButtonError,
  buttonFor,
  type ErrorShowingTab,
  type Group,
  numberOf,
  postedTo,
  refusalOn,
  reword,
  TabSection,
  type TabState,
  tabBase,
  tabRoute,
} from "./form-tab-kit";

/** A tab whose form this editor edits. */
export interface FormTab extends ErrorShowingTab {
  kind: FormKind;
}

/** How each kind's form is spoken of. */
export const FORM_WORDS: Record<
  FormKind,
  {
    form: string;
    entries: string;
    /** "Lead submission is": before "included in the … plan". */
    featureIs: string;
    on: string;
    off: string;
    turnOn: string;
    turnOff: string;
  }
> = {
  lead: {
    form: "lead form",
    entries: "leads",
    featureIs: "Lead submission is",
    on: "Lead submission is on: partners can submit leads with the form below.",
    off: "Lead submission is off: partners cannot submit leads.",
    turnOn: "Turn on lead submission",
    turnOff: "Turn off lead submission",
  },
  deal: {
    form: "deal form",
    entries: "deals",
    featureIs: "Deal registration is",
    on: "Deal registration is on: partners can register deals with the form below.",
    off: "Deal registration is off: partners cannot register deals.",
    turnOn: "Turn on deal registration",
    turnOff: "Turn off deal registration",
  },
  application: {
    form: "application form",
    entries: "applications",
    featureIs: "Application forms are",
    on: "Applications are on: the group is gated. Applicants fill in the form below and wait for your approval.",
    off: "Applications are off. Disabled means the group is not gated: partners who apply join directly.",
    turnOn: "Turn on applications",
    turnOff: "Turn off applications",
  },
};

export const TYPE_LABELS: Record<FieldType, string> = {
  text: "Text (one line)",
  email: "Email address",
  url: "Web address (URL)",
  phone: "Phone number",
  number: "Number",
  textarea: "Text (several lines)",
  select: "Choice (one of a list)",
  "multi-select": "Choices (any of a list)",
  checkbox: "Checkbox (yes or no)",
  date: "Date",
};

const FIELD_LABELS: Record<string, string> = {
  label: "Label",
  type: "Type",
  required: "Required",
  options: "Options",
  help_text: "Help text",
  placeholder: "Placeholder",
  key: "Key",
  title: "Title",
  description: "Description",
  position: "Position",
};
const FIELD_INPUTS = ["label", "type", "required", "options", "help_text", "placeholder", "key"] as const;

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const isLocked = (kind: FormKind, key: string) =>
  kind === "application" && Object.hasOwn(LOCKED_APPLICATION_FIELDS, key);
/** The options textarea: one choice per line, blank lines left out. */
const linesOf = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");

/** A field of the editor's form as the API's body: what the add and edit forms post. */
function fieldBody(values: FormValues, locked: boolean) {
  const body: Record<string, unknown> = {
    label: fieldValue(values, "label"),
    help_text: fieldValue(values, "help_text"),
    placeholder: fieldValue(values, "placeholder"),
  };
  // An application's locked field keeps its type and `required`: the form does not offer them.
  if (!locked) {
    body.type = fieldValue(values, "type");
    body.required = fieldValue(values, "required") !== "";
    body.options = linesOf(fieldValue(values, "options"));
  }
  return body;
}

const FIELD_REQUIRED = { label: "Enter a label for the field", type: "Choose the field's type" };

/** The editor's routes under the tab's path (`/groups/:groupId/{slug}/…`). */
export function registerFormEditor(router: Hono<AdminContext>, tab: FormTab) {
  const { slug, kind } = tab;
  const actor = (c: Context<AdminContext>) => c.get("consoleUser").user.id;
  const back = (group: Group, notice: string, anchor: string) =>
    `${tabBase(group.id, slug)}?notice=${notice}#${anchor}`;

  router.post(tabRoute(slug, "/enabled"), async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const body = { enabled: fieldValue(values, "enabled") === "true" };
    const checked = checkWith(UpdateFormBody, body, values, { labels: {} });
    if (!checked.ok) return tab.render(c, group, { errors: checked.errors }, 422);
    try {
      await updateForm(c.env, group.companyId, group.id, kind, checked.data, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, ["enabled"], "enabled", {});
      if (!refusal) throw error;
      return tab.render(c, group, { errors: refusal.errors }, refusal.status);
    }
    return c.redirect(back(group, body.enabled ? "turned-on" : "turned-off", "switch"), 303);
  });

  router.post(tabRoute(slug, "/form"), async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const state = (errors: FieldError[]): TabState => ({ errors, posted: { form: "details", values } });
    const body = { title: fieldValue(values, "title"), description: fieldValue(values, "description") };
    const checked = checkWith(UpdateFormBody, body, values, {
      labels: {},
      required: { title: `Enter a title for the ${FORM_WORDS[kind].form}` },
    });
    if (!checked.ok) return tab.render(c, group, state(reword(checked.errors, FIELD_LABELS)), 422);
    try {
      await updateForm(c.env, group.companyId, group.id, kind, checked.data, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, ["title", "description"], "title", FIELD_LABELS);
      if (!refusal) throw error;
      return tab.render(c, group, state(refusal.errors), refusal.status);
    }
    return c.redirect(back(group, "form-saved", "form"), 303);
  });

  router.post(tabRoute(slug, "/fields"), async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const state = (errors: FieldError[]): TabState => ({ errors, posted: { form: "add-field", values } });
    const key = fieldValue(values, "key").trim();
    const body = { ...fieldBody(values, false), ...(key === "" ? {} : { key }) };
    const checked = checkWith(AddFieldBody, body, values, { labels: {}, required: FIELD_REQUIRED });
    if (!checked.ok) return tab.render(c, group, state(fieldErrors(checked.errors)), 422);
    try {
      await addField(c.env, group.companyId, group.id, kind, checked.data, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, FIELD_INPUTS, "label", FIELD_LABELS);
      if (!refusal) throw error;
      return tab.render(c, group, state(refusal.errors), refusal.status);
    }
    return c.redirect(back(group, "form-saved", "fields"), 303);
  });

  router.get(tabRoute(slug, "/fields/:fieldKey"), async (c) => {
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see forms, not change them.");
    const group = await groupOf(c);
    const field = await fieldOf(c, group, kind);
    return fieldPage(c, tab, group, field, null, []);
  });

  router.post(tabRoute(slug, "/fields/:fieldKey"), async (c) => {
    const group = await groupOf(c);
    const field = await fieldOf(c, group, kind);
    const values = await readForm(c);
    const locked = isLocked(kind, field.key);
    const checked = checkWith(UpdateFieldBody, fieldBody(values, locked), values, {
      labels: {},
      required: locked ? { label: FIELD_REQUIRED.label } : FIELD_REQUIRED,
    });
    if (!checked.ok) return fieldPage(c, tab, group, field, values, fieldErrors(checked.errors), 422);
    try {
      await updateField(c.env, group.companyId, group.id, kind, field.key, checked.data, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, FIELD_INPUTS, "label", FIELD_LABELS);
      if (!refusal) throw error;
      return fieldPage(c, tab, group, field, values, refusal.errors, refusal.status);
    }
    return c.redirect(back(group, "form-saved", "fields"), 303);
  });

  router.post(tabRoute(slug, "/fields/:fieldKey/move"), async (c) => {
    const group = await groupOf(c);
    const field = await fieldOf(c, group, kind);
    const values = await readForm(c);
    const name = `fields-${field.key}`;
    const checked = checkWith(UpdateFieldBody, { position: numberOf(fieldValue(values, "position")) }, values, {
      labels: {},
    });
    if (!checked.ok) return tab.render(c, group, { errors: placeOn(checked.errors, name) }, 422);
    try {
      await updateField(c.env, group.companyId, group.id, kind, field.key, checked.data, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, [], name, FIELD_LABELS);
      if (!refusal) throw error;
      return tab.render(c, group, { errors: refusal.errors }, refusal.status);
    }
    return c.redirect(back(group, "form-saved", "fields"), 303);
  });

  router.post(tabRoute(slug, "/fields/:fieldKey/remove"), async (c) => {
    const group = await groupOf(c);
    const field = await fieldOf(c, group, kind);
    try {
      await removeField(c.env, group.companyId, group.id, kind, field.key, actor(c));
    } catch (error) {
      const refusal = refusalOn(error, [], `fields-${field.key}`, {});
      if (!refusal) throw error;
      return tab.render(c, group, { errors: refusal.errors.map(sentence) }, refusal.status);
    }
    return c.redirect(back(group, "form-saved", "fields"), 303);
  });

  router.get(tabRoute(slug, "/reset"), async (c) => {
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see forms, not change them.");
    const group = await groupOf(c);
    return resetPage(c, tab, group);
  });

  router.post(tabRoute(slug, "/reset"), async (c) => {
    const group = await groupOf(c);
    await resetForm(c.env, group.companyId, group.id, kind, actor(c));
    return c.redirect(back(group, "form-reset", "form"), 303);
  });
}

/** The schema's errors of the add and edit forms, on their controls, worded for people. */
function fieldErrors(errors: FieldError[]): FieldError[] {
  const placed = errors.map((error) => {
    const item = /^options\.(\d+)$/.exec(error.field);
    return item ? { field: "options", message: `Option ${Number(item[1]) + 1} ${error.message}` } : error;
  });
  return reword(
    placed.map((error) => (FIELD_INPUTS.includes(error.field as never) ? error : { ...error, field: "label" })),
    FIELD_LABELS,
  );
}

/** Every error on one control (a row's buttons), as a sentence. */
function placeOn(errors: FieldError[], name: string): FieldError[] {
  return reword(errors, FIELD_LABELS).map((error) => sentence({ field: name, message: error.message }));
}

function sentence(error: FieldError): FieldError {
  return { ...error, message: error.message.charAt(0).toUpperCase() + error.message.slice(1) };
}

/** The field of the path's `:fieldKey` in the form's current version (else the 404 page). */
async function fieldOf(c: Context<AdminContext>, group: Group, kind: FormKind): Promise<FormFieldDefinition> {
  const form = await getForm(c.env, group.companyId, group.id, kind);
  const field = form.version.fields.find((f) => f.key === c.req.param("fieldKey"));
  if (!field) throw problems.notFound("form field", c.req.param("fieldKey") ?? "");
  return field;
}

/** The switch that turns the form on or off; on a plan without the feature, why not and which plan has it. */
export function FeatureSwitch({
  c,
  tab,
  form,
  csrf,
  state,
}: {
  c: Context<AdminContext>;
  tab: FormTab;
  form: FormView;
  csrf: string;
  state: TabState;
}) {
  const words = FORM_WORDS[tab.kind];
  const { company } = c.get("consoleUser");
  const feature = FORM_FEATURES[tab.kind].feature;
  const refusal = featureRefusal(company.plan, feature);
  const error = errorOf(state.errors, "enabled");
  const plans = plansWith(feature);
  const offerToggle = userCanWrite(c) && (form.enabled || !refusal);
  return (
    <div id="switch" class={`feature-switch ${form.enabled ? "is-on" : "is-off"}`}>
      <p>
        <span class={`badge ${form.enabled ? "" : "muted"}`}>{form.enabled ? "On" : "Off"}</span>{" "}
        {form.enabled ? words.on : words.off}
      </p>
      {refusal && !form.enabled ? (
        <div class="plan-gate" id={offerToggle ? undefined : "field-enabled"} tabindex={offerToggle ? undefined : -1}>
          <ButtonError name="enabled" error={offerToggle ? undefined : error} />
          <p>
            <strong>{refusal.problem.title}.</strong> {refusal.detail}{" "}
            {plans.length > 0
              ? `${words.featureIs} included in the ` +
                `${plans.join(" and ")} plan${plans.length === 1 ? "" : "s"}: ask edgeref to change your plan.`
              : ""}
          </p>
        </div>
      ) : null}
      {offerToggle ? (
        <PostForm action={`${tabBase(form.group.id, tab.slug)}/enabled`} csrf={csrf}>
          <input type="hidden" name="enabled" value={form.enabled ? "false" : "true"} />
          <ButtonError name="enabled" error={error} />
          <button type="submit" class={form.enabled ? "secondary outline" : ""} {...buttonFor("enabled", error)}>
            {form.enabled ? words.turnOff : words.turnOn}
          </button>
        </PostForm>
      ) : null}
    </div>
  );
}

/** The editor: title and description, the ordered fields with their actions, a new field, reset. */
export function FormEditor({
  c,
  tab,
  form,
  csrf,
  state,
}: {
  c: Context<AdminContext>;
  tab: FormTab;
  form: FormView;
  csrf: string;
  state: TabState;
}) {
  const words = FORM_WORDS[tab.kind];
  const base = tabBase(form.group.id, tab.slug);
  const writer = userCanWrite(c);
  const { version } = form;
  const details = postedTo(state, "details");
  const adding = postedTo(state, "add-field");
  const fields = version.fields;
  return (
    <TabSection
      id="form"
      title={
        <>
          {capitalized(words.form)} <span class="badge muted">Version {version.version}</span>
        </>
      }
    >
      <p>
        Every change is saved as a new version of the {words.form}. {capitalized(words.entries)} already submitted keep
        the version they were made with, and are always shown with its fields.
      </p>
      {writer ? (
        <PostForm action={`${base}/form`} csrf={csrf}>
          <TextField
            name="title"
            label="Title"
            hint="What partners see above the form."
            required
            maxlength={200}
            value={details ? fieldValue(details, "title") : version.title}
            error={errorOf(state.errors, "title")}
          />
          <TextAreaField
            name="description"
            label="Description"
            rows={3}
            maxlength={2000}
            value={details ? fieldValue(details, "description") : version.description}
            error={errorOf(state.errors, "description")}
          />
          <button type="submit">Save title and description</button>
        </PostForm>
      ) : (
        <dl class="details">
          <dt>Title</dt>
          <dd>{version.title}</dd>
          <dt>Description</dt>
          <dd>{version.description || "None"}</dd>
        </dl>
      )}
      <h4 id="fields">Fields</h4>
      <ol class="form-fields">
        {fields.map((field, index) => {
          const name = `fields-${field.key}`;
          const error = errorOf(state.errors, name);
          const locked = isLocked(tab.kind, field.key);
          return (
            <li class="form-field">
              <div class="form-field-text">
                <strong>{field.label}</strong> <span class="muted">{field.required ? "(required)" : "(optional)"}</span>
                <br />
                <span class="muted">
                  {TYPE_LABELS[field.type]} · key <code>{field.key}</code>
                  {field.options.length > 0 ? ` · options: ${field.options.join(", ")}` : ""}
                </span>
                {field.helpText ? (
                  <>
                    <br />
                    <span class="muted">Help text: {field.helpText}</span>
                  </>
                ) : null}
                {field.placeholder ? (
                  <>
                    <br />
                    <span class="muted">Placeholder: {field.placeholder}</span>
                  </>
                ) : null}
                {locked ? (
                  <>
                    <br />
                    <span class="muted">Always asked: an approved application becomes a partner with it.</span>
                  </>
                ) : null}
              </div>
              {writer ? (
                <div class="row-actions">
                  <ButtonError name={name} error={error} />
                  <a
                    href={`${base}/fields/${field.key}`}
                    class="secondary"
                    id={`field-${name}`}
                    aria-describedby={error ? `field-${name}-error` : undefined}
                  >
                    Edit<span class="visually-hidden"> the field {field.label}</span>
                  </a>
                  {index > 0 ? (
                    <MoveButton
                      action={`${base}/fields/${field.key}/move`}
                      csrf={csrf}
                      position={index}
                      label="Move up"
                      what={field.label}
                    />
                  ) : null}
                  {index < fields.length - 1 ? (
                    <MoveButton
                      action={`${base}/fields/${field.key}/move`}
                      csrf={csrf}
                      position={index + 2}
                      label="Move down"
                      what={field.label}
                    />
                  ) : null}
                  {locked ? null : (
                    <PostForm action={`${base}/fields/${field.key}/remove`} csrf={csrf}>
                      <button type="submit" class="small secondary outline">
                        Remove<span class="visually-hidden"> the field {field.label}</span>
                      </button>
                    </PostForm>
                  )}
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {writer ? (
        <>
          <h4 id="add-field">Add a field</h4>
          <PostForm action={`${base}/fields`} csrf={csrf}>
            <FieldInputs values={adding} errors={adding ? state.errors : []} locked={false} withKey />
            <button type="submit">Add field</button>
          </PostForm>
          <h4>Start again</h4>
          <p>Restores the default title, description and fields, as a new version. You confirm first.</p>
          <p>
            <a href={`${base}/reset`} class="button-link secondary-link">
              Reset {words.form}
            </a>
          </p>
        </>
      ) : null}
    </TabSection>
  );
}

function MoveButton({
  action,
  csrf,
  position,
  label,
  what,
}: {
  action: string;
  csrf: string;
  position: number;
  label: string;
  what: string;
}) {
  return (
    <PostForm action={action} csrf={csrf}>
      <input type="hidden" name="position" value={String(position)} />
      <button type="submit" class="small secondary outline">
        {label}
        <span class="visually-hidden"> the field {what}</span>
      </button>
    </PostForm>
  );
}

/** The controls of a field: label, type, required, options, help text, placeholder (and key when new). */
function FieldInputs({
  values,
  errors,
  locked,
  withKey = false,
  field,
}: {
  values: FormValues | null;
  errors: FieldError[];
  locked: boolean;
  withKey?: boolean;
  field?: FormFieldDefinition;
}) {
  const value = (name: string, stored: string) => (values ? fieldValue(values, name) : stored);
  return (
    <>
      <TextField
        name="label"
        label="Label"
        hint="The question partners see."
        required
        maxlength={200}
        value={value("label", field?.label ?? "")}
        error={errorOf(errors, "label")}
      />
      {locked ? null : (
        <>
          <SelectField
            name="type"
            label="Type"
            required
            options={FIELD_TYPES.map((type) => ({ value: type, label: TYPE_LABELS[type] }))}
            value={value("type", field?.type ?? "text")}
            error={errorOf(errors, "type")}
          />
          <CheckboxField
            name="required"
            label="Required: partners must answer it"
            checked={values ? fieldValue(values, "required") !== "" : (field?.required ?? false)}
            error={errorOf(errors, "required")}
          />
          <TextAreaField
            name="options"
            label="Options"
            hint="Choice and Choices fields only: one option per line, in the order shown."
            rows={3}
            value={value("options", field?.options.join("\n") ?? "")}
            error={errorOf(errors, "options")}
          />
        </>
      )}
      <TextField
        name="help_text"
        label="Help text"
        hint="Shown under the label, to say what to answer."
        maxlength={500}
        value={value("help_text", field?.helpText ?? "")}
        error={errorOf(errors, "help_text")}
      />
      <TextField
        name="placeholder"
        label="Placeholder"
        hint="An example shown inside an empty field."
        maxlength={200}
        value={value("placeholder", field?.placeholder ?? "")}
        error={errorOf(errors, "placeholder")}
      />
      {withKey ? (
        <TextField
          name="key"
          label="Key"
          hint={
            "Answers are stored under it and it never changes. Lower-case letters, digits and _. " +
            "Leave it empty to make it from the label."
          }
          maxlength={40}
          value={value("key", "")}
          error={errorOf(errors, "key")}
        />
      ) : null}
    </>
  );
}

/** A field's own page: its controls, its key shown as fixed (with why). */
async function fieldPage(
  c: Context<AdminContext>,
  tab: FormTab,
  group: Group,
  field: FormFieldDefinition,
  values: FormValues | null,
  errors: FieldError[],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const base = tabBase(group.id, tab.slug);
  const locked = isLocked(tab.kind, field.key);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors,
      subtitle: `Edit the field ${field.label}`,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={`${base}#fields`}>Back to the {FORM_WORDS[tab.kind].form}</a>
          </p>
          <h3>Edit the field “{field.label}”</h3>
          <dl class="details">
            <dt>Key</dt>
            <dd>
              <code>{field.key}</code> — answers are stored under it, so it never changes.
            </dd>
            {locked ? (
              <>
                <dt>Type</dt>
                <dd>{TYPE_LABELS[field.type]}, always required: an approved application becomes a partner with it.</dd>
              </>
            ) : null}
          </dl>
          <PostForm action={`${base}/fields/${field.key}`} csrf={await csrfToken(c)}>
            <FieldInputs values={values} errors={errors} locked={locked} field={field} />
            <p class="muted">Saving writes a new version of the form; submissions keep theirs.</p>
            <button type="submit">Save field</button>
          </PostForm>
        </>
      ),
    },
    status,
  );
}

/** "Reset form": what it restores, then a POST to do it. */
async function resetPage(c: Context<AdminContext>, tab: FormTab, group: Group) {
  const words = FORM_WORDS[tab.kind];
  const base = tabBase(group.id, tab.slug);
  const form = await getForm(c.env, group.companyId, group.id, tab.kind);
  const defaults = DEFAULT_FORMS[tab.kind];
  return renderGroupTab(c, {
    group,
    tab: tab.slug,
    subtitle: `Reset ${words.form}`,
    children: (
      <>
        <h3>Reset the {words.form}?</h3>
        <p>
          Its title, description and fields (now version {form.version.version}) are replaced by the default{" "}
          {words.form}: “{defaults.title}”, with the fields {defaults.fields.map((f) => `“${f.label}”`).join(", ")}.
        </p>
        <p>
          It is saved as a new version ({form.version.version + 1}). {capitalized(words.entries)} already submitted keep
          the version they were made with. The form stays {form.enabled ? "on" : "off"}.
        </p>
        <PostForm action={`${base}/reset`} csrf={await csrfToken(c)}>
          <div class="button-row">
            <button type="submit">Reset {words.form}</button>
            <a href={`${base}#form`}>Cancel</a>
          </div>
        </PostForm>
      </>
    ),
  });
}
