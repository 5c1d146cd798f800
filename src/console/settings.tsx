// Company settings (`/console/settings`): the company's default group, terms and fallback URLs (as
// PATCH /v1/company), its link domains (./link-domains.tsx), its API keys (list, create —
// the secret shown once —, revoke) and, for owners, its users and invites. Every write goes through
// the service the API uses, its input checked by the API's schema.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AdminContext } from "../admin/context";
import { CreateApiKeyBody } from "../api-keys/api-keys.routes";
import { createApiKey, listApiKeys, revokeApiKey } from "../api-keys/service";
import { UpdateCompanyBody } from "../companies/company.routes";
import { updateCompanySettings } from "../companies/service";
import { listAllGroups } from "../groups/service";
import type { FieldError } from "../lib/errors";
import {
  createInvite,
  INVITE_TTL_MS,
  InviteInput,
  listPendingInvites,
  listUsers,
  removeUser,
  revokeInvite,
} from "../users/service";
import { COPY_SCRIPT_PATH } from "../web/assets";
import { CopyField } from "../web/copy";
import { csrfToken } from "../web/csrf";
import { errorOf, PostForm, RadioField, SelectField, TextField } from "../web/form";
import { type FormValues, fieldValue, readForm } from "../web/forms";
import { revokeSessionsOf } from "../web/sessions";
import { requireOwner, userCanWrite, userIsOwner } from "./auth";
import { checkWith, refusalOf } from "./form-errors";
import { formatDate } from "./format";
import { type ConsolePageProps, noticeOf, renderConsole } from "./pages";

type SettingsSection = "company" | "link-domains" | "api-keys" | "users";

const SETTINGS_SECTIONS: { section: SettingsSection; label: string; href: string; ownerOnly?: boolean }[] = [
  { section: "company", label: "Company", href: "/console/settings" },
  { section: "link-domains", label: "Link domains", href: "/console/settings/link-domains" },
  { section: "api-keys", label: "API keys", href: "/console/settings/api-keys" },
  { section: "users", label: "Users", href: "/console/settings/users", ownerOnly: true },
];

const COMPANY_FIELDS = {
  labels: { default_group_id: "Default group", terms_url: "Terms of service URL", fallback_url: "Fallback URL" },
};
const KEY_FIELDS = { labels: { name: "Key name" }, required: { name: "Enter a name for the key" } };
const INVITE_FIELDS = {
  labels: { email: "Email address", role: "Role" },
  required: { email: "Enter the email address to invite", role: "Select a role" },
};

const ROLE_OPTIONS = [
  { value: "admin", label: "Admin: manages groups, partners, settings and API keys" },
  { value: "viewer", label: "Viewer: sees everything, changes nothing" },
  { value: "owner", label: "Owner: everything, and the users and invites" },
];

