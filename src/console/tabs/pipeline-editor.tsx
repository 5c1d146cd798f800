// The stages of a group's lead or deal pipeline, in the Lead submission and Deal registration tabs:
// add one, rename it (its own page), move it up or down, remove it when empty. Through the pipelines
// service with the API's schemas (POST/PATCH/DELETE /v1/groups/{id}/pipelines/{kind}/stages/…): a
// stage still holding leads or deals is the service's 409, shown beside it; the deal pipeline's
// final stage stays last and is only renamed.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import type { PipelineKind } from "../../lib/constants";
import { type FieldError, problems } from "../../lib/errors";
import { AddStageBody, UpdateStageBody } from "../../pipelines/pipelines.routes";
import { addStage, type getPipeline, listStages, removeStage, type Stage, updateStage } from "../../pipelines/service";
import { csrfToken } from "../../web/csrf";
import { errorOf, PostForm, TextField } from "../../web/form";
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

export interface PipelineTab extends ErrorShowingTab {
  kind: PipelineKind;
}

export type Pipeline = Awaited<ReturnType<typeof getPipeline>>;

const ENTRIES = { lead: "leads", deal: "deals" } as const;
const LABELS = { name: "Stage name", position: "Position" };
const stageControl = (stage: Stage) => `stage-${stage.id}`;

export function registerPipelineEditor(router: Hono<AdminContext>, tab: PipelineTab) {
  const { slug, kind } = tab;
  const back = (group: Group, notice: string) => `${tabBase(group.id, slug)}?notice=${notice}#stages`;

  router.post(tabRoute(slug, "/stages"), async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const state = (errors: FieldError[]): TabState => ({ errors, posted: { form: "add-stage", values } });
    const checked = checkWith(AddStageBody, { name: fieldValue(values, "name") }, values, {
      labels: LABELS,
      required: { name: "Enter a name for the stage" },
    });
    if (!checked.ok) return tab.render(c, group, state(checked.errors), 422);
    try {
      await addStage(c.env, group.companyId, group.id, kind, checked.data);
    } catch (error) {
      const refusal = refusalOn(error, ["name"], "name", LABELS);
      if (!refusal) throw error;
      return tab.render(c, group, state(refusal.errors), refusal.status);
    }
    return c.redirect(back(group, "stage-added"), 303);
  });

  router.get(tabRoute(slug, "/stages/:stageId"), async (c) => {
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see stages, not change them.");
    const group = await groupOf(c);
    return renamePage(c, tab, group, await stageOf(c, group, kind), null, []);
  });

  router.post(tabRoute(slug, "/stages/:stageId"), async (c) => {
    const group = await groupOf(c);
    const stage = await stageOf(c, group, kind);
    const values = await readForm(c);
    const checked = checkWith(UpdateStageBody, { name: fieldValue(values, "name") }, values, {
      labels: LABELS,
      required: { name: "Enter a name for the stage" },
    });
    if (!checked.ok) return renamePage(c, tab, group, stage, values, checked.errors, 422);
    try {
      await updateStage(c.env, group.companyId, group.id, kind, stage.id, checked.data);
    } catch (error) {
      const refusal = refusalOn(error, ["name"], "name", LABELS);
      if (!refusal) throw error;
      return renamePage(c, tab, group, stage, values, refusal.errors, refusal.status);
    }
    return c.redirect(back(group, "saved"), 303);
  });

  router.post(tabRoute(slug, "/stages/:stageId/move"), async (c) => {
    const group = await groupOf(c);
    const stage = await stageOf(c, group, kind);
    const values = await readForm(c);
    const name = stageControl(stage);
    const body = { position: numberOf(fieldValue(values, "position")) };
    const checked = checkWith(UpdateStageBody, body, values, { labels: LABELS });
    if (!checked.ok) return tab.render(c, group, { errors: onControl(checked.errors, name) }, 422);
    try {
      await updateStage(c.env, group.companyId, group.id, kind, stage.id, checked.data);
    } catch (error) {
      const refusal = refusalOn(error, [], name, LABELS);
      if (!refusal) throw error;
      return tab.render(c, group, { errors: onControl(refusal.errors, name) }, refusal.status);
    }
    return c.redirect(back(group, "stage-moved"), 303);
  });

  router.post(tabRoute(slug, "/stages/:stageId/remove"), async (c) => {
    const group = await groupOf(c);
    const stage = await stageOf(c, group, kind);
    try {
      await removeStage(c.env, group.companyId, group.id, kind, stage.id);
    } catch (error) {
      const refusal = refusalOn(error, [], stageControl(stage), {});
      if (!refusal) throw error;
      return tab.render(c, group, { errors: refusal.errors }, refusal.status);
    }
    return c.redirect(back(group, "removed"), 303);
  });
}

/** Errors of a row's buttons, all on that row, as sentences. */
function onControl(errors: FieldError[], name: string): FieldError[] {
  return reword(errors, LABELS).map((error) => ({
    field: name,
    message: error.message.charAt(0).toUpperCase() + error.message.slice(1),
  }));
}

