// Signing in to the portal, without passwords:
//   1. "Email me a link" (`/portal/<company>/sign-in`): the partner gives its email address. The
//      answer is the same page whether or not the address is a partner's, and the lookup and the
//      mail happen after the response (its timing tells nothing either). Limited per client IP
//      (over it: a 429 page) and per company and address (over it: the same answer, no mail).
//   2. The link (`/portal/<company>/sign-in/<token>`): GET shows a button and changes nothing;
//      the button's POST consumes the link and starts the session. Used or expired: a clear page.
//   3. Sign out (POST): the session is revoked.
import { z } from "@hono/zod-openapi";
import type { FieldError } from "../lib/errors";
import { csrfToken } from "../web/csrf";
import { errorOf, PostForm, TextField } from "../web/form";
import { type FormValues, fieldValue, readForm, validateForm } from "../web/forms";
import { Page, renderPage } from "../web/layout";
import { createSession, revokeSession } from "../web/sessions";
import { afterResponse, type Company, type PortalCtx, pageUrl, portalScope } from "./access";
import { moment } from "./layout";
import {
  checkSignInLink,
  consumeSignInLink,
  issueSignInLink,
  SIGN_IN_LINK_TTL_MS,
  type SignInLinkFailure,
} from "./sign-in-links";

const SignInForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, "Enter your email address")
    .max(254, "Email address must be 254 characters or fewer")
    .pipe(z.email("Enter an email address in the correct format, like name@example.com")),
});

const siteName = (company: Company) => `${company.name} partner portal`;

export async function signInPage(c: PortalCtx) {
  const company = c.get("company");
  if (c.get("webSession")) return c.redirect(pageUrl(company), 303);
  return renderSignInForm(c, {}, [], c.req.query("signed-out") !== undefined);
}

async function renderSignInForm(
  c: PortalCtx,
  values: FormValues,
  errors: FieldError[],
  signedOut = false,
  status: 200 | 422 = 200,
) {
  const company = c.get("company");
  const csrf = await csrfToken(c);
  return renderPage(
    c,
    <Page title={`Sign in — ${siteName(company)}`} siteName={siteName(company)} errors={errors}>
      {signedOut ? (
        <p class="notice" role="status">
          You are signed out.
        </p>
      ) : null}
      <h1>Sign in to the partner portal</h1>
      <p>
        Partners of {company.name} see their links, stats and rewards here. Enter the email address {company.name} has
        for you, and we will email you a link to sign in — no password needed.
      </p>
      <PostForm action={pageUrl(company, "/sign-in")} csrf={csrf}>
        <TextField
          name="email"
          type="email"
          label="Email address"
          required
          autocomplete="email"
          inputmode="email"
          value={fieldValue(values, "email")}
          error={errorOf(errors, "email")}
        />
        <button type="submit">Email me a sign-in link</button>
      </PostForm>
    </Page>,
    status,
  );
}

export async function requestSignInLink(c: PortalCtx) {
  const company = c.get("company");
  const values = await readForm(c);
  const result = validateForm(SignInForm, values);
  if (!result.ok) return renderSignInForm(c, values, result.errors, false, 422);
  // Per client IP: a flood of requests is refused outright (whatever the addresses).
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  if (!(await c.env.PORTAL_IP_LIMITER.limit({ key: ip })).success) return tooManyRequests(c);
  const origin = new URL(c.req.url).origin;
  const mailer = c.get("mailer");
  const address = result.data.email;
  await afterResponse(c, async () => {
    // Per address: a few links a minute; beyond, the same answer and no mail (no inbox flooding).
    if (!(await c.env.PORTAL_EMAIL_LIMITER.limit({ key: `${company.id}:${address}` })).success) return;
    const partner = await c.env.DB.prepare(
      "SELECT id, first_name, email FROM partners WHERE company_id = ?1 AND email = ?2 AND status = 'active' LIMIT 1",
    )
      .bind(company.id, address)
      .first<{ id: string; first_name: string; email: string }>();
    if (!partner) return;
    const link = await issueSignInLink(c.env, { companyId: company.id, partnerId: partner.id }, origin);
    await mailer.send({
      to: partner.email,
      companyId: company.id,
      subject: `Your sign-in link for the ${company.name} partner portal`,
      text: signInMailText(company, partner.first_name, link.url),
    });
  });
  return c.redirect(pageUrl(company, "/check-email"), 303);
}

