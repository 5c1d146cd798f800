// A group's Social content tab: the texts partners share their links with, one editor per network
// (Twitter/X: the post; LinkedIn: title and message; Email: subject and body) with the placeholders
// explained. "Preview post" renders the draft for the sample partner or one of the group's partners
// (share URLs, X's length and its warning) and "Update" saves it: both through the social content
// service with the API's schemas (UpdateSocialContent, PreviewSocialContent), so an X post over 280
// is the API's 422 beside the field. Viewers read the saved texts and preview them (a GET form).
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import type { groups } from "../../db/schema";
import type { FieldError } from "../../lib/errors";
import { listPartners } from "../../partners/service";
import { getSocialContent, previewSocialContent, SAMPLE_PARTNER, updateSocialContent } from "../../social/service";
import { servedLinkOrigin } from "../../social/social.handlers";
import { PreviewSocialContentBody, UpdateSocialContentBody } from "../../social/social.routes";
import { X_MAX_LENGTH } from "../../social/templates";
import { csrfToken } from "../../web/csrf";
import { CsrfField, errorOf, SelectField, TextAreaField, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { userCanWrite } from "../auth";
import { checkWith, refusalOf } from "../form-errors";
import { groupOf, groupPath, renderGroupTab } from "../group-page";
import { noticeOf } from "../pages";
import { labelled, textareaValue } from "./field-words";

type Group = typeof groups.$inferSelect;
type Preview = Awaited<ReturnType<typeof previewSocialContent>>;

const CHANNELS = {
  twitter: { label: "Twitter / X", fields: ["twitter.message"] },
  linkedin: { label: "LinkedIn", fields: ["linkedin.title", "linkedin.message"] },
  email: { label: "Email", fields: ["email.subject", "email.body"] },
} as const;
type Channel = keyof typeof CHANNELS;

const LABELS: Record<string, string> = {
  "twitter.message": "Post",
  "linkedin.title": "Post title",
  "linkedin.message": "Message",
  "email.subject": "Subject",
  "email.body": "Body",
  partner_id: "Preview for",
};
const labelOf = (field: string) => LABELS[field];

/** The group's partners a preview can be rendered for (a select: the first ones). */
const PREVIEW_PARTNERS = 100;

const channelOf = (value: string | undefined): Channel =>
  value !== undefined && Object.hasOwn(CHANNELS, value) ? (value as Channel) : "twitter";
const tabPath = (groupId: string) => groupPath(groupId, "social-content");
const channelPath = (groupId: string, channel: Channel) => `${tabPath(groupId)}?channel=${channel}`;

/** The channel's texts as the API's body: `{twitter: {message}}`, `{linkedin: {title, message}}`… */
function textsBody(channel: Channel, values: FormValues) {
  const text = (name: string) => textareaValue(values, name);
  if (channel === "twitter") return { twitter: { message: text("twitter.message") } };
  if (channel === "linkedin") return { linkedin: { title: text("linkedin.title"), message: text("linkedin.message") } };
  return { email: { subject: text("email.subject"), body: text("email.body") } };
}

export function registerSocialTab(router: Hono<AdminContext>) {
  router.get("/groups/:groupId/social-content", async (c) => {
    const group = await groupOf(c);
    const channel = channelOf(c.req.query("channel"));
    const saved = await getSocialContent(c.env, group.companyId, group.id);
    const values = savedValues(saved.texts);
    // Anyone may preview the saved texts (a GET: a viewer too); a writer previews drafts with the editor.
    if (c.req.query("preview") === undefined) return socialTab(c, group, channel, values, { saved });
    const partnerId = c.req.query("partner_id") ?? "";
    values.partner_id = partnerId;
    return preview(c, group, channel, values, { partner_id: partnerId || undefined }, saved);
  });

  router.post("/groups/:groupId/social-content", async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const channel = channelOf(fieldValue(values, "channel"));
    const saved = await getSocialContent(c.env, group.companyId, group.id);
    if (fieldValue(values, "intent") === "preview") {
      const partnerId = fieldValue(values, "partner_id");
      return preview(
        c,
        group,
        channel,
        values,
        { partner_id: partnerId || undefined, ...textsBody(channel, values) },
        saved,
      );
    }
    const checked = checkWith(UpdateSocialContentBody, textsBody(channel, values), values, { labels: {} });
    if (!checked.ok)
      return socialTab(c, group, channel, values, { saved, errors: labelled(checked.errors, labelOf) }, 422);
    try {
      await updateSocialContent(c.env, group.companyId, group.id, checked.data);
    } catch (error) {
      // Over 280 as X counts it: the API's 422 names `twitter.message`.
      const refusal = refusalOf(error, CHANNELS[channel].fields[0], { labels: {} });
      if (!refusal) throw error;
      return socialTab(c, group, channel, values, { saved, errors: labelled(refusal.errors, labelOf) }, refusal.status);
    }
    return c.redirect(`${channelPath(group.id, channel)}&notice=saved`, 303);
  });
}

