// A group's social content: read (saved texts, else the defaults), update (any of the five texts;
// X's 280 is checked when the X message changes) and preview (rendered for one of the group's
// partners, or a sample partner, with share URLs and warnings). Texts are validated for their
// placeholders by the API schema (social.routes.ts); the service checks what needs the group.
import { and, eq } from "drizzle-orm";
import { getCompany, type Stores } from "../companies/service";
import { database } from "../db/client";
import { groupSocialContent } from "../db/schema";
import { getGroup } from "../groups/service";
import { type FieldError, problems } from "../lib/errors";
import { getPartner, listPartnerLinks } from "../partners/service";
import {
  API_FIELD,
  DEFAULT_SOCIAL_TEXTS,
  type PlaceholderValues,
  renderTexts,
  type SocialTexts,
  shareUrls,
  X_MAX_LENGTH,
  xLength,
} from "./templates";

/** Who a preview is for when no partner is named: the texts as a typical partner would share them. */
export const SAMPLE_PARTNER = { firstName: "Alex", partnerKey: "sample-partner" } as const;

/** A URL like any partner link: X counts every URL as 23, so the save check needs no real one. */
const SAMPLE_LINK_FOR_COUNTING = "https://example.com/sample-partner";

export async function getSocialContent(env: Stores, companyId: string, groupId: string) {
  await getGroup(env, companyId, groupId);
  const row = await database(env.DB).query.groupSocialContent.findFirst({
    where: and(eq(groupSocialContent.groupId, groupId), eq(groupSocialContent.companyId, companyId)),
  });
  if (!row) return { groupId, texts: { ...DEFAULT_SOCIAL_TEXTS }, customized: false, updatedAt: null };
  const { twitterMessage, linkedinTitle, linkedinMessage, emailSubject, emailBody } = row;
  const texts = { twitterMessage, linkedinTitle, linkedinMessage, emailSubject, emailBody };
  return { groupId, texts, customized: true, updatedAt: row.updatedAt };
}

/** Saves the given texts; the others keep their saved (or default) value. */
export async function updateSocialContent(
  env: Stores,
  companyId: string,
  groupId: string,
  changes: Partial<SocialTexts>,
) {
  const [current, group, company] = await Promise.all([
    getSocialContent(env, companyId, groupId),
    getGroup(env, companyId, groupId),
    getCompany(env, companyId),
  ]);
  const texts: SocialTexts = { ...current.texts };
  for (const [name, value] of Object.entries(changes) as [keyof SocialTexts, string | undefined][])
    if (value !== undefined) texts[name] = value;
  if (changes.twitterMessage !== undefined) {
    const values = { link: SAMPLE_LINK_FOR_COUNTING, ...namesOf(company, group, SAMPLE_PARTNER.firstName) };
    const length = xLength(renderTexts(texts, values).twitterMessage);
    if (length > X_MAX_LENGTH) throw problems.validation([xLengthError(length, "for the sample partner")]);
  }
  const now = Date.now();
  await database(env.DB)
    .insert(groupSocialContent)
    .values({ groupId, companyId, ...texts, updatedAt: now })
    .onConflictDoUpdate({ target: groupSocialContent.groupId, set: { ...texts, updatedAt: now } });
  return getSocialContent(env, companyId, groupId);
}

export interface PreviewInput {
  /** One of the group's partners; the sample partner when absent. */
  partnerId?: string;
  /** Unsaved texts to preview instead of the saved ones (a draft). */
  draft: Partial<SocialTexts>;
}

/**
 * The texts as the partner would share them: placeholders filled in with the partner's real link
 * (to the group's original link, on `linkOrigin`: the company's verified link domain, null when it
 * has none), the share URLs, X's length, and warnings (over 280, no link to share yet).
 */
export async function previewSocialContent(
  env: Stores,
  companyId: string,
  groupId: string,
  input: PreviewInput,
  linkOrigin: string | null,
) {
  const [saved, group, company] = await Promise.all([
    getSocialContent(env, companyId, groupId),
    getGroup(env, companyId, groupId),
    getCompany(env, companyId),
  ]);
  const texts: SocialTexts = { ...saved.texts };
  for (const [name, value] of Object.entries(input.draft) as [keyof SocialTexts, string | undefined][])
    if (value !== undefined) texts[name] = value;

  const partner = input.partnerId ? await partnerOfGroup(env, companyId, groupId, input.partnerId) : null;
  const slug = partner ? await originalLinkSlug(env, companyId, partner.id) : SAMPLE_PARTNER.partnerKey;
  const link = linkOrigin && slug ? `${linkOrigin}/${slug}` : null;
  const firstName = partner?.firstName ?? SAMPLE_PARTNER.firstName;
  // Without a link the placeholder stays visible, so the preview shows what is missing.
  const values = { link: link ?? "{link}", ...namesOf(company, group, firstName) };
  const rendered = renderTexts(texts, values);
  const length = xLength(rendered.twitterMessage);

  const warnings: FieldError[] = [];
  if (length > X_MAX_LENGTH)
    warnings.push(xLengthError(length, partner ? "for this partner" : "for the sample partner"));
  if (!link)
    warnings.push({
      field: "link",
      message: "the company has no verified link domain yet: there is no partner link to share",
    });
  return {
    groupId,
    partner,
    firstName,
    link,
    rendered,
    xLength: length,
    shareUrls: shareUrls(rendered, link),
    warnings,
  };
}

/**
 * What a partner shares one of its links with (the partner portal's share buttons): the group's
 * saved texts (or the defaults) rendered for the partner with that link, and their share URLs.
 */
export async function shareContentFor(
  env: Stores,
  companyId: string,
  partner: { groupId: string; firstName: string },
  link: string,
) {
  const [saved, group, company] = await Promise.all([
    getSocialContent(env, companyId, partner.groupId),
    getGroup(env, companyId, partner.groupId),
    getCompany(env, companyId),
  ]);
  const rendered = renderTexts(saved.texts, { link, ...namesOf(company, group, partner.firstName) });
  return { rendered, xLength: xLength(rendered.twitterMessage), shareUrls: shareUrls(rendered, link) };
}

function namesOf(
  company: { name: string },
  group: { name: string },
  partnerFirstName: string,
): Omit<PlaceholderValues, "link"> {
  return { partner_first_name: partnerFirstName, company_name: company.name, group_name: group.name };
}

function xLengthError(length: number, forWhom: string): FieldError {
  return {
    field: API_FIELD.twitterMessage,
    message: `is ${length} characters as X counts them ${forWhom} (each link counts 23); X allows ${X_MAX_LENGTH}`,
  };
}

/** A partner of this company in this group, else a 422 on `partner_id`. */
async function partnerOfGroup(env: Stores, companyId: string, groupId: string, partnerId: string) {
  const partner = await getPartner(env, companyId, partnerId).catch(() => null);
  if (!partner) throw problems.validation([{ field: "partnerId", message: `no partner with id '${partnerId}'` }]);
  if (partner.groupId !== groupId)
    throw problems.validation([{ field: "partnerId", message: "the partner is not in this group" }]);
  return partner;
}

/** The partner's slug for the group's original link (the one every partner has). */
async function originalLinkSlug(env: Stores, companyId: string, partnerId: string): Promise<string | null> {
  const links = await listPartnerLinks(env, companyId, partnerId);
  return links.find((row) => row.defaultLink.position === 1)?.slug ?? links[0]?.slug ?? null;
}