export function registerSettingsPages(router: Hono<AdminContext>) {
  router.get("/settings", async (c) => companyPage(c, null, []));
  router.post("/settings", async (c) => {
    const { company } = c.get("consoleUser");
    const values = await readForm(c);
    const optional = (name: string) => {
      const value = fieldValue(values, name).trim();
      return value === "" ? null : value;
    };
    const defaultGroup = fieldValue(values, "default_group_id");
    const body = {
      ...(defaultGroup ? { default_group_id: defaultGroup } : {}),
      terms_url: optional("terms_url"),
      fallback_url: optional("fallback_url"),
    };
    const checked = checkWith(UpdateCompanyBody, body, values, COMPANY_FIELDS);
    if (!checked.ok) return companyPage(c, values, checked.errors, 422);
    try {
      await updateCompanySettings(c.env, company.id, checked.data);
    } catch (error) {
      const refusal = refusalOf(error, "default_group_id", COMPANY_FIELDS);
      if (!refusal) throw error;
      return companyPage(c, values, refusal.errors, refusal.status);
    }
    return c.redirect("/console/settings?notice=saved", 303);
  });

  router.get("/settings/api-keys", async (c) => apiKeysPage(c, {}, []));
  router.post("/settings/api-keys", async (c) => {
    const values = await readForm(c);
    const checked = checkWith(CreateApiKeyBody, { name: fieldValue(values, "name") }, values, KEY_FIELDS);
    if (!checked.ok) return apiKeysPage(c, values, checked.errors, 422);
    try {
      const key = await createApiKey(c.env, c.get("consoleUser").company.id, checked.data);
      return apiKeysPage(c, {}, [], 200, { name: key.name, secret: key.secret });
    } catch (error) {
      const refusal = refusalOf(error, "name", KEY_FIELDS);
      if (!refusal) throw error;
      return apiKeysPage(c, values, refusal.errors, refusal.status);
    }
  });
  router.post("/settings/api-keys/:keyId/revoke", async (c) => {
    try {
      await revokeApiKey(c.env, c.get("consoleUser").company.id, c.req.param("keyId"));
    } catch (error) {
      // The last active key (409): said above the list.
      const refusal = refusalOf(error, "api_keys", KEY_FIELDS);
      if (!refusal) throw error;
      return apiKeysPage(c, {}, refusal.errors, refusal.status);
    }
    return c.redirect("/console/settings/api-keys?notice=revoked", 303);
  });

  router.use("/settings/users", requireOwner);
  router.use("/settings/users/*", requireOwner);
  router.get("/settings/users", async (c) => usersPage(c, {}, []));
  router.post("/settings/users/invites", async (c) => {
    const { user, company } = c.get("consoleUser");
    const values = await readForm(c);
    const body = { email: fieldValue(values, "email"), role: fieldValue(values, "role") };
    const checked = checkWith(InviteInput, body, values, INVITE_FIELDS);
    if (!checked.ok) return usersPage(c, values, checked.errors, 422);
    try {
      const { invite, token } = await createInvite(c.env, company.id, user.id, checked.data);
      const url = `${new URL(c.req.url).origin}/console/invites/${token}`;
      const mailed = await mailInvite(c, invite.email, url);
      return usersPage(c, {}, [], 200, { email: invite.email, url, mailed });
    } catch (error) {
      const refusal = refusalOf(error, "email", INVITE_FIELDS);
      if (!refusal) throw error;
      return usersPage(c, values, refusal.errors, refusal.status);
    }
  });
  router.post("/settings/users/invites/:inviteId/revoke", async (c) => {
    await revokeInvite(c.env, c.get("consoleUser").company.id, c.req.param("inviteId"));
    return c.redirect("/console/settings/users?notice=revoked", 303);
  });
  router.post("/settings/users/:userId/remove", async (c) => {
    const { user, company } = c.get("consoleUser");
    try {
      const removed = await removeUser(c.env, company.id, c.req.param("userId"), user.id);
      // Their open sessions end now (a session of a removed user would sign nobody in anyway).
      await revokeSessionsOf(c.env.DB, "user", removed.id);
    } catch (error) {
      const refusal = refusalOf(error, "users", { labels: {} });
      if (!refusal) throw error;
      return usersPage(
        c,
        {},
        refusal.errors.map((e) => ({ ...e, field: "users" })),
        refusal.status,
      );
    }
    return c.redirect("/console/settings/users?notice=removed", 303);
  });
}

/** Emails the invite link (the local mailer keeps it in `mail_outbox`); false when sending failed. */
async function mailInvite(c: Context<AdminContext>, to: string, url: string): Promise<boolean> {
  const { user, company } = c.get("consoleUser");
  try {
    await c.get("mailer").send({
      to,
      companyId: company.id,
      subject: `${user.email} invites you to ${company.name}'s partner console`,
      text:
        `${user.email} invites you to manage ${company.name}'s partner program on edgeref.\n\n` +
        `Open this link to choose your password (it works once, for 7 days):\n${url}\n`,
    });
    return true;
  } catch (error) {
    console.error(JSON.stringify({ msg: "invite mail failed", error: String(error) }));
    return false;
  }
}