type Saved = Awaited<ReturnType<typeof getSocialContent>>;

function savedValues(texts: Saved["texts"]): FormValues {
  return {
    "twitter.message": texts.twitterMessage,
    "linkedin.title": texts.linkedinTitle,
    "linkedin.message": texts.linkedinMessage,
    "email.subject": texts.emailSubject,
    "email.body": texts.emailBody,
  };
}

/** Renders the draft (or the saved texts) for the chosen partner, through the API's preview schema and service. */
async function preview(
  c: Context<AdminContext>,
  group: Group,
  channel: Channel,
  values: FormValues,
  body: Record<string, unknown>,
  saved: Saved,
) {
  const checked = checkWith(PreviewSocialContentBody, body, values, { labels: {} });
  if (!checked.ok)
    return socialTab(c, group, channel, values, { saved, errors: labelled(checked.errors, labelOf) }, 422);
  try {
    const origin = await servedLinkOrigin(c.env, group.companyId);
    const rendered = await previewSocialContent(c.env, group.companyId, group.id, checked.data, origin);
    return socialTab(c, group, channel, values, { saved, preview: rendered });
  } catch (error) {
    // A partner of another group or company: the API's 422 on `partner_id`.
    const refusal = refusalOf(error, "partner_id", { labels: {} });
    if (!refusal) throw error;
    return socialTab(c, group, channel, values, { saved, errors: labelled(refusal.errors, labelOf) }, refusal.status);
  }
}

interface TabState {
  saved: Saved;
  errors?: FieldError[];
  preview?: Preview;
}

