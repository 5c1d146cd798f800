// A group's Links tab: the referral-links switch and the group's default links (at most 3): each with
// its title, description, destination, UTMs and link text. A link is created and edited with the
// API's own schemas (CreateDefaultLink, UpdateDefaultLink) through the links service; its link text
// is fixed once created (partners' links use it); the original link cannot be deleted, and deleting
// another asks for confirmation first (a GET page, then the POST), warning to tell partners.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import type { defaultLinks, groups } from "../../db/schema";
import { UpdateGroupBody } from "../../groups/groups.routes";
import { updateGroup } from "../../groups/service";
import { ApiError, type FieldError } from "../../lib/errors";
import { PROBLEMS } from "../../lib/problems";
import { CreateLinkBody, UpdateLinkBody } from "../../links/links.routes";
import {
  createDefaultLink,
  deleteDefaultLink,
  getDefaultLink,
  listDefaultLinks,
  MAX_DEFAULT_LINKS,
  updateDefaultLink,
} from "../../links/service";
import { fromUtmParams, UTM_NAMES } from "../../links/utm";
import { servedLinkOrigin } from "../../social/social.handlers";
import { csrfToken } from "../../web/csrf";
import { CheckboxField, errorOf, PostForm, TextAreaField, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { notFoundPage } from "../../web/pages";
import { userCanWrite } from "../auth";
import { checkWith, refusalOf } from "../form-errors";
import { groupOf, groupPath, renderGroupTab } from "../group-page";
import { forbiddenPage, noticeOf } from "../pages";
import { isChecked, labelled, textareaValue } from "./field-words";

type Group = typeof groups.$inferSelect;
type DefaultLink = typeof defaultLinks.$inferSelect;

const LABELS: Record<string, string> = {
  title: "Title",
  description: "Description",
  destination_url: "Link destination",
  link_text: "Link text",
  lock_utms: "Keep these UTMs",
  referral_links_enabled: "Referral links",
  ...Object.fromEntries(UTM_NAMES.map((name) => [`utm.${name}`, name])),
};
const labelOf = (field: string) => LABELS[field];
const REQUIRED = {
  title: "Enter a title for the link",
  destination_url: "Enter the link destination",
};

const FIXED_LINK_TEXT =
  "The link text cannot be changed: partners' links already use it, and links they have shared would break.";
const ORIGINAL_UNDELETABLE =
  "The original link cannot be deleted: it was created with the group, and every partner's main link uses it.";

const linksPath = (groupId: string) => groupPath(groupId, "links");
const linkPath = (groupId: string, linkId: string) => `${linksPath(groupId)}/${linkId}`;

export function registerLinksTab(router: Hono<AdminContext>) {
  router.get("/groups/:groupId/links", async (c) => linksTab(c, await groupOf(c)));

  // Static paths before `/links/:linkId`, which would match them too.
  router.post("/groups/:groupId/links/referral-links", async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const wanted = fieldValue(values, "referral_links_enabled");
    const body = { referral_links_enabled: wanted === "true" ? true : wanted === "false" ? false : wanted };
    const checked = checkWith(UpdateGroupBody, body, values, { labels: {} });
    if (!checked.ok) return linksTab(c, group, labelled(checked.errors, labelOf), 422);
    await updateGroup(c.env, group.companyId, group.id, checked.data);
    return c.redirect(`${linksPath(group.id)}?notice=saved`, 303);
  });

  router.get("/groups/:groupId/links/new", async (c) => {
    const group = await groupOf(c);
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see links, not create them.");
    return linkFormPage(c, group, null, {}, []);
  });

  router.post("/groups/:groupId/links", async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const body = {
      ...linkFields(values),
      link_text: fieldValue(values, "link_text"),
    };
    const required = { ...REQUIRED, link_text: "Enter the link text" };
    const checked = checkWith(CreateLinkBody, body, values, { labels: {}, required });
    if (!checked.ok) return linkFormPage(c, group, null, values, labelled(checked.errors, labelOf), 422);
    try {
      await createDefaultLink(c.env, group.companyId, group.id, checked.data);
    } catch (error) {
      // A link text already used belongs next to it; the limit of 3 (a 409) next to the form's first field.
      const onLinkText =
        error instanceof ApiError &&
        (error.problem === PROBLEMS.linkTextTaken || error.problem === PROBLEMS.slugConflict);
      const refusal = refusalOf(error, onLinkText ? "link_text" : "title", { labels: {} });
      if (!refusal) throw error;
      return linkFormPage(c, group, null, values, labelled(refusal.errors, labelOf), refusal.status);
    }
    return c.redirect(`${linksPath(group.id)}?notice=created`, 303);
  });

  router.get("/groups/:groupId/links/:linkId", async (c) => {
    const group = await groupOf(c);
    const link = await linkOf(c, group);
    if (!link) return notFoundPage(c);
    return linkFormPage(c, group, link, valuesOf(link), []);
  });

  router.post("/groups/:groupId/links/:linkId", async (c) => {
    const group = await groupOf(c);
    const link = await linkOf(c, group);
    if (!link) return notFoundPage(c);
    const values = await readForm(c);
    const checked = checkWith(UpdateLinkBody, linkFields(values), values, { labels: {}, required: REQUIRED });
    if (!checked.ok) return linkFormPage(c, group, link, values, labelled(checked.errors, labelOf), 422);
    try {
      await updateDefaultLink(c.env, group.companyId, link.id, checked.data);
    } catch (error) {
      const refusal = refusalOf(error, "title", { labels: {} });
      if (!refusal) throw error;
      return linkFormPage(c, group, link, values, labelled(refusal.errors, labelOf), refusal.status);
    }
    return c.redirect(`${linksPath(group.id)}?notice=saved`, 303);
  });

  router.get("/groups/:groupId/links/:linkId/delete", async (c) => {
    const group = await groupOf(c);
    const link = await linkOf(c, group);
    if (!link) return notFoundPage(c);
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see links, not delete them.");
    return deletePage(c, group, link, []);
  });

  router.post("/groups/:groupId/links/:linkId/delete", async (c) => {
    const group = await groupOf(c);
    const link = await linkOf(c, group);
    if (!link) return notFoundPage(c);
    try {
      await deleteDefaultLink(c.env, group.companyId, link.id);
    } catch (error) {
      // The original link: the API's 409, on the page that asked.
      const refusal = refusalOf(error, "delete", { labels: {} });
      if (!refusal) throw error;
      return deletePage(c, group, link, refusal.errors, refusal.status);
    }
    return c.redirect(`${linksPath(group.id)}?notice=removed`, 303);
  });
}

