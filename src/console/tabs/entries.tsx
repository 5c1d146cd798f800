// A group's leads or deals in the Lead submission and Deal registration tabs: the list with their
// stages, and each one's page (its answers with the form version it was made with, its history of
// moves, and a form to move it to another stage). Moves go through the leads and deals services
// (POST /v1/leads/{id}/move, /v1/deals/{id}/move with the API's schemas), recorded as the console
// user's; a lead or deal of another group or company in the URL is the 404 page.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../../admin/context";
import { listApiKeys } from "../../api-keys/service";
import { MoveDealBody } from "../../deals/deals.routes";
import { moveDeal } from "../../deals/service";
import { formVersionById, formVersionsByIds } from "../../forms/service";
import { MoveBody } from "../../leads/leads.routes";
import { moveLead } from "../../leads/service";
import type { PipelineKind } from "../../lib/constants";
import { type FieldError, problems } from "../../lib/errors";
import { PROBLEMS } from "../../lib/problems";
import { partnersByIds } from "../../partners/service";
import {
  entryHistory,
  getEntry,
  getPipeline,
  listEntries,
  type PipelineEntry,
  type StageMove,
  stagesByIds,
} from "../../pipelines/service";
import { listUsers } from "../../users/service";
import { csrfToken } from "../../web/csrf";
import { errorOf, PostForm, SelectField, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { userCanWrite } from "../auth";
import { checkWith } from "../form-errors";
import { formatDateTime } from "../format";
import { groupOf, renderGroupTab } from "../group-page";
import { noticeOf } from "../pages";
import { Answers, ButtonError, type Group, refusalOn, TabSection, tabBase, tabRoute, titleOf } from "./form-tab-kit";
import type { PipelineTab } from "./pipeline-editor";

export const PAGE_SIZE = 50;

const WORDS = {
  lead: { one: "lead", many: "leads", path: "leads", Many: "Leads", submitted: "Submitted" },
  deal: { one: "deal", many: "deals", path: "deals", Many: "Deals", submitted: "Registered" },
} as const;
const MOVE_LABELS = { stage_id: "Stage", customer_key: "Customer key" };

/** The lead or deal of the path's `:entryId`, in this group (another group's or company's: the 404 page). */
async function entryOf(c: Context<AdminContext>, group: Group, kind: PipelineKind) {
  const id = c.req.param("entryId") ?? "";
  const entry = await getEntry(c.env, kind, group.companyId, id);
  if (entry.groupId !== group.id) throw problems.notFound(kind, id);
  return entry;
}

export function registerEntryPages(router: Hono<AdminContext>, tab: PipelineTab) {
  const { slug, kind } = tab;
  const path = WORDS[kind].path;

  router.get(tabRoute(slug, `/${path}/:entryId`), async (c) => {
    const group = await groupOf(c);
    return entryPage(c, tab, group, await entryOf(c, group, kind), null, []);
  });

  router.post(tabRoute(slug, `/${path}/:entryId/move`), async (c) => {
    const group = await groupOf(c);
    const entry = await entryOf(c, group, kind);
    const values = await readForm(c);
    const customerKey = fieldValue(values, "customer_key").trim();
    const body =
      kind === "deal"
        ? { stage_id: fieldValue(values, "stage_id"), ...(customerKey ? { customer_key: customerKey } : {}) }
        : { stage_id: fieldValue(values, "stage_id") };
    const fields = { labels: MOVE_LABELS, required: { stage_id: "Choose the stage to move it to" } };
    const actor = { kind: "company" as const, id: c.get("consoleUser").user.id };
    try {
      if (kind === "deal") {
        const checked = checkWith(MoveDealBody, body, values, fields);
        if (!checked.ok) return entryPage(c, tab, group, entry, values, checked.errors, 422);
        await moveDeal(c.env, group.companyId, entry.id, checked.data, actor);
      } else {
        const checked = checkWith(MoveBody, body, values, fields);
        if (!checked.ok) return entryPage(c, tab, group, entry, values, checked.errors, 422);
        await moveLead(c.env, group.companyId, entry.id, checked.data.stageId, actor.id);
      }
    } catch (error) {
      const onKey = error instanceof Error && "problem" in error && error.problem === PROBLEMS.customerExists;
      const refusal = refusalOn(error, ["stage_id", "customer_key"], onKey ? "customer_key" : "stage_id", MOVE_LABELS);
      if (!refusal) throw error;
      return entryPage(c, tab, group, entry, values, refusal.errors, refusal.status);
    }
    return c.redirect(`${tabBase(group.id, slug)}/${path}/${entry.id}?notice=${kind}-moved`, 303);
  });
}

/**
 * The group's leads or deals (a page of them, oldest first; `?starting_after=` for the next), each
 * with its partner and stage. A cursor that is not one of the company's own is the API's 422: the
 * list then starts from the first.
 */
export async function EntriesList({
  c,
  tab,
  group,
  startingAfter,
  children,
}: {
  c: Context<AdminContext>;
  tab: PipelineTab;
  group: Group;
  startingAfter?: string;
  /** Shown under the heading (e.g. "Register a deal for a partner"). */
  children?: Child;
}) {
  const words = WORDS[tab.kind];
  const env = c.env;
  const filter = { groupId: group.id, limit: PAGE_SIZE, startingAfter };
  const page = await listEntries(env, tab.kind, group.companyId, filter).catch(() =>
    listEntries(env, tab.kind, group.companyId, { ...filter, startingAfter: undefined }),
  );
  const [stages, partners, versions] = await Promise.all([
    stagesByIds(
      env,
      group.companyId,
      page.rows.map((row) => row.stageId),
    ),
    partnersByIds(
      env,
      group.companyId,
      page.rows.map((row) => row.partnerId),
    ),
    formVersionsByIds(
      env,
      group.companyId,
      page.rows.map((row) => row.formVersionId),
    ),
  ]);
  const base = tabBase(group.id, tab.slug);
  const last = page.rows.at(-1);
  return (
    <TabSection id={words.path} title={words.Many}>
      {children}
      {page.rows.length === 0 ? (
        <p>No {words.many} yet.</p>
      ) : (
        <table class="stack-table">
          <caption class="visually-hidden">The group's {words.many} with their stages</caption>
          <thead>
            <tr>
              <th scope="col">{tab.kind === "lead" ? "Lead" : "Deal"}</th>
              <th scope="col">Partner</th>
              <th scope="col">Stage</th>
              <th scope="col">{words.submitted}</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((entry) => {
              const partner = partners.get(entry.partnerId);
              const fields = versions.get(entry.formVersionId)?.fields ?? [];
              return (
                <tr>
                  <th scope="row">
                    <a href={`${base}/${words.path}/${entry.id}`}>{titleOf(fields, entry.values, entry.id)}</a>
                  </th>
                  <td data-label="Partner">{partner ? `${partner.firstName} ${partner.lastName}` : entry.partnerId}</td>
                  <td data-label="Stage">
                    {stages.get(entry.stageId)?.name ?? ""}
                    {entry.closedAt ? <span class="badge muted">Closed</span> : null}
                  </td>
                  <td data-label={words.submitted}>{formatDateTime(entry.createdAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {page.hasMore && last ? (
        <p>
          <a href={`${base}?starting_after=${last.id}#${words.path}`}>
            Next {PAGE_SIZE} {words.many}
          </a>
        </p>
      ) : null}
    </TabSection>
  );
}

/** Who moved an entry, as people read it: the partner's name, the console user's email, the API key's name. */
async function actorNames(c: Context<AdminContext>, companyId: string, moves: StageMove[]) {
  const partners = await partnersByIds(
    c.env,
    companyId,
    moves.filter((m) => m.actorKind === "partner").map((m) => m.actorId),
  );
  const companyActors = moves.some((m) => m.actorKind === "company");
  const [users, keys] = companyActors
    ? await Promise.all([listUsers(c.env, companyId), listApiKeys(c.env, companyId)])
    : [[], []];
  const names = new Map<string, string>();
  for (const [id, partner] of partners) names.set(id, `the partner ${partner.firstName} ${partner.lastName}`);
  for (const user of users) names.set(user.id, user.email);
  for (const key of keys) names.set(key.id, `the API key “${key.name}”`);
  return (move: StageMove) => names.get(move.actorId) ?? (move.actorKind === "partner" ? "the partner" : "the company");
}

async function entryPage(
  c: Context<AdminContext>,
  tab: PipelineTab,
  group: Group,
  entry: PipelineEntry,
  values: FormValues | null,
  errors: FieldError[],
  status: ContentfulStatusCode = 200,
) {
  const words = WORDS[tab.kind];
  const env = c.env;
  const [version, pipeline, history, partners] = await Promise.all([
    formVersionById(env, group.companyId, entry.formVersionId),
    getPipeline(env, group.companyId, group.id, tab.kind),
    entryHistory(env, group.companyId, entry.id),
    partnersByIds(env, group.companyId, [entry.partnerId]),
  ]);
  const [stage] = (await stagesByIds(env, group.companyId, [entry.stageId])).values();
  const who = await actorNames(c, group.companyId, history);
  const partner = partners.get(entry.partnerId);
  const title = titleOf(version.fields, entry.values, entry.id);
  const base = tabBase(group.id, tab.slug);
  const finalStage = pipeline.stages.find((s) => s.stage.isFinal)?.stage;
  const canMove = userCanWrite(c) && entry.closedAt === null;
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors,
      notice: noticeOf(c),
      subtitle: `${tab.kind === "lead" ? "Lead" : "Deal"} ${title}`,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={`${base}#${words.path}`}>All {words.many} of the group</a>
          </p>
          <h3>
            {tab.kind === "lead" ? "Lead" : "Deal"}: {title}
            {entry.closedAt ? <span class="badge muted">Closed</span> : null}
          </h3>
          <dl class="details">
            <dt>Stage</dt>
            <dd>{stage?.name ?? entry.stageId}</dd>
            <dt>Partner</dt>
            <dd>
              {partner ? (
                <a href={`/console/partners/${partner.id}`}>
                  {partner.firstName} {partner.lastName}
                </a>
              ) : (
                entry.partnerId
              )}
            </dd>
            <dt>{words.submitted}</dt>
            <dd>
              {formatDateTime(entry.createdAt)}, by {entry.submittedBy === "partner" ? "the partner" : "the company"}
            </dd>
            <dt>Form</dt>
            <dd>
              Version {version.version}: {version.title}
            </dd>
            {entry.closedAt ? (
              <>
                <dt>Closed</dt>
                <dd>
                  {formatDateTime(entry.closedAt)}
                  {entry.customerId ? `; customer ${entry.customerId}` : ""}
                </dd>
              </>
            ) : null}
          </dl>
          <h4>Answers</h4>
          <Answers fields={version.fields} values={entry.values} />
          {canMove ? (
            <>
              <h4 id="move">Move to another stage</h4>
              <PostForm action={`${base}/${words.path}/${entry.id}/move`} csrf={await csrfToken(c)}>
                <SelectField
                  name="stage_id"
                  label="Stage"
                  required
                  options={pipeline.stages.map(({ stage: s }) => ({
                    value: s.id,
                    label: s.isFinal ? `${s.name} (final: closes the deal)` : s.name,
                  }))}
                  value={values ? fieldValue(values, "stage_id") : entry.stageId}
                  error={errorOf(errors, "stage_id")}
                />
                {tab.kind === "deal" && finalStage && pipeline.finalStage?.createsCustomer ? (
                  <TextField
                    name="customer_key"
                    label="Customer key"
                    hint={
                      `Only when moving into “${finalStage.name}”: closing creates a customer with this key ` +
                      `(your own id for them). Empty: deal:${entry.id}.`
                    }
                    maxlength={200}
                    value={values ? fieldValue(values, "customer_key") : ""}
                    error={errorOf(errors, "customer_key")}
                  />
                ) : null}
                <button type="submit">Move {words.one}</button>
              </PostForm>
            </>
          ) : entry.closedAt ? (
            // A move refused because the deal closed meanwhile is shown here (the summary links to it).
            <div id="field-stage_id" tabindex={-1}>
              <ButtonError name="stage_id" error={errorOf(errors, "stage_id")} />
              <p>This deal is closed: it no longer moves or changes.</p>
            </div>
          ) : null}
          <h4 id="history">History</h4>
          <ol class="history">
            {history.map((move) => (
              <li>
                <time datetime={new Date(move.movedAt).toISOString()}>{formatDateTime(move.movedAt)}</time>:{" "}
                {move.fromStageName === null
                  ? `${words.submitted} into ${move.toStageName}`
                  : `moved from ${move.fromStageName} to ${move.toStageName}`}
                , by {who(move)}
              </li>
            ))}
          </ol>
        </>
      ),
    },
    status,
  );
}