async function socialTab(
  c: Context<AdminContext>,
  group: Group,
  channel: Channel,
  values: FormValues,
  { saved, errors = [], preview }: TabState,
  status: Parameters<typeof renderGroupTab>[2] = 200,
) {
  const { company } = c.get("consoleUser");
  const canWrite = userCanWrite(c);
  const partners = (await listPartners(c.env, group.companyId, { limit: PREVIEW_PARTNERS, groupId: group.id })).rows
    .filter((partner) => partner.status === "active")
    .map((partner) => ({ value: partner.id, label: `${partner.firstName} ${partner.lastName} (${partner.email})` }));
  const partnerSelect = (
    <SelectField
      name="partner_id"
      label="Preview for"
      hint="A partner of this group, or the sample partner (first name Alex)."
      placeholder={`Sample partner (${SAMPLE_PARTNER.firstName})`}
      options={partners}
      value={fieldValue(values, "partner_id")}
      error={errorOf(errors, "partner_id")}
    />
  );
  const editor = <ChannelFields channel={channel} values={values} errors={errors} readOnly={!canWrite} />;
  return renderGroupTab(
    c,
    {
      group,
      tab: "social-content",
      errors,
      notice: noticeOf(c),
      children: (
        <>
          <p>
            The texts partners share their links with, from their portal: on Twitter / X, on LinkedIn, or by email.
            {saved.customized ? "" : " These are the default texts until you update them."}
          </p>
          <nav aria-label="Social networks" class="tabs subtabs">
            <ul>
              {(Object.keys(CHANNELS) as Channel[]).map((item) => (
                <li>
                  <a href={channelPath(group.id, item)} aria-current={item === channel ? "page" : undefined}>
                    {CHANNELS[item].label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <h3>{CHANNELS[channel].label}</h3>
          <Placeholders company={company.name} group={group.name} />
          {canWrite ? (
            <form method="post" action={tabPath(group.id)} novalidate>
              <CsrfField token={await csrfToken(c)} />
              <input type="hidden" name="channel" value={channel} />
              {editor}
              {partnerSelect}
              <div class="actions">
                {/* First, so Enter in a one-line field previews rather than saves. */}
                <button type="submit" name="intent" value="preview" class="secondary">
                  Preview post
                </button>
                <button type="submit" name="intent" value="update">
                  Update
                </button>
              </div>
            </form>
          ) : (
            <>
              {editor}
              <form method="get" action={tabPath(group.id)} class="filter" novalidate>
                <input type="hidden" name="channel" value={channel} />
                <input type="hidden" name="preview" value="1" />
                {partnerSelect}
                <button type="submit" class="secondary">
                  Preview post
                </button>
              </form>
            </>
          )}
          {preview ? <PreviewPanel channel={channel} preview={preview} /> : null}
        </>
      ),
    },
    status,
  );
}

function Placeholders({ company, group }: { company: string; group: string }) {
  return (
    <details class="placeholders">
      <summary>Placeholders you can use</summary>
      <dl class="details">
        <dt>
          <code>{"{link}"}</code>
        </dt>
        <dd>The partner's referral link (the group's original link, on your verified link domain)</dd>
        <dt>
          <code>{"{partner_first_name}"}</code>
        </dt>
        <dd>The partner's first name</dd>
        <dt>
          <code>{"{company_name}"}</code>
        </dt>
        <dd>Your company's name: {company}</dd>
        <dt>
          <code>{"{group_name}"}</code>
        </dt>
        <dd>This group's name: {group}</dd>
      </dl>
      <p class="muted">Any other word in braces is refused; other braces are plain text.</p>
    </details>
  );
}

function ChannelFields({
  channel,
  values,
  errors,
  readOnly,
}: {
  channel: Channel;
  values: FormValues;
  errors: FieldError[];
  readOnly: boolean;
}) {
  const value = (name: string) => fieldValue(values, name);
  if (readOnly) {
    return (
      <dl class="details saved-texts">
        {CHANNELS[channel].fields.map((name) => (
          <>
            <dt>{LABELS[name]}</dt>
            <dd class="post-text">{value(name)}</dd>
          </>
        ))}
      </dl>
    );
  }
  if (channel === "twitter") {
    return (
      <TextAreaField
        name="twitter.message"
        label="Post"
        hint={`At most ${X_MAX_LENGTH} characters as X counts them: each link counts 23, emoji and CJK characters 2.`}
        required
        rows={4}
        maxlength={1000}
        value={value("twitter.message")}
        error={errorOf(errors, "twitter.message")}
      />
    );
  }
  if (channel === "linkedin") {
    return (
      <>
        <TextField
          name="linkedin.title"
          label="Post title"
          required
          maxlength={200}
          value={value("linkedin.title")}
          error={errorOf(errors, "linkedin.title")}
        />
        <TextAreaField
          name="linkedin.message"
          label="Message"
          hint="LinkedIn's share page takes only the link: partners paste the title and message themselves."
          required
          rows={6}
          maxlength={3000}
          value={value("linkedin.message")}
          error={errorOf(errors, "linkedin.message")}
        />
      </>
    );
  }
  return (
    <>
      <TextField
        name="email.subject"
        label="Subject"
        required
        maxlength={200}
        value={value("email.subject")}
        error={errorOf(errors, "email.subject")}
      />
      <TextAreaField
        name="email.body"
        label="Body"
        required
        rows={8}
        maxlength={10_000}
        value={value("email.body")}
        error={errorOf(errors, "email.body")}
      />
    </>
  );
}

function PreviewPanel({ channel, preview }: { channel: Channel; preview: Preview }) {
  const who = preview.partner
    ? `${preview.partner.firstName} ${preview.partner.lastName}`
    : `the sample partner (${preview.firstName})`;
  const overX = preview.xLength > X_MAX_LENGTH;
  const noLink = preview.warnings.some((warning) => warning.field === "link");
  const { rendered, shareUrls } = preview;
  return (
    <section class="preview" aria-labelledby="preview-title">
      <h3 id="preview-title">Preview for {who}</h3>
      <p class="muted">Nothing is saved until you choose Update.</p>
      {noLink ? (
        <p class="warning" role="status">
          Your company has no verified link domain yet: there is no partner link to share, so {"{link}"} stays as it is.
        </p>
      ) : null}
      {channel === "twitter" ? (
        <>
          <p class="post-text">{rendered.twitterMessage}</p>
          <p class={overX ? "warning" : "muted"} role={overX ? "status" : undefined}>
            {preview.xLength} of {X_MAX_LENGTH} characters as X counts them (each link counts 23).
            {overX ? ` Too long: X will not accept this post for ${who}. Shorten it.` : ""}
          </p>
          <p>
            <a href={shareUrls.twitter} target="_blank" rel="noopener noreferrer">
              Open X's post page with this post<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
        </>
      ) : null}
      {channel === "linkedin" ? (
        <>
          <p class="post-title">{rendered.linkedinTitle}</p>
          <p class="post-text">{rendered.linkedinMessage}</p>
          <p>
            {shareUrls.linkedin ? (
              <a href={shareUrls.linkedin} target="_blank" rel="noopener noreferrer">
                Open LinkedIn's share page for the link<span class="visually-hidden"> (opens in a new tab)</span>
              </a>
            ) : (
              "No LinkedIn share page without a partner link."
            )}
          </p>
        </>
      ) : null}
      {channel === "email" ? (
        <>
          <p class="post-title">{rendered.emailSubject}</p>
          <p class="post-text">{rendered.emailBody}</p>
          <p>
            <a href={shareUrls.email}>Open this email in a mail program</a>
          </p>
        </>
      ) : null}
    </section>
  );
}
