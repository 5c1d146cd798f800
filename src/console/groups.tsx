// The Groups tab (`/console`): every group with its partners, clicks, signups and revenue — the
// hourly rollup's numbers, read as the API's group list and stats export read them — the plan's
// group limit, and "Create group" (name and link destination) through the groups service.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../admin/context";
import type { companies } from "../db/schema";
import { CreateGroupBody } from "../groups/groups.routes";
import { createGroup } from "../groups/service";
import type { FieldError } from "../lib/errors";
import { PLAN_LIMITS } from "../plans/plans";
import { allGroupStats } from "../stats/service";
import { csrfToken } from "../web/csrf";
import { errorOf, PostForm, TextField } from "../web/form";
import { type FormValues, fieldValue, readForm } from "../web/forms";
import { userCanWrite } from "./auth";
import { checkWith, refusalOf } from "./form-errors";
import { formatCount, formatDateTime, formatUsd, isoOf } from "./format";
import { forbiddenPage, noticeOf, renderConsole } from "./pages";

type Company = typeof companies.$inferSelect;

const CREATE_FIELDS = {
  labels: { name: "Group name", destination_url: "Link destination" },
  required: { name: "Enter a name for the group", destination_url: "Enter the link destination" },
};

export function registerGroupsPages(router: Hono<AdminContext>) {
  router.get("/", async (c) => groupsPage(c));

  router.get("/groups/new", async (c) => {
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see groups, not create them.");
    return createGroupPage(c, {}, []);
  });

  router.post("/groups", async (c) => {
    const { company } = c.get("consoleUser");
    const values = await readForm(c);
    const body = { name: fieldValue(values, "name"), destination_url: fieldValue(values, "destination_url") };
    const checked = checkWith(CreateGroupBody, body, values, CREATE_FIELDS);
    if (!checked.ok) return createGroupPage(c, values, checked.errors, 422);
    try {
      const group = await createGroup(c.env, company.id, checked.data);
      return c.redirect(`/console/groups/${group.id}?notice=group-created`, 303);
    } catch (error) {
      // A plan limit (403, the API's message) or a conflict is shown next to the name.
      const refusal = refusalOf(error, "name", CREATE_FIELDS);
      if (!refusal) throw error;
      return createGroupPage(c, values, refusal.errors, refusal.status);
    }
  });
}

/** "3 of 5 groups on the growth plan", or the count where the plan has no limit. */
export function planGroupsText(company: Company, liveGroups: number): string {
  const max = PLAN_LIMITS[company.plan].maxGroups;
  if (max === null)
    return `${liveGroups} ${liveGroups === 1 ? "group" : "groups"} (the ${company.plan} plan has no group limit)`;
  return `${liveGroups} of ${max} ${max === 1 ? "group" : "groups"} on the ${company.plan} plan`;
}

async function groupsPage(c: Context<AdminContext>) {
  const { company } = c.get("consoleUser");
  const rows = await allGroupStats(c.env, company.id);
  const live = rows.filter((row) => !row.group.archivedAt).length;
  const refreshedAt = rows[0]?.stats.refreshedAt ?? null;
  return renderConsole(c, {
    title: "Groups",
    section: "groups",
    notice: noticeOf(c),
    children: (
      <>
        <div class="page-heading">
          <h1>Groups</h1>
          {userCanWrite(c) ? (
            <a href="/console/groups/new" class="button-link">
              Create group
            </a>
          ) : null}
        </div>
        <p class="plan-limit">{planGroupsText(company, live)}</p>
        <p class="stats-freshness">
          Statistics are updated hourly.{" "}
          {refreshedAt === null ? (
            "None yet: the first update counts everything so far."
          ) : (
            <>
              Last updated <time datetime={isoOf(refreshedAt)}>{formatDateTime(refreshedAt)}</time>.
            </>
          )}
        </p>
        {rows.length === 0 ? (
          <p>No groups yet.{userCanWrite(c) ? " Create one to give partners their links." : ""}</p>
        ) : (
          <table class="stack-table">
            <caption class="visually-hidden">Groups and their statistics</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Partners</th>
                <th scope="col">Clicks</th>
                <th scope="col">Signups (paid + unpaid)</th>
                <th scope="col">Revenue (USD)</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ group, stats }) => (
                <tr>
                  <th scope="row">
                    <a href={`/console/groups/${group.id}`}>{group.name}</a>
                    {company.defaultGroupId === group.id ? <span class="badge">Default</span> : null}
                    {group.archivedAt ? <span class="badge muted">Archived</span> : null}
                  </th>
                  <td data-label="Partners">{formatCount(stats.partners ?? 0)}</td>
                  <td data-label="Clicks">{formatCount(stats.clicks)}</td>
                  <td data-label="Signups">
                    {formatCount(stats.signupsPaid + stats.signupsUnpaid)}{" "}
                    <small class="muted">
                      ({formatCount(stats.signupsPaid)} paid, {formatCount(stats.signupsUnpaid)} unpaid)
                    </small>
                  </td>
                  <td data-label="Revenue">{formatUsd(stats.revenueUsdCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>
    ),
  });
}

async function createGroupPage(
  c: Context<AdminContext>,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderConsole>[2] = 200,
) {
  const csrf = await csrfToken(c);
  const { company } = c.get("consoleUser");
  const live = (await allGroupStats(c.env, company.id)).filter((row) => !row.group.archivedAt).length;
  return renderConsole(
    c,
    {
      title: "Create a group",
      section: "groups",
      errors,
      children: (
        <>
          <p class="breadcrumbs">
            <a href="/console">Groups</a>
          </p>
          <h1>Create a group</h1>
          <p class="plan-limit">You have {planGroupsText(company, live)}.</p>
          <PostForm action="/console/groups" csrf={csrf}>
            <TextField
              name="name"
              label="Group name"
              hint="Partners see it. It also names the group's public program page."
              required
              maxlength={100}
              value={fieldValue(values, "name")}
              error={errorOf(errors, "name")}
            />
            <TextField
              name="destination_url"
              type="url"
              label="Link destination"
              hint={
                "Where partners' links send their visitors, e.g. https://acme.com/signup. " +
                "The tracking cookie is set on the way there."
              }
              required
              inputmode="url"
              value={fieldValue(values, "destination_url")}
              error={errorOf(errors, "destination_url")}
            />
            <button type="submit">Create group</button>
          </PostForm>
        </>
      ),
    },
    status,
  );
}
