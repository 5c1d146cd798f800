// Partners (`/console/partners`): the company's partners, filtered by group, and a partner's page to
// move them to another group or archive (and restore) them — through the partners service, as
// GET /v1/partners and PATCH /v1/partners/{id} do, with the API's schemas checking the input.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../admin/context";
import type { groups, partners } from "../db/schema";
import { listAllGroups } from "../groups/service";
import type { FieldError } from "../lib/errors";
import { UpdatePartnerBody } from "../partners/partners.routes";
import { getPartner, listPartners, updatePartner } from "../partners/service";
import { csrfToken } from "../web/csrf";
import { errorOf, PostForm, SelectField } from "../web/form";
import { fieldValue, readForm } from "../web/forms";
import { userCanWrite } from "./auth";
import { checkWith, refusalOf } from "./form-errors";
import { formatDate } from "./format";
import { noticeOf, renderConsole } from "./pages";

type Group = typeof groups.$inferSelect;
type Partner = typeof partners.$inferSelect;

const PAGE_SIZE = 50;
const FIELDS = { labels: { group_id: "Group", status: "Status" }, required: {} };

export function registerPartnersPages(router: Hono<AdminContext>) {
  router.get("/partners", async (c) => partnersPage(c));

  router.get("/partners/:partnerId", async (c) => partnerPage(c, await partnerOf(c), []));

  router.post("/partners/:partnerId/move", async (c) => {
    const partner = await partnerOf(c);
    const values = await readForm(c);
    const fields = { ...FIELDS, required: { group_id: "Select the group to move the partner to" } };
    const checked = checkWith(UpdatePartnerBody, { group_id: fieldValue(values, "group_id") }, values, fields);
    if (!checked.ok) return partnerPage(c, partner, checked.errors, 422);
    return changePartner(c, partner, checked.data, "moved");
  });

  router.post("/partners/:partnerId/status", async (c) => {
    const partner = await partnerOf(c);
    const status = fieldValue(await readForm(c), "status");
    const checked = checkWith(UpdatePartnerBody, { status }, {}, FIELDS);
    if (!checked.ok) return partnerPage(c, partner, checked.errors, 422);
    return changePartner(c, partner, checked.data, status === "archived" ? "archived" : "restored");
  });
}

function partnerOf(c: Context<AdminContext>) {
  return getPartner(c.env, c.get("consoleUser").company.id, c.req.param("partnerId") ?? "");
}

async function changePartner(
  c: Context<AdminContext>,
  partner: Partner,
  changes: Parameters<typeof updatePartner>[3],
  notice: "moved" | "archived" | "restored",
) {
  try {
    await updatePartner(c.env, partner.companyId, partner.id, changes);
  } catch (error) {
    const refusal = refusalOf(error, "group_id", FIELDS);
    if (!refusal) throw error;
    return partnerPage(c, partner, refusal.errors, refusal.status);
  }
  return c.redirect(`/console/partners/${partner.id}?notice=${notice}`, 303);
}

const fullName = (partner: Partner) => `${partner.firstName} ${partner.lastName}`;