/** The path's link, when it is a live link of this group (another group's or company's: none, the 404 page). */
async function linkOf(c: Context<AdminContext>, group: Group): Promise<DefaultLink | null> {
  const link = await getDefaultLink(c.env, group.companyId, c.req.param("linkId") ?? "").catch((error) => {
    if (error instanceof ApiError && error.problem === PROBLEMS.notFound) return null;
    throw error;
  });
  return link && link.groupId === group.id ? link : null;
}

/** The fields a create and an edit share, as the API names them. */
function linkFields(values: FormValues) {
  return {
    title: fieldValue(values, "title"),
    description: textareaValue(values, "description"),
    destination_url: fieldValue(values, "destination_url"),
    utm: Object.fromEntries(UTM_NAMES.map((name) => [name, fieldValue(values, `utm.${name}`).trim()])),
    lock_utms: isChecked(values, "lock_utms"),
  };
}

function valuesOf(link: DefaultLink): FormValues {
  const { utm } = fromUtmParams(link.utmParams);
  return {
    title: link.title,
    description: link.description,
    destination_url: link.destinationUrl,
    ...Object.fromEntries(UTM_NAMES.map((name) => [`utm.${name}`, utm[name] ?? ""])),
    ...(link.lockUtms ? { lock_utms: "yes" } : {}),
    link_text: link.linkText,
  };
}

