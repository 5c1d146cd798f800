// A group's Deal registration tab: deal registration on or off (plan-gated), the deal form's editor,
// the deal stages, the final stage's rules (who may move a deal into it; whether closing creates a
// customer), the group's deals with their stages, and registering a deal for one of the group's
// partners. Everything through the services the admin API uses (forms, pipelines, deals);
// README "Console" and "Leads and deals".
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../../admin/context";
import { RegisterDealBody } from "../../deals/deals.routes";
import { registerDealForPartner } from "../../deals/service";
import { getForm } from "../../forms/service";
import type { FieldError } from "../../lib/errors";
import { getPartner, listPartners } from "../../partners/service";
import { UpdateFinalStageBody } from "../../pipelines/pipelines.routes";
import { getPipeline, updateFinalStage } from "../../pipelines/service";
import { csrfToken } from "../../web/csrf";
import { CheckboxField, errorOf, PostForm, RadioField, SelectField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { SubmissionFields, submissionErrors, submissionValues } from "../../web/submission-form";
import { userCanWrite } from "../auth";
import { checkWith, refusalOf } from "../form-errors";
import { groupOf, renderGroupTab } from "../group-page";
import { forbiddenPage, noticeOf } from "../pages";
import { EntriesList, registerEntryPages } from "./entries";
import { FeatureSwitch, FormEditor, type FormTab, registerFormEditor } from "./form-editor";
import {
  type Group,
  NO_ERRORS,
  OnThisTab,
  placeErrors,
  postedTo,
  refusalOn,
  reword,
  TabSection,
  type TabState,
  tabBase,
  tabRoute,
} from "./form-tab-kit";
import { type Pipeline, type PipelineTab, registerPipelineEditor, StagesEditor } from "./pipeline-editor";

const tab: FormTab & PipelineTab = { slug: "deal-registration", kind: "deal", render: dealRegistrationTab };

const FINAL_LABELS = { movers: "Who may close deals", creates_customer: "Closing creates a customer" };
/** The group's active partners offered when registering a deal (a longer list is cut, with a note). */
const PARTNER_CHOICES = 200;

export function registerDealRegistrationTab(router: Hono<AdminContext>) {
  router.get(tabRoute(tab.slug), async (c) => dealRegistrationTab(c, await groupOf(c), NO_ERRORS));
  registerFormEditor(router, tab);
  registerPipelineEditor(router, tab);

  router.post(tabRoute(tab.slug, "/final-stage"), async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const state = (errors: FieldError[]): TabState => ({ errors, posted: { form: "final-stage", values } });
    const body = {
      movers: fieldValue(values, "movers"),
      creates_customer: fieldValue(values, "creates_customer") !== "",
    };
    const checked = checkWith(UpdateFinalStageBody, body, values, {
      labels: FINAL_LABELS,
      required: { movers: "Choose who may move deals into the final stage" },
    });
    if (!checked.ok) return dealRegistrationTab(c, group, state(checked.errors), 422);
    try {
      await updateFinalStage(c.env, group.companyId, group.id, checked.data);
    } catch (error) {
      const refusal = refusalOn(error, ["movers", "creates_customer"], "movers", FINAL_LABELS);
      if (!refusal) throw error;
      return dealRegistrationTab(c, group, state(refusal.errors), refusal.status);
    }
    return c.redirect(`${tabBase(group.id, tab.slug)}?notice=saved#final-stage`, 303);
  });

  router.get(tabRoute(tab.slug, "/deals/new"), async (c) => {
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see deals, not register them.");
    return newDealPage(c, await groupOf(c), {}, []);
  });

  router.post(tabRoute(tab.slug, "/deals"), async (c) => {
    const group = await groupOf(c);
    const posted = await readForm(c);
    const { version } = await getForm(c.env, group.companyId, group.id, "deal");
    const body = { partner_id: fieldValue(posted, "partner_id"), values: submissionValues(version.fields, posted) };
    const labels = { partner_id: "Partner" };
    const checked = checkWith(RegisterDealBody, body, posted, {
      labels,
      required: { partner_id: "Choose the partner the deal is registered for" },
    });
    if (!checked.ok) return newDealPage(c, group, posted, checked.errors, 422);
    // The service registers a deal in the partner's current group: here, only this group's partners.
    const partner = await getPartner(c.env, group.companyId, checked.data.partnerId).catch(() => null);
    if (partner && partner.groupId !== group.id) {
      const errors = [{ field: "partner_id", message: "Partner is not in this group: register it from their group" }];
      return newDealPage(c, group, posted, errors, 422);
    }
    let dealId: string;
    try {
      dealId = (await registerDealForPartner(c.env, group.companyId, checked.data, c.get("consoleUser").user.id)).id;
    } catch (error) {
      const refusal = refusalOf(error, "partner_id", { labels: {} });
      if (!refusal) throw error;
      // Answers the form refused (`values.<key>`) are named by the deal form's own fields.
      const answers = refusal.errors.filter((e) => e.field === "values" || e.field.startsWith("values."));
      const others = refusal.errors.filter((e) => !answers.includes(e));
      const errors = [
        ...reword(placeErrors(others, ["partner_id"], "partner_id"), labels),
        ...submissionErrors(version.fields, answers),
      ];
      return newDealPage(c, group, posted, errors, refusal.status);
    }
    return c.redirect(`${tabBase(group.id, tab.slug)}/deals/${dealId}?notice=deal-registered`, 303);
  });

  registerEntryPages(router, tab);
}