async function partnersPage(c: Context<AdminContext>) {
  const { company } = c.get("consoleUser");
  const groupId = c.req.query("group_id") || undefined;
  const startingAfter = c.req.query("starting_after") || undefined;
  const allGroups = await listAllGroups(c.env, company.id);
  const groupNames = new Map(allGroups.map((group) => [group.id, group.name]));
  let errors: FieldError[] = [];
  let page: Awaited<ReturnType<typeof listPartners>> = { rows: [], hasMore: false };
  try {
    page = await listPartners(c.env, company.id, { limit: PAGE_SIZE, startingAfter, groupId });
  } catch (error) {
    // A group or cursor of another company, or none at all: the API's 422, next to the filter.
    const refusal = refusalOf(error, "group_id", FIELDS);
    if (!refusal) throw error;
    errors = refusal.errors.map((e) => ({ ...e, field: "group_id" }));
  }
  const filterQuery = groupId ? `group_id=${encodeURIComponent(groupId)}&` : "";
  const last = page.rows.at(-1);
  return renderConsole(
    c,
    {
      title: "Partners",
      section: "partners",
      errors,
      children: (
        <>
          <h1>Partners</h1>
          <form method="get" action="/console/partners" class="filter" aria-label="Filter partners" novalidate>
            <SelectField
              name="group_id"
              label="Group"
              placeholder="All groups"
              options={allGroups.map((group) => ({ value: group.id, label: group.name }))}
              value={groupId}
              error={errorOf(errors, "group_id")}
            />
            <button type="submit" class="secondary">
              Filter
            </button>
          </form>
          {page.rows.length === 0 ? (
            <p>{groupId ? "No partners in this group." : "No partners yet."}</p>
          ) : (
            <table class="stack-table">
              <caption class="visually-hidden">Partners</caption>
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col">Email</th>
                  <th scope="col">Group</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((partner) => (
                  <tr>
                    <th scope="row">
                      <a href={`/console/partners/${partner.id}`}>{fullName(partner)}</a>
                    </th>
                    <td data-label="Email">{partner.email}</td>
                    <td data-label="Group">{groupNames.get(partner.groupId) ?? ""}</td>
                    <td data-label="Status">{partner.status === "active" ? "Active" : "Archived"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {page.hasMore && last ? (
            <p>
              <a href={`/console/partners?${filterQuery}starting_after=${last.id}`}>Next {PAGE_SIZE} partners</a>
            </p>
          ) : null}
        </>
      ),
    },
    errors.length > 0 ? 422 : 200,
  );
}

async function partnerPage(
  c: Context<AdminContext>,
  partner: Partner,
  errors: FieldError[],
  status: Parameters<typeof renderConsole>[2] = 200,
) {
  const { company } = c.get("consoleUser");
  const allGroups = await listAllGroups(c.env, company.id);
  const group = allGroups.find((item) => item.id === partner.groupId);
  const liveGroups = allGroups.filter((item: Group) => !item.archivedAt);
  const csrf = await csrfToken(c);
  const archived = partner.status === "archived";
  return renderConsole(
    c,
    {
      title: fullName(partner),
      section: "partners",
      errors,
      notice: noticeOf(c),
      children: (
        <>
          <p class="breadcrumbs">
            <a href="/console/partners">Partners</a>
          </p>
          <h1>
            {fullName(partner)}
            {archived ? <span class="badge muted">Archived</span> : null}
          </h1>
          <dl class="details">
            <dt>Email</dt>
            <dd>{partner.email}</dd>
            <dt>Partner key</dt>
            <dd>
              <code>{partner.partnerKey}</code>
            </dd>
            <dt>Group</dt>
            <dd>{group ? <a href={`/console/groups/${group.id}`}>{group.name}</a> : partner.groupId}</dd>
            <dt>Joined</dt>
            <dd>{formatDate(partner.createdAt)}</dd>
          </dl>
          {userCanWrite(c) ? (
            <>
              <h2>Move to another group</h2>
              <PostForm action={`/console/partners/${partner.id}/move`} csrf={csrf}>
                <SelectField
                  name="group_id"
                  label="New group"
                  hint="Their referral links keep working and lead to the new group's destinations."
                  required
                  options={liveGroups.map((item) => ({ value: item.id, label: item.name }))}
                  value={partner.groupId}
                  error={errorOf(errors, "group_id")}
                />
                <button type="submit">Move partner</button>
              </PostForm>
              <h2>{archived ? "Restore" : "Archive"}</h2>
              <PostForm action={`/console/partners/${partner.id}/status`} csrf={csrf}>
                <input type="hidden" name="status" value={archived ? "active" : "archived"} />
                <p>
                  {archived
                    ? "Restoring makes their referral links work again."
                    : "Archiving stops their referral links: visitors go to your fallback URL. " +
                      "You can restore them later."}
                </p>
                {errorOf(errors, "status") ? (
                  <p class="field-error" id="field-status">
                    {errorOf(errors, "status")}
                  </p>
                ) : null}
                <button type="submit" class={archived ? "secondary" : "secondary outline"}>
                  {archived ? "Restore partner" : "Archive partner"}
                </button>
              </PostForm>
            </>
          ) : null}
        </>
      ),
    },
    status,
  );
}