function SettingsNav({ c, current }: { c: Context<AdminContext>; current: SettingsSection }) {
  const owner = userIsOwner(c);
  return (
    <nav aria-label="Settings sections" class="tabs">
      <ul>
        {SETTINGS_SECTIONS.filter((item) => owner || !item.ownerOnly).map((item) => (
          <li>
            <a href={item.href} aria-current={item.section === current ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A settings page: the Settings heading, the sections nav and the section's own content. */
export function renderSettings(
  c: Context<AdminContext>,
  current: SettingsSection,
  props: Omit<ConsolePageProps, "section" | "title">,
  status: Parameters<typeof renderConsole>[2] = 200,
) {
  const label = SETTINGS_SECTIONS.find((item) => item.section === current)!.label;
  const children: Child = (
    <>
      <h1>Settings</h1>
      <SettingsNav c={c} current={current} />
      <section class="tab-body" aria-labelledby="tab-title">
        <h2 id="tab-title">{label}</h2>
        {props.children}
      </section>
    </>
  );
  return renderConsole(c, { ...props, title: `${label} settings`, section: "settings", children }, status);
}

async function companyPage(
  c: Context<AdminContext>,
  values: FormValues | null,
  errors: FieldError[],
  status: Parameters<typeof renderConsole>[2] = 200,
) {
  const { company } = c.get("consoleUser");
  const liveGroups = (await listAllGroups(c.env, company.id)).filter((group) => !group.archivedAt);
  const value = (name: string, current: string | null) => (values ? fieldValue(values, name) : (current ?? ""));
  const defaultGroup = liveGroups.find((group) => group.id === company.defaultGroupId);
  return renderSettings(
    c,
    "company",
    {
      errors,
      notice: noticeOf(c),
      children: userCanWrite(c) ? (
        <PostForm action="/console/settings" csrf={await csrfToken(c)}>
          <SelectField
            name="default_group_id"
            label="Default group"
            hint="Partners who apply through your marketplace page land in this group."
            required
            options={liveGroups.map((group) => ({ value: group.id, label: group.name }))}
            placeholder={liveGroups.length === 0 ? "No groups yet" : undefined}
            value={value("default_group_id", company.defaultGroupId)}
            error={errorOf(errors, "default_group_id")}
          />
          <TextField
            name="terms_url"
            type="url"
            label="Terms of service URL"
            hint="A public https link to your partner program's terms. A group's own terms replace it."
            inputmode="url"
            value={value("terms_url", company.termsUrl)}
            error={errorOf(errors, "terms_url")}
          />
          <TextField
            name="fallback_url"
            type="url"
            label="Fallback URL"
            hint="Where an unknown or disabled partner link sends its visitor. Empty: a small 'not found' page."
            inputmode="url"
            value={value("fallback_url", company.fallbackUrl)}
            error={errorOf(errors, "fallback_url")}
          />
          <button type="submit">Save</button>
        </PostForm>
      ) : (
        <dl class="details">
          <dt>Default group</dt>
          <dd>{defaultGroup?.name ?? "None yet"}</dd>
          <dt>Terms of service URL</dt>
          <dd>{company.termsUrl ?? "None"}</dd>
          <dt>Fallback URL</dt>
          <dd>{company.fallbackUrl ?? "None"}</dd>
        </dl>
      ),
    },
    status,
  );
}

async function apiKeysPage(
  c: Context<AdminContext>,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderConsole>[2] = 200,
  created?: { name: string; secret: string },
) {
  const keys = await listApiKeys(c.env, c.get("consoleUser").company.id);
  const csrf = await csrfToken(c);
  const writer = userCanWrite(c);
  return renderSettings(
    c,
    "api-keys",
    {
      errors,
      notice: noticeOf(c),
      scripts: created ? [COPY_SCRIPT_PATH] : undefined,
      children: (
        <>
          {created ? (
            <div class="secret-once" role="status">
              <h3>Key "{created.name}" created</h3>
              <p>
                Copy its secret now: it is shown <strong>only this once</strong> (edgeref keeps only a hash of it).
              </p>
              <CopyField name="secret" label="Secret key" value={created.secret} />
            </div>
          ) : null}
          <p>
            Keys call the <a href="/docs">admin API</a> for your company. At most 25 can be active at once.
          </p>
          {errorOf(errors, "api_keys") ? (
            <p class="field-error" id="field-api_keys">
              {errorOf(errors, "api_keys")}
            </p>
          ) : null}
          <table class="stack-table">
            <caption class="visually-hidden">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr>
                  <th scope="row">{key.name}</th>
                  <td data-label="Starts with">
                    <code>{key.prefix}…</code>
                  </td>
                  <td data-label="Created">{formatDate(key.createdAt)}</td>
                  <td data-label="State">
                    {key.revokedAt ? (
                      `Revoked ${formatDate(key.revokedAt)}`
                    ) : writer ? (
                      <PostForm action={`/console/settings/api-keys/${key.id}/revoke`} csrf={csrf}>
                        Active{" "}
                        <button type="submit" class="secondary outline small">
                          Revoke<span class="visually-hidden"> {key.name}</span>
                        </button>
                      </PostForm>
                    ) : (
                      "Active"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {writer ? (
            <>
              <h3>Create a key</h3>
              <PostForm action="/console/settings/api-keys" csrf={csrf}>
                <TextField
                  name="name"
                  label="Key name"
                  hint="Say where it is used, e.g. Billing backend."
                  required
                  maxlength={100}
                  value={fieldValue(values, "name")}
                  error={errorOf(errors, "name")}
                />
                <button type="submit">Create key</button>
              </PostForm>
            </>
          ) : null}
        </>
      ),
    },
    status,
  );
}

async function usersPage(
  c: Context<AdminContext>,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderConsole>[2] = 200,
  invited?: { email: string; url: string; mailed: boolean },
) {
  const { user: me, company } = c.get("consoleUser");
  const [people, invites] = await Promise.all([listUsers(c.env, company.id), listPendingInvites(c.env, company.id)]);
  const csrf = await csrfToken(c);
  const days = INVITE_TTL_MS / (24 * 60 * 60 * 1000);
  return renderSettings(
    c,
    "users",
    {
      errors,
      notice: noticeOf(c),
      scripts: invited ? [COPY_SCRIPT_PATH] : undefined,
      children: (
        <>
          {invited ? (
            <div class="secret-once" role="status">
              <h3>Invite for {invited.email} created</h3>
              <p>
                {invited.mailed
                  ? `We emailed this link to ${invited.email}. You may also send it yourself. `
                  : `We could not email it: send this link to ${invited.email} yourself. `}
                It works once, for {days} days, and is shown only now.
              </p>
              <CopyField name="invite_url" label="Invite link" value={invited.url} />
            </div>
          ) : null}
          {errorOf(errors, "users") ? (
            <p class="field-error" id="field-users">
              {errorOf(errors, "users")}
            </p>
          ) : null}
          <table class="stack-table">
            <caption class="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people.map((person) => (
                <tr>
                  <th scope="row">
                    {person.email}
                    {person.id === me.id ? " (you)" : ""}
                  </th>
                  <td data-label="Role">{person.role}</td>
                  <td data-label="Since">{formatDate(person.createdAt)}</td>
                  <td>
                    {person.id === me.id ? null : (
                      <PostForm action={`/console/settings/users/${person.id}/remove`} csrf={csrf}>
                        <button type="submit" class="secondary outline small">
                          Remove<span class="visually-hidden"> {person.email}</span>
                        </button>
                      </PostForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {invites.length > 0 ? (
            <>
              <h3>Invites waiting</h3>
              <ul class="plain">
                {invites.map((invite) => (
                  <li>
                    <PostForm action={`/console/settings/users/invites/${invite.id}/revoke`} csrf={csrf}>
                      {invite.email} ({invite.role}), until {formatDate(invite.expiresAt)}{" "}
                      <button type="submit" class="secondary outline small">
                        Withdraw<span class="visually-hidden"> the invite for {invite.email}</span>
                      </button>
                    </PostForm>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Invite someone</h3>
          <PostForm action="/console/settings/users/invites" csrf={csrf}>
            <TextField
              name="email"
              type="email"
              label="Email address"
              required
              autocomplete="off"
              value={fieldValue(values, "email")}
              error={errorOf(errors, "email")}
            />
            <RadioField
              name="role"
              label="Role"
              required
              options={ROLE_OPTIONS}
              value={fieldValue(values, "role") || "admin"}
              error={errorOf(errors, "role")}
            />
            <button type="submit">Create invite link</button>
          </PostForm>
        </>
      ),
    },
    status,
  );
}