/** What a partner's link for this default link looks like: `<domain>/{partner_key}--<link text>`. */
function partnerLinkPattern(origin: string | null, link: Pick<DefaultLink, "linkText">) {
  const slug = link.linkText ? `{partner_key}--${link.linkText}` : "{partner_key}";
  return `${origin ?? "https://<your link domain>"}/${slug}`;
}

/**
 * The pattern as code that wraps after the domain on a narrow screen: the slug is one block (its
 * `--` never split over two lines) unless it is wider than the line itself.
 */
function PartnerLinkPattern({ origin, link }: { origin: string | null; link: Pick<DefaultLink, "linkText"> }) {
  const pattern = partnerLinkPattern(origin, link);
  const slash = pattern.lastIndexOf("/") + 1;
  return (
    <code>
      {pattern.slice(0, slash)}
      <span class="slug">{pattern.slice(slash)}</span>
    </code>
  );
}

async function linksTab(
  c: Context<AdminContext>,
  group: Group,
  errors: FieldError[] = [],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const [links, origin] = await Promise.all([
    listDefaultLinks(c.env, group.companyId, group.id),
    servedLinkOrigin(c.env, group.companyId),
  ]);
  const canWrite = userCanWrite(c);
  const csrf = canWrite ? await csrfToken(c) : "";
  const on = group.referralLinksEnabled;
  return renderGroupTab(
    c,
    {
      group,
      tab: "links",
      errors,
      notice: noticeOf(c),
      children: (
        <>
          <h3 id="referral-links">Referral links</h3>
          <p id="field-referral_links_enabled">
            {on ? (
              <>
                <strong>On.</strong> Partners' links send visitors to the destinations below.
              </>
            ) : (
              <>
                <strong>Off.</strong> Partners' links to this group lead to the company's fallback URL (or a "not found"
                page) until you turn them on.
              </>
            )}
          </p>
          {errorOf(errors, "referral_links_enabled") ? (
            <p class="field-error">{errorOf(errors, "referral_links_enabled")}</p>
          ) : null}
          {canWrite ? (
            <div class="inline-action">
              <PostForm action={`${linksPath(group.id)}/referral-links`} csrf={csrf}>
                <input type="hidden" name="referral_links_enabled" value={on ? "false" : "true"} />
                <button type="submit" class={on ? "secondary" : undefined}>
                  {on ? "Turn referral links off" : "Turn referral links on"}
                </button>
              </PostForm>
            </div>
          ) : null}
          <div class="section-heading links-heading">
            <h3>Default links</h3>
            {canWrite ? (
              <a href={`${linksPath(group.id)}/new`} class="button-link">
                Create a default link
              </a>
            ) : null}
          </div>
          <p>
            {links.length} of {MAX_DEFAULT_LINKS} default links. Every partner of the group gets a link for each: use
            them to send visitors to different pages or products.
          </p>
          <ul class="plain link-cards">
            {links.map((link) => (
              <li>
                <LinkCard group={group} link={link} origin={origin} canWrite={canWrite} />
              </li>
            ))}
          </ul>
        </>
      ),
    },
    status,
  );
}

