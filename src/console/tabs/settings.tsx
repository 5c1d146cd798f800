// A group's Settings tab: its name (renaming moves the public program page; referral links stay),
// its program page link to preview and copy, and its own terms of service URL (overrides the
// company's; public https only — the API's rule). Saved through the groups service, as
// PATCH /v1/groups/{id} does.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import type { groups } from "../../db/schema";
import { programPageUrl } from "../../groups/groups.handlers";
import { UpdateGroupBody } from "../../groups/groups.routes";
import { updateGroup } from "../../groups/service";
import type { FieldError } from "../../lib/errors";
import { COPY_SCRIPT_PATH } from "../../web/assets";
import { CopyField } from "../../web/copy";
import { csrfToken } from "../../web/csrf";
import { errorOf, PostForm, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { userCanWrite } from "../auth";
import { checkWith, refusalOf } from "../form-errors";
import { groupOf, groupPath, renderGroupTab } from "../group-page";
import { noticeOf } from "../pages";

type Group = typeof groups.$inferSelect;

const FIELDS = {
  labels: { name: "Group name", terms_url: "Terms of service URL" },
  required: { name: "Enter a name for the group" },
};

export function registerSettingsTab(router: Hono<AdminContext>) {
  router.get("/groups/:groupId/settings", async (c) => {
    const group = await groupOf(c);
    return settingsTab(c, group, { name: group.name, terms_url: group.termsUrl ?? "" }, []);
  });

  router.post("/groups/:groupId/settings", async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const terms = fieldValue(values, "terms_url").trim();
    const body = { name: fieldValue(values, "name"), terms_url: terms === "" ? null : terms };
    const checked = checkWith(UpdateGroupBody, body, values, FIELDS);
    if (!checked.ok) return settingsTab(c, group, values, checked.errors, 422);
    try {
      await updateGroup(c.env, group.companyId, group.id, checked.data);
    } catch (error) {
      const refusal = refusalOf(error, "name", FIELDS);
      if (!refusal) throw error;
      return settingsTab(c, group, values, refusal.errors, refusal.status);
    }
    return c.redirect(`${groupPath(group.id, "settings")}?notice=saved`, 303);
  });
}

async function settingsTab(
  c: Context<AdminContext>,
  group: Group,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const { company } = c.get("consoleUser");
  const pageUrl = programPageUrl(new URL(c.req.url).origin, company, group);
  const companyTerms = company.termsUrl ? `the company's, ${company.termsUrl}` : "none: the company has no terms URL";
  const termsHint =
    "A public https link. It replaces the company's terms for this group's partners. " +
    `Leave it empty to use the company's (now ${companyTerms}).`;
  return renderGroupTab(
    c,
    {
      group,
      tab: "settings",
      errors,
      notice: noticeOf(c),
      scripts: [COPY_SCRIPT_PATH],
      children: (
        <>
          <h3>Public program page</h3>
          <p>Share this page with partners who should apply to or join this group rather than your default group.</p>
          <CopyField name="program_page_url" label="Program page link" value={pageUrl} />
          <p>
            <a href={pageUrl} target="_blank" rel="noopener">
              Preview the program page<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
          <h3>Group details</h3>
          {userCanWrite(c) ? (
            <PostForm action={groupPath(group.id, "settings")} csrf={await csrfToken(c)}>
              <TextField
                name="name"
                label="Group name"
                hint={
                  "Changing the name changes the program page link above: share the new link wherever you shared " +
                  "the old one (which redirects to it). Partners' referral links do not change."
                }
                required
                maxlength={100}
                value={fieldValue(values, "name")}
                error={errorOf(errors, "name")}
              />
              <TextField
                name="terms_url"
                type="url"
                label="Terms of service URL"
                hint={termsHint}
                inputmode="url"
                value={fieldValue(values, "terms_url")}
                error={errorOf(errors, "terms_url")}
              />
              <button type="submit">Save</button>
            </PostForm>
          ) : (
            <dl class="details">
              <dt>Group name</dt>
              <dd>{group.name}</dd>
              <dt>Terms of service</dt>
              <dd>{group.termsUrl ?? `The company's (${company.termsUrl ?? "none"})`}</dd>
            </dl>
          )}
        </>
      ),
    },
    status,
  );
}