/** The live stage of the path's `:stageId` in this group's pipeline (another's, or a removed one: the 404 page). */
async function stageOf(c: Context<AdminContext>, group: Group, kind: PipelineKind) {
  const id = c.req.param("stageId") ?? "";
  const stage = (await listStages(c.env, group.companyId, group.id, kind)).find((s) => s.id === id);
  if (!stage) throw problems.notFound("stage", id);
  return stage;
}

export function StagesEditor({
  c,
  tab,
  pipeline,
  csrf,
  state,
}: {
  c: Context<AdminContext>;
  tab: PipelineTab;
  pipeline: Pipeline;
  csrf: string;
  state: TabState;
}) {
  const base = tabBase(pipeline.groupId, tab.slug);
  const writer = userCanWrite(c);
  const entries = ENTRIES[tab.kind];
  const adding = postedTo(state, "add-stage");
  const movable = pipeline.stages.filter((s) => !s.stage.isFinal);
  return (
    <TabSection id="stages" title={tab.kind === "lead" ? "Lead pipeline stages" : "Deal stages"}>
      <p>
        New {entries} start in the first stage
        {tab.kind === "deal"
          ? "; a deal that enters the final stage (always the last) is closed for good"
          : ", and you move them from stage to stage"}
        . A stage can be removed only when it holds no {entries}.
      </p>
      <table class="stack-table stages">
        <caption class="visually-hidden">Stages, in order</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">{entries === "leads" ? "Leads" : "Deals"} in it</th>
            {writer ? <th scope="col">Change</th> : null}
          </tr>
        </thead>
        <tbody>
          {pipeline.stages.map(({ stage, position, entries: count }) => {
            const name = stageControl(stage);
            const error = errorOf(state.errors, name);
            const index = movable.findIndex((s) => s.stage.id === stage.id);
            return (
              <tr>
                <th scope="row">
                  {position}. {stage.name}
                  {stage.isFinal ? <span class="badge">Final stage</span> : null}
                </th>
                <td data-label={entries === "leads" ? "Leads" : "Deals"}>{count}</td>
                {writer ? (
                  <td>
                    <div class="row-actions">
                      <ButtonError name={name} error={error} />
                      <a
                        href={`${base}/stages/${stage.id}`}
                        class="secondary"
                        {...(stage.isFinal ? buttonFor(name, error) : {})}
                      >
                        Rename<span class="visually-hidden"> the stage {stage.name}</span>
                      </a>
                      {!stage.isFinal && index > 0 ? (
                        <StageButton action={`${base}/stages/${stage.id}/move`} csrf={csrf} position={position - 1}>
                          Move up<span class="visually-hidden"> the stage {stage.name}</span>
                        </StageButton>
                      ) : null}
                      {!stage.isFinal && index < movable.length - 1 ? (
                        <StageButton action={`${base}/stages/${stage.id}/move`} csrf={csrf} position={position + 1}>
                          Move down<span class="visually-hidden"> the stage {stage.name}</span>
                        </StageButton>
                      ) : null}
                      {stage.isFinal ? null : (
                        <PostForm action={`${base}/stages/${stage.id}/remove`} csrf={csrf}>
                          <button type="submit" class="small secondary outline" {...buttonFor(name, error)}>
                            Remove<span class="visually-hidden"> the stage {stage.name}</span>
                          </button>
                        </PostForm>
                      )}
                    </div>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {writer ? (
        <>
          <h4 id="add-stage">Add a stage</h4>
          <PostForm action={`${base}/stages`} csrf={csrf}>
            <TextField
              name="name"
              label="Stage name"
              hint={
                tab.kind === "deal"
                  ? "It is added before the final stage; move it up or down after."
                  : "It is added at the end; move it up or down after."
              }
              required
              maxlength={100}
              value={adding ? fieldValue(adding, "name") : ""}
              error={errorOf(state.errors, "name")}
            />
            <button type="submit">Add stage</button>
          </PostForm>
        </>
      ) : null}
    </TabSection>
  );
}

function StageButton({
  action,
  csrf,
  position,
  children,
}: {
  action: string;
  csrf: string;
  position: number;
  children?: unknown;
}) {
  return (
    <PostForm action={action} csrf={csrf}>
      <input type="hidden" name="position" value={String(position)} />
      <button type="submit" class="small secondary outline">
        {children as string}
      </button>
    </PostForm>
  );
}

async function renamePage(
  c: Context<AdminContext>,
  tab: PipelineTab,
  group: Group,
  stage: Stage,
  values: FormValues | null,
  errors: FieldError[],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const base = tabBase(group.id, tab.slug);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors,
      subtitle: `Rename the stage ${stage.name}`,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={`${base}#stages`}>Back to the stages</a>
          </p>
          <h3>Rename the stage “{stage.name}”</h3>
          <p>
            {stage.isFinal
              ? "The final stage closes deals; it keeps its place, only its name changes. "
              : "Its place and what it holds stay. "}
            Moves already made keep the name the stage had then.
          </p>
          <PostForm action={`${base}/stages/${stage.id}`} csrf={await csrfToken(c)}>
            <TextField
              name="name"
              label="Stage name"
              required
              maxlength={100}
              value={values ? fieldValue(values, "name") : stage.name}
              error={errorOf(errors, "name")}
            />
            <button type="submit">Save name</button>
          </PostForm>
        </>
      ),
    },
    status,
  );
}