function LinkCard({
  group,
  link,
  origin,
  canWrite,
}: {
  group: Group;
  link: DefaultLink;
  origin: string | null;
  canWrite: boolean;
}) {
  const { utm, custom_params: custom } = fromUtmParams(link.utmParams);
  const params = [...Object.entries(utm), ...Object.entries(custom)];
  const original = link.position === 1;
  const whyId = `link-${link.id}-why`;
  return (
    <article class="link-card" aria-labelledby={`link-${link.id}-title`}>
      <h4 id={`link-${link.id}-title`}>
        {link.title}
        {original ? <span class="badge">Original</span> : null}
      </h4>
      {link.description ? <p>{link.description}</p> : null}
      <dl class="details">
        <dt>Destination</dt>
        <dd>{link.destinationUrl}</dd>
        <dt>UTMs</dt>
        <dd>
          {params.length === 0
            ? "None"
            : params.map(([name, value]) => (
                <>
                  <code>
                    {name}={value}
                  </code>{" "}
                </>
              ))}
        </dd>
        <dt>Link text</dt>
        <dd>{link.linkText ? <code>{link.linkText}</code> : "None (the original link)"}</dd>
        <dt>Partners' links</dt>
        <dd>
          <PartnerLinkPattern origin={origin} link={link} />
        </dd>
      </dl>
      {canWrite ? (
        <div class="actions">
          <a href={linkPath(group.id, link.id)} class="button-link secondary">
            Edit<span class="visually-hidden"> {link.title}</span>
          </a>
          {original ? (
            <>
              <button type="button" class="secondary outline" disabled aria-describedby={whyId}>
                Delete<span class="visually-hidden"> {link.title}</span>
              </button>
              <small id={whyId} class="muted">
                {ORIGINAL_UNDELETABLE}
              </small>
            </>
          ) : (
            <a href={`${linkPath(group.id, link.id)}/delete`} class="button-link secondary">
              Delete<span class="visually-hidden"> {link.title}</span>
            </a>
          )}
        </div>
      ) : null}
    </article>
  );
}

async function linkFormPage(
  c: Context<AdminContext>,
  group: Group,
  link: DefaultLink | null,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const [live, origin] = await Promise.all([
    link ? Promise.resolve([]) : listDefaultLinks(c.env, group.companyId, group.id),
    servedLinkOrigin(c.env, group.companyId),
  ]);
  const canWrite = userCanWrite(c);
  const heading = link ? (canWrite ? `Edit “${link.title}”` : link.title) : "Create a default link";
  const fields = (
    <>
      <TextField
        name="title"
        label="Title"
        hint="Partners see it: say where the link leads, e.g. Pricing page."
        required
        maxlength={100}
        value={fieldValue(values, "title")}
        error={errorOf(errors, "title")}
      />
      <TextAreaField
        name="description"
        label="Description"
        hint="Why a partner might use this link."
        rows={2}
        maxlength={500}
        value={fieldValue(values, "description")}
        error={errorOf(errors, "description")}
      />
      <TextField
        name="destination_url"
        type="url"
        label="Link destination"
        hint="Where the link sends visitors, e.g. https://acme.com/pricing. The tracking cookie is set on the way."
        required
        inputmode="url"
        value={fieldValue(values, "destination_url")}
        error={errorOf(errors, "destination_url")}
      />
      <fieldset class="utms">
        <legend>UTMs (optional)</legend>
        <small class="field-hint">
          Added to the destination for your analytics. A value may hold {"{partner_key}"}, replaced by the partner's key
          on every click.
        </small>
        {UTM_NAMES.map((name) => (
          <TextField
            name={`utm.${name}`}
            label={name}
            maxlength={500}
            value={fieldValue(values, `utm.${name}`)}
            error={errorOf(errors, `utm.${name}`)}
          />
        ))}
      </fieldset>
      <CheckboxField
        name="lock_utms"
        label="Keep these UTMs even when the visitor's own link carries UTMs"
        checked={fieldValue(values, "lock_utms") !== ""}
        error={errorOf(errors, "lock_utms")}
      />
    </>
  );
  const linkTextField = link ? (
    // Shown, never sent: the API refuses a change (its UpdateDefaultLink schema says why).
    <div class="field">
      <label for="field-link_text">Link text</label>
      <small id="field-link_text-hint" class="field-hint">
        {link.linkText
          ? `${FIXED_LINK_TEXT} Partners' links: ${partnerLinkPattern(origin, link)}`
          : `None: this is the group's original link. Partners' main links are ${partnerLinkPattern(origin, link)}.`}
      </small>
      <input
        id="field-link_text"
        type="text"
        value={link.linkText || "(none)"}
        readonly
        aria-describedby="field-link_text-hint"
      />
    </div>
  ) : (
    <TextField
      name="link_text"
      label="Link text"
      hint={
        "Letters, digits and single dashes. Partners' links become " +
        `${partnerLinkPattern(origin, { linkText: "<link text>" })}, e.g. …/jane-doe--pricing. ` +
        "It cannot be changed later: links partners have shared would break."
      }
      required
      maxlength={40}
      value={fieldValue(values, "link_text")}
      error={errorOf(errors, "link_text")}
    />
  );
  return renderGroupTab(
    c,
    {
      group,
      tab: "links",
      errors,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={linksPath(group.id)}>Links</a>
          </p>
          <h3>{heading}</h3>
          {link ? null : (
            <p>
              {live.length} of {MAX_DEFAULT_LINKS} default links.
              {live.length >= MAX_DEFAULT_LINKS ? " Delete one before adding another." : ""}
            </p>
          )}
          {canWrite ? (
            <PostForm action={link ? linkPath(group.id, link.id) : linksPath(group.id)} csrf={await csrfToken(c)}>
              {link ? linkTextField : null}
              {fields}
              {link ? null : linkTextField}
              <button type="submit">{link ? "Save" : "Create link"}</button>
            </PostForm>
          ) : (
            link && <ReadOnlyLink link={link} origin={origin} />
          )}
        </>
      ),
    },
    status,
  );
}