async function dealRegistrationTab(
  c: Context<AdminContext>,
  group: Group,
  state: TabState,
  status: ContentfulStatusCode = 200,
) {
  const [form, pipeline, csrf] = await Promise.all([
    getForm(c.env, group.companyId, group.id, "deal"),
    getPipeline(c.env, group.companyId, group.id, "deal"),
    csrfToken(c),
  ]);
  const base = tabBase(group.id, tab.slug);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors: state.errors,
      notice: state.errors.length === 0 ? noticeOf(c) : undefined,
      children: (
        <>
          <p>Partners in this group register the deals they are closing, so that the deals are attributed to them.</p>
          <OnThisTab
            sections={[
              { id: "form", label: "Deal form" },
              { id: "stages", label: "Deal stages" },
              { id: "final-stage", label: "Final stage" },
              { id: "deals", label: "Deals" },
            ]}
          />
          <FeatureSwitch c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <FormEditor c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <StagesEditor c={c} tab={tab} pipeline={pipeline} csrf={csrf} state={state} />
          <FinalStage c={c} group={group} pipeline={pipeline} csrf={csrf} state={state} />
          <EntriesList c={c} tab={tab} group={group} startingAfter={c.req.query("starting_after") || undefined}>
            {userCanWrite(c) ? (
              <p>
                {form.enabled ? (
                  <a href={`${base}/deals/new`} class="button-link">
                    Register a deal for a partner
                  </a>
                ) : (
                  "Turn deal registration on to register deals for partners."
                )}
              </p>
            ) : null}
          </EntriesList>
        </>
      ),
    },
    status,
  );
}

function FinalStage({
  c,
  pipeline,
  csrf,
  state,
  group,
}: {
  c: Context<AdminContext>;
  group: Group;
  pipeline: Pipeline;
  csrf: string;
  state: TabState;
}) {
  const final = pipeline.stages.find((s) => s.stage.isFinal)?.stage;
  const settings = pipeline.finalStage ?? { movers: "company", createsCustomer: true };
  const posted = postedTo(state, "final-stage");
  const movers = posted ? fieldValue(posted, "movers") : settings.movers;
  const createsCustomer = posted ? fieldValue(posted, "creates_customer") !== "" : settings.createsCustomer;
  const finalName = final ? `“${final.name}”` : "the final stage";
  return (
    <TabSection id="final-stage" title="Final stage">
      <p>
        A deal that enters {finalName} is closed: it no longer moves or changes, and the group's offers' “deal closed”
        rewards are earned.
      </p>
      {userCanWrite(c) ? (
        <PostForm action={`${tabBase(group.id, tab.slug)}/final-stage`} csrf={csrf}>
          <RadioField
            name="movers"
            label={`Who may move a deal into ${finalName}`}
            required
            options={[
              { value: "company", label: "The company only (partners' moves into it are refused)" },
              { value: "partners", label: "Partners too (they close their own deals)" },
            ]}
            value={movers}
            error={errorOf(state.errors, "movers")}
          />
          <CheckboxField
            name="creates_customer"
            label="Closing a deal creates a customer of its partner and group (a signup in the group's statistics)"
            checked={createsCustomer}
            error={errorOf(state.errors, "creates_customer")}
          />
          <button type="submit">Save final stage</button>
        </PostForm>
      ) : (
        <dl class="details">
          <dt>Who may close deals</dt>
          <dd>{settings.movers === "company" ? "The company only" : "Partners too"}</dd>
          <dt>Closing creates a customer</dt>
          <dd>{settings.createsCustomer ? "Yes" : "No"}</dd>
        </dl>
      )}
    </TabSection>
  );
}

/** "Register a deal for a partner": one of the group's active partners, and the deal form's fields. */
async function newDealPage(
  c: Context<AdminContext>,
  group: Group,
  posted: FormValues,
  errors: FieldError[],
  status: ContentfulStatusCode = 200,
) {
  const [form, partners] = await Promise.all([
    getForm(c.env, group.companyId, group.id, "deal"),
    listPartners(c.env, group.companyId, { groupId: group.id, limit: PARTNER_CHOICES }),
  ]);
  const active = partners.rows.filter((partner) => partner.status === "active");
  const base = tabBase(group.id, tab.slug);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors,
      subtitle: "Register a deal",
      children: (
        <>
          <p class="breadcrumbs">
            <a href={`${base}#deals`}>All deals of the group</a>
          </p>
          <h3>Register a deal for a partner</h3>
          <p>{form.version.description}</p>
          {!form.enabled && errors.length === 0 ? (
            <p>Deal registration is off in this group: turn it on to register deals.</p>
          ) : active.length === 0 ? (
            <p>This group has no active partner yet: a deal is registered for one of them.</p>
          ) : (
            <PostForm action={`${base}/deals`} csrf={await csrfToken(c)}>
              <SelectField
                name="partner_id"
                label="Partner"
                hint={
                  partners.hasMore
                    ? `The group's first ${PARTNER_CHOICES} partners; the deal is attributed to the one you choose.`
                    : "The deal is attributed to them, in this group."
                }
                required
                placeholder="Choose a partner…"
                options={active.map((p) => ({ value: p.id, label: `${p.firstName} ${p.lastName} (${p.email})` }))}
                value={fieldValue(posted, "partner_id")}
                error={errorOf(errors, "partner_id")}
              />
              <SubmissionFields fields={form.version.fields} values={posted} errors={errors} />
              <button type="submit">Register deal</button>
            </PostForm>
          )}
        </>
      ),
    },
    status,
  );
}
