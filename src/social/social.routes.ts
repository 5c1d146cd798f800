import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, idParam, jsonBody, jsonResponse, security } from "../admin/schemas";
import { isWellFormed } from "../lib/unicode";
import { objectId } from "../lib/validation";
import type { PreviewInput } from "./service";
import { PLACEHOLDERS, type SocialTexts, unknownPlaceholders, X_MAX_LENGTH } from "./templates";

const tags = ["Social content"];
const GroupIdParam = idParam("group_id", "grp_01jd3k5qv0r8t2x7m9c4b6n1pz");
const PLACEHOLDER_LIST = PLACEHOLDERS.map((name) => `{${name}}`).join(", ");

/** A text with placeholders: trimmed, not empty, valid Unicode, only the known placeholders. */
function template(maxLength: number, { singleLine = false } = {}) {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(maxLength)
    .superRefine((value, ctx) => {
      if (!isWellFormed(value)) ctx.addIssue({ code: "custom", message: "must be valid Unicode text" });
      if (singleLine && /[\r\n]/.test(value)) ctx.addIssue({ code: "custom", message: "must be a single line" });
      const unknown = unknownPlaceholders(value);
      if (unknown.length > 0) {
        const which = unknown.length === 1 ? "unknown placeholder" : "unknown placeholders";
        ctx.addIssue({ code: "custom", message: `${which} ${unknown.join(", ")}; use ${PLACEHOLDER_LIST}` });
      }
    })
    .openapi({ description: `May contain ${PLACEHOLDER_LIST}` });
}

const TwitterInput = z
  .object({
    message: template(1000).openapi({
      description: `The post. ${PLACEHOLDER_LIST} allowed; at most ${X_MAX_LENGTH} as X counts (each link 23)`,
    }),
  })
  .strict();
const LinkedinInput = z.object({ title: template(200, { singleLine: true }), message: template(3000) }).strict();
const EmailInput = z.object({ subject: template(200, { singleLine: true }), body: template(10_000) }).strict();

const textsOf = (body: {
  twitter?: { message?: string };
  linkedin?: { title?: string; message?: string };
  email?: { subject?: string; body?: string };
}): Partial<SocialTexts> => ({
  twitterMessage: body.twitter?.message,
  linkedinTitle: body.linkedin?.title,
  linkedinMessage: body.linkedin?.message,
  emailSubject: body.email?.subject,
  emailBody: body.email?.body,
});

const socialTextsExample = {
  twitter: { message: "I'm a partner of {company_name} and I recommend them. Take a look: {link}" },
  linkedin: {
    title: "Why I recommend {company_name}",
    message: "I've joined the {group_name} program of {company_name}. Sign up through my link: {link}",
  },
  email: {
    subject: "{partner_first_name} recommends {company_name}",
    body: "Hi,\n\nYou can sign up to {company_name} through my link:\n{link}\n\nBest,\n{partner_first_name}",
  },
};

export const UpdateSocialContentBody = z
  .object({ twitter: TwitterInput, linkedin: LinkedinInput.partial(), email: EmailInput.partial() })
  .partial()
  .strict()
  .openapi("UpdateSocialContent", {
    example: { twitter: { message: "Partners love {company_name}: {link}" } },
  })
  .transform(textsOf);