export function signInMailText(company: Company, firstName: string, url: string): string {
  const minutes = SIGN_IN_LINK_TTL_MS / 60_000;
  return (
    `Hi ${firstName},\n\nOpen this link to sign in to the ${company.name} partner portal:\n\n${url}\n\n` +
    `It works once, within ${minutes} minutes. If you did not ask for it, ignore this email: ` +
    "nobody can sign in without it.\n"
  );
}

export function checkEmailPage(c: PortalCtx) {
  const company = c.get("company");
  return renderPage(
    c,
    <Page title={`Check your email — ${siteName(company)}`} siteName={siteName(company)}>
      <h1>Check your email</h1>
      <p>
        If the address you entered belongs to a partner of {company.name}, we have sent it a link to sign in. The link
        works once, within {SIGN_IN_LINK_TTL_MS / 60_000} minutes.
      </p>
      <p>
        Nothing arrived after a few minutes? Check your spam folder, or{" "}
        <a href={pageUrl(company, "/sign-in")}>ask for a new link</a>. Still nothing? Ask {company.name} which address
        they have for you.
      </p>
    </Page>,
  );
}

function tooManyRequests(c: PortalCtx) {
  const company = c.get("company");
  c.header("retry-after", "60");
  return renderPage(
    c,
    <Page title={`Too many requests — ${siteName(company)}`} siteName={siteName(company)}>
      <h1>Too many requests</h1>
      <p>Too many sign-in links were asked for from your network. Wait a minute, then try again.</p>
    </Page>,
    429,
  );
}

/** The page a sign-in link opens: a button, nothing consumed yet (a mail scanner's GET burns nothing). */
export async function signInLinkPage(c: PortalCtx) {
  const company = c.get("company");
  const token = c.req.param("token") ?? "";
  const state = await checkSignInLink(c.env, company.id, token);
  if (!state.ok) return linkFailurePage(c, state.failure);
  const csrf = await csrfToken(c);
  return renderPage(
    c,
    <Page title={`Sign in — ${siteName(company)}`} siteName={siteName(company)}>
      <h1>Sign in to the partner portal</h1>
      <p>Press the button to sign in to the {company.name} partner portal.</p>
      <PostForm action={pageUrl(company, `/sign-in/${token}`)} csrf={csrf}>
        <button type="submit">Sign in</button>
      </PostForm>
      <p>
        <small>This link works once, until {moment(state.expiresAt)}.</small>
      </p>
    </Page>,
  );
}

/** The button's POST: consumes the link (once, atomically) and starts the partner's session. */
export async function useSignInLink(c: PortalCtx) {
  const company = c.get("company");
  const state = await consumeSignInLink(c.env, company.id, c.req.param("token") ?? "");
  if (!state.ok) return linkFailurePage(c, state.failure);
  await createSession(c, portalScope(company), { subjectId: state.partnerId, companyId: company.id });
  return c.redirect(pageUrl(company), 303);
}

const FAILURES: Record<SignInLinkFailure, { status: 403 | 404 | 410; title: string; text: string }> = {
  unknown: {
    status: 404,
    title: "This sign-in link does not work",
    text: "The link is not complete or not one of ours. Copy the whole link from the email, or ask for a new one.",
  },
  used: {
    status: 410,
    title: "This sign-in link has already been used",
    text: "Each link signs in once. Ask for a new link to sign in again.",
  },
  expired: {
    status: 410,
    title: "This sign-in link has expired",
    text: `Links work for ${SIGN_IN_LINK_TTL_MS / 60_000} minutes. Ask for a new link to sign in.`,
  },
  "partner-archived": {
    status: 403,
    title: "This partner account is closed",
    text: "The account this link was for is no longer active. Ask the company if you think this is a mistake.",
  },
};

function linkFailurePage(c: PortalCtx, failure: SignInLinkFailure) {
  const company = c.get("company");
  const { status, title, text } = FAILURES[failure];
  return renderPage(
    c,
    <Page title={`${title} — ${siteName(company)}`} siteName={siteName(company)}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href={pageUrl(company, "/sign-in")} class="button-link">
          Email me a new link
        </a>
      </p>
    </Page>,
    status,
  );
}

export async function signOut(c: PortalCtx) {
  const company = c.get("company");
  await revokeSession(c, portalScope(company));
  return c.redirect(pageUrl(company, "/sign-in?signed-out"), 303);
}
