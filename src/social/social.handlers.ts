import type { AdminHandler } from "../admin/context";
import { iso } from "../admin/schemas";
import type { AdminEnv } from "../env";
import { listLinkDomains } from "../link-domains/service";
import { linkOrigin } from "../partners/partners.handlers";
import { getSocialContent, previewSocialContent, updateSocialContent } from "./service";
import type * as routes from "./social.routes";
import { PLACEHOLDERS, X_MAX_LENGTH } from "./templates";

type SocialContent = Awaited<ReturnType<typeof getSocialContent>>;

function serializeSocialContent(content: SocialContent) {
  const { texts } = content;
  return {
    object: "social_content" as const,
    group_id: content.groupId,
    customized: content.customized,
    twitter: { message: texts.twitterMessage },
    linkedin: { title: texts.linkedinTitle, message: texts.linkedinMessage },
    email: { subject: texts.emailSubject, body: texts.emailBody },
    placeholders: PLACEHOLDERS.map((name) => `{${name}}`),
    updated_at: iso(content.updatedAt),
  };
}

/** Where the company's partner links are served: its verified link domain, if any (the console uses it too). */
export async function servedLinkOrigin(env: AdminEnv, companyId: string): Promise<string | null> {
  const served = (await listLinkDomains(env, companyId)).find((domain) => domain.status === "verified");
  return served ? linkOrigin(env, served.hostname) : null;
}

export const get: AdminHandler<typeof routes.get> = async (c) => {
  const content = await getSocialContent(c.env, c.get("caller").companyId, c.req.valid("param").group_id);
  return c.json(serializeSocialContent(content), 200);
};

export const update: AdminHandler<typeof routes.update> = async (c) => {
  const { companyId } = c.get("caller");
  const content = await updateSocialContent(c.env, companyId, c.req.valid("param").group_id, c.req.valid("json"));
  return c.json(serializeSocialContent(content), 200);
};

export const preview: AdminHandler<typeof routes.preview> = async (c) => {
  const { companyId } = c.get("caller");
  const groupId = c.req.valid("param").group_id;
  const origin = await servedLinkOrigin(c.env, companyId);
  const p = await previewSocialContent(c.env, companyId, groupId, c.req.valid("json"), origin);
  return c.json(
    {
      object: "social_content_preview" as const,
      group_id: p.groupId,
      partner: { id: p.partner?.id ?? null, first_name: p.firstName, sample: p.partner === null },
      link: p.link,
      twitter: {
        message: p.rendered.twitterMessage,
        length: p.xLength,
        max_length: X_MAX_LENGTH,
        share_url: p.shareUrls.twitter,
      },
      linkedin: {
        title: p.rendered.linkedinTitle,
        message: p.rendered.linkedinMessage,
        share_url: p.shareUrls.linkedin,
      },
      email: { subject: p.rendered.emailSubject, body: p.rendered.emailBody, share_url: p.shareUrls.email },
      warnings: p.warnings,
    },
    200,
  );
};