export const PreviewSocialContentBody = z
  .object({
    partner_id: objectId.optional().openapi({ description: "One of the group's partners; a sample partner if absent" }),
    twitter: TwitterInput.partial(),
    linkedin: LinkedinInput.partial(),
    email: EmailInput.partial(),
  })
  .partial()
  .strict()
  .openapi("PreviewSocialContent", {
    example: { partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz", twitter: { message: "Try {company_name}: {link}" } },
  })
  .transform((body): PreviewInput => ({ partnerId: body.partner_id, draft: textsOf(body) }));

export const SocialContentSchema = z
  .object({
    object: z.literal("social_content"),
    group_id: z.string(),
    customized: z.boolean().openapi({ description: "False until the company saves its own texts (defaults shown)" }),
    twitter: z.object({ message: z.string() }),
    linkedin: z.object({ title: z.string(), message: z.string() }),
    email: z.object({ subject: z.string(), body: z.string() }),
    placeholders: z.array(z.string()),
    updated_at: z.string().nullable(),
  })
  .openapi("SocialContent", {
    example: {
      object: "social_content",
      group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      customized: true,
      ...socialTextsExample,
      placeholders: PLACEHOLDERS.map((name) => `{${name}}`),
      updated_at: "2026-11-25T08:00:00.000Z",
    },
  });

export const SocialContentPreviewSchema = z
  .object({
    object: z.literal("social_content_preview"),
    group_id: z.string(),
    partner: z.object({
      id: z.string().nullable(),
      first_name: z.string(),
      sample: z.boolean().openapi({ description: "True when no partner was named: a sample partner" }),
    }),
    link: z
      .string()
      .nullable()
      .openapi({ description: "The partner's link (the group's original link); null without a verified link domain" }),
    twitter: z.object({
      message: z.string(),
      length: z.number().int().openapi({ description: "As X counts it (twitter-text): each URL counts 23" }),
      max_length: z.number().int(),
      share_url: z.string().openapi({ description: "X's post intent, prefilled" }),
    }),
    linkedin: z.object({
      title: z.string(),
      message: z.string(),
      share_url: z.string().nullable().openapi({ description: "LinkedIn's share page for the link" }),
    }),
    email: z.object({
      subject: z.string(),
      body: z.string(),
      share_url: z.string().openapi({ description: "A mailto: URL with the subject and body" }),
    }),
    warnings: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .openapi({ description: "What would go wrong when sharing: an X post over 280, no link yet" }),
  })
  .openapi("SocialContentPreview", {
    example: {
      object: "social_content_preview",
      group_id: "grp_01jd3k5qv0r8t2x7m9c4b6n1pz",
      partner: { id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz", first_name: "Jane", sample: false },
      link: "https://try.acme.com/jane-doe",
      twitter: {
        message: "Try Acme: https://try.acme.com/jane-doe",
        length: 33,
        max_length: X_MAX_LENGTH,
        share_url: "https://x.com/intent/tweet?text=Try%20Acme%3A%20https%3A%2F%2Ftry.acme.com%2Fjane-doe",
      },
      linkedin: {
        title: "Why I recommend Acme",
        message: "I've joined the Affiliates program of Acme. Sign up through my link: https://try.acme.com/jane-doe",
        share_url: "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Ftry.acme.com%2Fjane-doe",
      },
      email: {
        subject: "Jane recommends Acme",
        body: "Hi,\n\nYou can sign up to Acme through my link:\nhttps://try.acme.com/jane-doe\n\nBest,\nJane",
        share_url: "mailto:?subject=Jane%20recommends%20Acme&body=Hi%2C%0D%0A%0D%0AYou%20can%20sign%20up…",
      },
      warnings: [],
    },
  });

export const get = createRoute({
  method: "get",
  operationId: "getSocialContent",
  path: "/v1/groups/{group_id}/social-content",
  tags,
  security,
  summary: "Get a group's social content (Twitter/X, LinkedIn, email)",
  description: "The texts partners share their links with; the defaults until the company saves its own.",
  request: { params: GroupIdParam },
  responses: { 200: jsonResponse(SocialContentSchema, "The group's social content"), ...errorResponses },
});

export const update = createRoute({
  method: "patch",
  operationId: "updateSocialContent",
  path: "/v1/groups/{group_id}/social-content",
  tags,
  security,
  summary: "Update a group's social content",
  description:
    `Any of the five texts; the others keep their value. Texts may contain ${PLACEHOLDER_LIST}: any other ` +
    `placeholder is a 422 naming the field. The X message, rendered for a sample partner, must be at most ` +
    `${X_MAX_LENGTH} as X counts (twitter-text: each link counts 23, CJK characters and emoji 2), else a 422.`,
  request: { params: GroupIdParam, body: jsonBody(UpdateSocialContentBody) },
  responses: { 200: jsonResponse(SocialContentSchema, "The updated social content"), ...errorResponses },
});

export const preview = createRoute({
  method: "post",
  operationId: "previewSocialContent",
  path: "/v1/groups/{group_id}/social-content/preview",
  tags,
  security,
  summary: "Preview a group's social content for a partner, with share URLs",
  description:
    "Renders the saved texts, or the draft texts sent, for one of the group's partners (a sample partner " +
    "when `partner_id` is absent) with the partner's real link; answers the X length and share URLs. An X " +
    `post over ${X_MAX_LENGTH} is a warning here, not an error. Nothing is saved.`,
  request: { params: GroupIdParam, body: jsonBody(PreviewSocialContentBody) },
  responses: {
    200: jsonResponse(SocialContentPreviewSchema, "The texts as the partner would share them"),
    ...errorResponses,
    // A retry while the first request with the same Idempotency-Key runs (every POST takes one).
    ...conflictResponse,
  },
});
