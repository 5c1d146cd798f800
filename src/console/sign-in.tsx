// Signing in and out of the console, and accepting an invite. Sign-in attempts are limited per client
// IP and per email before the password is even hashed (a refused attempt costs no PBKDF2 run); an
// unknown email and a wrong password get the same message after the same work.
import { z } from "@hono/zod-openapi";
import type { Context, Hono } from "hono";
import type { AdminContext } from "../admin/context";
import { getCompany } from "../companies/service";
import { ApiError, type FieldError } from "../lib/errors";
import { LimitedClients } from "../lib/limited-clients";
import { PROBLEMS, RATE_LIMIT_PERIOD_SECONDS } from "../lib/problems";
import { acceptInvite, authenticateUser, findOpenInvite, MIN_PASSWORD_LENGTH, newPassword } from "../users/service";
import { csrfToken } from "../web/csrf";
import { errorOf, PostForm, TextField } from "../web/form";
import { type FormValues, fieldValue, readForm } from "../web/forms";
import { Page, renderPage } from "../web/layout";
import { createSession, revokeSession } from "../web/sessions";
import { CONSOLE_SESSION, SIGN_IN_PATH } from "./auth";
import { checkWith } from "./form-errors";
import { Notice, noticeOf } from "./pages";

const ipLimited = new LimitedClients();
const accountLimited = new LimitedClients();

export const WRONG_CREDENTIALS = "The email address or password is not right.";
export const TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Wait a minute, then try again.";

export function registerSignInPages(router: Hono<AdminContext>) {
  router.get("/sign-in", async (c) => {
    if (c.get("webSession")) return c.redirect("/console", 303);
    return signInForm(c, {}, [], 200, noticeOf(c));
  });

  router.post("/sign-in", async (c) => {
    const values = await readForm(c);
    const email = fieldValue(values, "email").trim().toLowerCase();
    const password = fieldValue(values, "password");
    const empty: FieldError[] = [
      ...(email ? [] : [{ field: "email", message: "Enter your email address" }]),
      ...(password ? [] : [{ field: "password", message: "Enter your password" }]),
    ];
    if (empty.length > 0) return signInForm(c, values, empty, 422);
    if (await attemptRefused(c, email)) {
      c.header("retry-after", String(RATE_LIMIT_PERIOD_SECONDS));
      return signInForm(c, values, [{ field: "email", message: TOO_MANY_ATTEMPTS }], 429);
    }
    const user = await authenticateUser(c.env, email, password);
    if (!user) return signInForm(c, values, [{ field: "email", message: WRONG_CREDENTIALS }], 422);
    await createSession(c, CONSOLE_SESSION, { subjectId: user.id, companyId: user.companyId });
    return c.redirect("/console", 303);
  });

  router.post("/sign-out", async (c) => {
    await revokeSession(c, CONSOLE_SESSION);
    return c.redirect(`${SIGN_IN_PATH}?notice=signed-out`, 303);
  });

  router.get("/invites/:token", async (c) => {
    const invite = await findOpenInvite(c.env, c.req.param("token"));
    if (!invite) return inviteUnusable(c);
    return inviteForm(c, invite, []);
  });

  router.post("/invites/:token", async (c) => {
    const token = c.req.param("token");
    const invite = await findOpenInvite(c.env, token);
    if (!invite) return inviteUnusable(c);
    const values = await readForm(c);
    const password = fieldValue(values, "password");
    const checked = checkWith(z.object({ password: newPassword }), { password }, values, {
      labels: { password: "Your password" },
      required: { password: "Choose a password" },
    });
    if (!checked.ok) return inviteForm(c, invite, checked.errors, 422);
    const user = await acceptInvite(c.env, token, password).catch((error: unknown) => {
      // The only field the service can still refuse here: the email got an account meanwhile.
      if (error instanceof ApiError && error.problem === PROBLEMS.validationFailed) return "taken" as const;
      throw error;
    });
    if (user === "taken") {
      const message = "This email address already has an account: sign in with it instead.";
      return inviteForm(c, invite, [{ field: "password", message }], 409);
    }
    // Used by a concurrent submission of the same link.
    if (!user) return inviteUnusable(c);
    await createSession(c, CONSOLE_SESSION, { subjectId: user.id, companyId: user.companyId });
    return c.redirect("/console?notice=welcome", 303);
  });
}

/** Counts the attempt against the IP's and the email's limits; true when either is over. */
async function attemptRefused(c: Context<AdminContext>, email: string): Promise<boolean> {
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  if (ipLimited.isLimited(ip) || accountLimited.isLimited(email)) return true;
  const [byIp, byAccount] = await Promise.all([
    ipLimited.count(c.env.CONSOLE_SIGN_IN_IP_LIMITER, ip),
    accountLimited.count(c.env.CONSOLE_SIGN_IN_ACCOUNT_LIMITER, email),
  ]);
  return byIp || byAccount;
}

async function signInForm(
  c: Context<AdminContext>,
  values: FormValues,
  errors: FieldError[],
  status: 200 | 422 | 429 = 200,
  notice?: string,
) {
  const csrf = await csrfToken(c);
  return renderPage(
    c,
    <Page title="Sign in to the partner console" siteName="edgeref partner console" errors={errors}>
      <Notice text={notice} />
      <h1>Sign in</h1>
      <p>Sign in to manage your company's partner program.</p>
      <PostForm action={SIGN_IN_PATH} csrf={csrf}>
        <TextField
          name="email"
          type="email"
          label="Email address"
          required
          autocomplete="username"
          value={fieldValue(values, "email")}
          error={errorOf(errors, "email")}
        />
        <TextField
          name="password"
          type="password"
          label="Password"
          required
          autocomplete="current-password"
          error={errorOf(errors, "password")}
        />
        <button type="submit">Sign in</button>
      </PostForm>
      <p>No account yet? Ask your company's owner for an invite.</p>
    </Page>,
    status,
  );
}

type Invite = NonNullable<Awaited<ReturnType<typeof findOpenInvite>>>;

async function inviteForm(
  c: Context<AdminContext>,
  invite: Invite,
  errors: FieldError[],
  status: 200 | 409 | 422 = 200,
) {
  const csrf = await csrfToken(c);
  const company = await getCompany(c.env, invite.companyId);
  return renderPage(
    c,
    <Page title={`Join ${company.name} on edgeref`} siteName="edgeref partner console" errors={errors}>
      <h1>Join {company.name}</h1>
      <p>
        {company.name} invites you to its partner console as <strong>{invite.role}</strong>, with the email{" "}
        <strong>{invite.email}</strong>. Choose a password to create your account.
      </p>
      <PostForm action={`/console/invites/${c.req.param("token")}`} csrf={csrf}>
        <input type="hidden" name="username" value={invite.email} autocomplete="username" />
        <TextField
          name="password"
          type="password"
          label="Choose a password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of a few words is easy to remember.`}
          required
          autocomplete="new-password"
          error={errorOf(errors, "password")}
        />
        <button type="submit">Create my account</button>
      </PostForm>
    </Page>,
    status,
  );
}

function inviteUnusable(c: Context) {
  return renderPage(
    c,
    <Page title="This invite link cannot be used" siteName="edgeref partner console">
      <h1>This invite link cannot be used</h1>
      <p>
        It was used already, was withdrawn, or is over 7 days old. Ask your company's owner for a new invite, or{" "}
        <a href={SIGN_IN_PATH}>sign in</a> if you have an account.
      </p>
    </Page>,
    404,
  );
}
