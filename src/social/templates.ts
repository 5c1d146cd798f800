// Social content templates: the placeholders they may hold, rendering them for a partner, X's
// weighted length (counted by X's own `twitter-text` library: each URL counts 23, CJK characters
// and emoji 2) and the share URLs (X intent, LinkedIn share, mailto:). No storage here.
import * as twitterTextModule from "twitter-text";
import { toWellFormed } from "../lib/unicode";

export const PLACEHOLDERS = ["link", "partner_first_name", "company_name", "group_name"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

/** `{name}`: braces around letters, digits and underscores; any other brace is plain text. */
const PLACEHOLDER_PATTERN = /\{([A-Za-z0-9_]+)\}/g;
const KNOWN = new Set<string>(PLACEHOLDERS);

/** The distinct `{placeholders}` of a template that are not one of PLACEHOLDERS, in order. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = [...template.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]!).filter((name) => !KNOWN.has(name));
  return [...new Set(unknown)].map((name) => `{${name}}`);
}

export function renderTemplate(template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
    KNOWN.has(name) ? values[name as Placeholder] : whole,
  );
}

/** The longest post X accepts, in its weighted characters. */
export const X_MAX_LENGTH = 280;

// The package's ESM build has only a default export, its CommonJS build named ones (and the types).
const twitterText =
  (twitterTextModule as unknown as { default?: typeof twitterTextModule }).default ?? twitterTextModule;

/** The length X gives the post (twitter-text's default configuration, the current one: v3). */
export function xLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/** The five texts of a group's social content. */
export interface SocialTexts {
  twitterMessage: string;
  linkedinTitle: string;
  linkedinMessage: string;
  emailSubject: string;
  emailBody: string;
}

/** Each text's name in the API (errors and warnings name it). */
export const API_FIELD: Record<keyof SocialTexts, string> = {
  twitterMessage: "twitter.message",
  linkedinTitle: "linkedin.title",
  linkedinMessage: "linkedin.message",
  emailSubject: "email.subject",
  emailBody: "email.body",
};

/** What a group's partners share until the company writes its own. */
export const DEFAULT_SOCIAL_TEXTS: SocialTexts = {
  twitterMessage: "I'm a partner of {company_name} and I recommend them. Take a look: {link}",
  linkedinTitle: "Why I recommend {company_name}",
  linkedinMessage:
    "I've joined the {group_name} program of {company_name}. If their product fits what you do, " +
    "you can sign up through my link: {link}",
  emailSubject: "{partner_first_name} recommends {company_name}",
  emailBody:
    "Hi,\n\nI've been working with {company_name} and I think it could help you too. " +
    "You can sign up through my link:\n{link}\n\nBest,\n{partner_first_name}",
};

export function renderTexts(texts: SocialTexts, values: PlaceholderValues): SocialTexts {
  return {
    twitterMessage: renderTemplate(texts.twitterMessage, values),
    linkedinTitle: renderTemplate(texts.linkedinTitle, values),
    linkedinMessage: renderTemplate(texts.linkedinMessage, values),
    emailSubject: renderTemplate(texts.emailSubject, values),
    emailBody: renderTemplate(texts.emailBody, values),
  };
}

/**
 * Where each share button leads. X prefills the whole post (link included); LinkedIn's share page
 * takes only the URL (it shows the link's preview, the partner pastes the title and message);
 * `mailto:` opens the partner's mail program with subject and body (RFC 6068: line breaks as CRLF,
 * everything percent-encoded).
 */
export function shareUrls(rendered: SocialTexts, link: string | null) {
  const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");
  // A name saved with a lone surrogate would make encodeURIComponent throw: it becomes U+FFFD.
  const encode = (text: string) => encodeURIComponent(toWellFormed(text));
  return {
    twitter: `https://x.com/intent/tweet?text=${encode(rendered.twitterMessage)}`,
    linkedin: link ? `https://www.linkedin.com/sharing/share-offsite/?url=${encode(link)}` : null,
    email: `mailto:?subject=${encode(crlf(rendered.emailSubject))}&body=${encode(crlf(rendered.emailBody))}`,
  };
}