function ReadOnlyLink({ link, origin }: { link: DefaultLink; origin: string | null }) {
  const { utm, custom_params: custom } = fromUtmParams(link.utmParams);
  return (
    <dl class="details">
      <dt>Description</dt>
      <dd>{link.description || "None"}</dd>
      <dt>Destination</dt>
      <dd>{link.destinationUrl}</dd>
      <dt>UTMs</dt>
      <dd>
        {[...Object.entries(utm), ...Object.entries(custom)].map(([name, value]) => `${name}=${value}`).join(", ") ||
          "None"}
      </dd>
      <dt>Link text</dt>
      <dd>{link.linkText || "None (the original link)"}</dd>
      <dt>Partners' links</dt>
      <dd>{partnerLinkPattern(origin, link)}</dd>
    </dl>
  );
}

async function deletePage(
  c: Context<AdminContext>,
  group: Group,
  link: DefaultLink,
  errors: FieldError[],
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const origin = await servedLinkOrigin(c.env, group.companyId);
  const original = link.position === 1;
  return renderGroupTab(
    c,
    {
      group,
      tab: "links",
      errors,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={linksPath(group.id)}>Links</a>
          </p>
          <h3>Delete “{link.title}”?</h3>
          {original ? (
            <p id="field-delete">{ORIGINAL_UNDELETABLE}</p>
          ) : (
            <>
              <div class="warning" id="field-delete">
                <p>
                  <strong>Tell your partners first.</strong> Once deleted, the links they have shared for it lead to the
                  group's original link destination instead of {link.destinationUrl}. Give them time to update them
                  wherever they shared them.
                </p>
                <p>
                  Their links for it: <PartnerLinkPattern origin={origin} link={link} />
                </p>
              </div>
              {errorOf(errors, "delete") ? <p class="field-error">{errorOf(errors, "delete")}</p> : null}
              <PostForm action={`${linkPath(group.id, link.id)}/delete`} csrf={await csrfToken(c)}>
                <div class="actions">
                  <button type="submit" class="danger">
                    Delete link
                  </button>
                  <a href={linksPath(group.id)}>Cancel</a>
                </div>
              </PostForm>
            </>
          )}
          {original && errorOf(errors, "delete") ? <p class="field-error">{errorOf(errors, "delete")}</p> : null}
        </>
      ),
    },
    status,
  );
}
