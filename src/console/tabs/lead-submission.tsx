// A group's Lead submission tab: lead submission on or off (plan-gated: on a plan without it, why
// not and which plan has it), the lead form's editor, the lead pipeline's stages, and the group's
// leads with their stages (each lead's page moves it and shows its history). Everything through the
// services the admin API uses; README "Console" and "Leads and deals".
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../../admin/context";
import { getForm } from "../../forms/service";
import { getPipeline } from "../../pipelines/service";
import { csrfToken } from "../../web/csrf";
import { groupOf, renderGroupTab } from "../group-page";
import { noticeOf } from "../pages";
import { EntriesList, registerEntryPages } from "./entries";
import { FeatureSwitch, FormEditor, type FormTab, registerFormEditor } from "./form-editor";
import { type Group, NO_ERRORS, OnThisTab, type TabState, tabRoute } from "./form-tab-kit";
import { type PipelineTab, registerPipelineEditor, StagesEditor } from "./pipeline-editor";

const tab: FormTab & PipelineTab = { slug: "lead-submission", kind: "lead", render: leadSubmissionTab };

export function registerLeadSubmissionTab(router: Hono<AdminContext>) {
  router.get(tabRoute(tab.slug), async (c) => leadSubmissionTab(c, await groupOf(c), NO_ERRORS));
  registerFormEditor(router, tab);
  registerPipelineEditor(router, tab);
  registerEntryPages(router, tab);
}

async function leadSubmissionTab(
  c: Context<AdminContext>,
  group: Group,
  state: TabState,
  status: ContentfulStatusCode = 200,
) {
  const [form, pipeline, csrf] = await Promise.all([
    getForm(c.env, group.companyId, group.id, "lead"),
    getPipeline(c.env, group.companyId, group.id, "lead"),
    csrfToken(c),
  ]);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors: state.errors,
      notice: state.errors.length === 0 ? noticeOf(c) : undefined,
      children: (
        <>
          <p>Partners in this group submit leads for your team to qualify and work to close.</p>
          <OnThisTab
            sections={[
              { id: "form", label: "Lead form" },
              { id: "stages", label: "Pipeline stages" },
              { id: "leads", label: "Leads" },
            ]}
          />
          <FeatureSwitch c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <FormEditor c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <StagesEditor c={c} tab={tab} pipeline={pipeline} csrf={csrf} state={state} />
          <EntriesList c={c} tab={tab} group={group} startingAfter={c.req.query("starting_after") || undefined} />
        </>
      ),
    },
    status,
  );
}
