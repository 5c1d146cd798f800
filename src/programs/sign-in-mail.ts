// The portal sign-in link a program page sends by email: to a partner who just joined, and to a
// partner who applies or joins again with the same address (they are told nothing on the page, so
// the page reveals no one's account; the mailbox's owner learns it from the email). The link goes
// by email, never on the page: whoever typed an address must not get into that address's portal.
import type { Context } from "hono";
import type { AdminContext } from "../admin/context";
import type { companies, groups } from "../db/schema";
import { findActivePartnerByEmail } from "../partners/service";
import { issueSignInLink, portalPath, SIGN_IN_LINK_TTL_MS } from "../portal/sign-in-links";

type Company = typeof companies.$inferSelect;
type Group = typeof groups.$inferSelect;

export type SignInMailReason = "joined" | "already-a-partner";

/**
 * Mails the active partner with this email a sign-in link, after the response (`waitUntil`): the
 * visitor's answer neither waits for the mail nor shows whether one was sent. A failure is logged;
 * the partner can ask the portal for another link.
 */
export function mailSignInLinkLater(
  c: Context<AdminContext>,
  program: { company: Company; group: Group },
  email: string,
  reason: SignInMailReason,
) {
  const origin = new URL(c.req.url).origin;
  const { env } = c;
  const mailer = c.get("mailer");
  const { company, group } = program;
  c.executionCtx.waitUntil(
    (async () => {
      const partner = await findActivePartnerByEmail(env, company.id, email);
      if (!partner) return;
      // A repeated application must not let anyone fill a partner's mailbox: a few links a minute.
      if (reason === "already-a-partner") {
        const { success } = await env.PORTAL_EMAIL_LIMITER.limit({ key: `${company.id}:${email}` });
        if (!success) return;
      }
      const link = await issueSignInLink(env, { companyId: company.id, partnerId: partner.id }, origin);
      await mailer.send({
        to: partner.email,
        companyId: company.id,
        ...signInMail(reason, { company, group, firstName: partner.firstName, url: link.url, origin }),
      });
    })().catch((error) =>
      console.error(JSON.stringify({ msg: "program sign-in mail failed", company: company.id, error: String(error) })),
    ),
  );
}

function signInMail(
  reason: SignInMailReason,
  p: { company: Company; group: Group; firstName: string; url: string; origin: string },
) {
  const minutes = SIGN_IN_LINK_TTL_MS / 60_000;
  const opening =
    reason === "joined"
      ? `You're in: welcome to ${p.company.name}'s ${p.group.name} partner program.`
      : `Someone, probably you, applied to ${p.company.name}'s partner program with this address. ` +
        "You are already a partner, so nothing changed.";
  return {
    subject:
      reason === "joined"
        ? `Welcome to ${p.company.name}'s partner program: sign in to your portal`
        : `Your sign-in link for ${p.company.name}'s partner portal`,
    text: [
      `Hi ${p.firstName},`,
      "",
      opening,
      "Sign in to your partner portal to get your referral links:",
      "",
      p.url,
      "",
      `The link works once, within ${minutes} minutes. For a new one, go to ${p.origin}${portalPath(p.company.slug)}.`,
      "",
      "If this was not you, ignore this email.",
    ].join("\n"),
  };
}
