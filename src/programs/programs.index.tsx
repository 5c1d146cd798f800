// Public program pages, no key needed (README, "Program pages"):
//   /programs/<company>/<group>  the page a company shares with partners who should land in that
//                                group: its offers, terms and the live application form (applications
//                                on) or a join form (off);
//   /programs/<company>          the marketplace entry: the company's program, applying to its
//                                default group (the applications service's no-group path);
//   …/applied, …/joined          the confirmations a sent form redirects to (POST → 303 → GET).
// Forms go through the same service as POST /v1/applications. A page slug the group had before a
// rename answers 301 to the current one; anything else under /programs is a friendly 404 page.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AdminContext } from "../admin/context";
import { submitApplication } from "../applications/service";
import { database } from "../db/client";
import { companies, type groups } from "../db/schema";
import { type FormFieldDefinition, parseSubmission } from "../forms/fields";
import { currentVersion } from "../forms/service";
import { findGroupByPageSlug, formEnabled, getGroup } from "../groups/service";
import { ApiError, type FieldError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { activeOffers, type OfferVersion } from "../offers/service";
import { offerSummary } from "../offers/summary";
import { portalPath } from "../portal/sign-in-links";
import { csrfToken } from "../web/csrf";
import { Honeypot, PostForm } from "../web/form";
import { type FormValues, formErrorsOf, readForm } from "../web/forms";
import { Page, renderPage } from "../web/layout";
import { notFoundPage } from "../web/pages";
import { createPageRouter } from "../web/router";
import { SubmissionFields, submissionErrors, submissionValues } from "../web/submission-form";
import { HONEYPOT_FIELD, honeypotFilled, withinCompanyLimit, withinIpLimit } from "./abuse";
import { joinFields } from "./join-form";
import { mailSignInLinkLater } from "./sign-in-mail";

type Company = typeof companies.$inferSelect;
type Group = typeof groups.$inferSelect;

/** Which program a page shows: a group's own page, or the company's marketplace entry (its default group). */
interface Program {
  company: Company;
  group: Group;
  marketplace: boolean;
}

export const programsRouter = createPageRouter();

export const programPagePath = (company: Company, group: Group) => `/programs/${company.slug}/${group.slug}`;
const marketplacePath = (company: Company) => `/programs/${company.slug}`;
const formAction = ({ company, group, marketplace }: Program) =>
  marketplace ? marketplacePath(company) : programPagePath(company, group);

// ---- The marketplace entry: /programs/<company> -----------------------------------------------

programsRouter.get("/:companySlug", async (c) => {
  const program = await marketplaceProgram(c, c.req.param("companySlug"));
  if (program instanceof Response) return program;
  return renderProgram(c, program, {}, []);
});

programsRouter.post("/:companySlug", async (c) => {
  if (!(await withinIpLimit(c))) return tooManyPage(c);
  const program = await marketplaceProgram(c, c.req.param("companySlug"));
  if (program instanceof Response) return program;
  return apply(c, program);
});

async function marketplaceProgram(c: Context<AdminContext>, companySlug: string): Promise<Program | Response> {
  const company = await findCompanyBySlug(c, companySlug);
  if (!company) return programNotFound(c, null);
  const group = company.defaultGroupId ? await getGroup(c.env, company.id, company.defaultGroupId) : null;
  // The default group cannot be archived; a company without any group has no program yet.
  if (!group || group.archivedAt) return programNotFound(c, null);
  return { company, group, marketplace: true };
}

// ---- A group's page: /programs/<company>/<group> ----------------------------------------------

programsRouter.get("/:companySlug/:groupSlug", async (c) => {
  const found = await groupProgram(c);
  if (found instanceof Response) return found;
  if (found.moved) return c.redirect(programPagePath(found.company, found.group), 301);
  return renderProgram(c, found, {}, []);
});

// A form sent to a former slug (a page opened before the rename) still reaches the group.
programsRouter.post("/:companySlug/:groupSlug", async (c) => {
  if (!(await withinIpLimit(c))) return tooManyPage(c);
  const found = await groupProgram(c);
  if (found instanceof Response) return found;
  return apply(c, found);
});

programsRouter.get("/:companySlug/:groupSlug/applied", async (c) => {
  const found = await groupProgram(c);
  if (found instanceof Response) return found;
  if (found.moved) return c.redirect(`${programPagePath(found.company, found.group)}/applied`, 301);
  return renderPage(c, <AppliedPage {...found} />);
});

programsRouter.get("/:companySlug/:groupSlug/joined", async (c) => {
  const found = await groupProgram(c);
  if (found instanceof Response) return found;
  if (found.moved) return c.redirect(`${programPagePath(found.company, found.group)}/joined`, 301);
  return renderPage(c, <JoinedPage {...found} />);
});

programsRouter.all("*", (c) => programNotFound(c, null));

async function groupProgram(c: Context<AdminContext>): Promise<(Program & { moved: boolean }) | Response> {
  const company = await findCompanyBySlug(c, c.req.param("companySlug") ?? "");
  if (!company) return programNotFound(c, null);
  const found = await findGroupByPageSlug(c.env, company.id, (c.req.param("groupSlug") ?? "").toLowerCase());
  if (!found || found.group.archivedAt) return programNotFound(c, company);
  return { company, group: found.group, marketplace: false, moved: found.moved };
}

function findCompanyBySlug(c: Context<AdminContext>, slug: string) {
  return database(c.env.DB).query.companies.findFirst({ where: eq(companies.slug, slug.toLowerCase()) });
}

// ---- Sending the form --------------------------------------------------------------------------

/**
 * An application (applications on) or a join (off), through the applications service. A new
 * applicant, one whose email is already a partner's or pending, and a bot that filled the honeypot
 * all get the same redirect to the same confirmation: the page tells nobody who is a partner.
 */
async function apply(c: Context<AdminContext>, program: Program) {
  const { company, group } = program;
  if (!(await withinCompanyLimit(c, company.id))) return tooManyPage(c);
  const posted = await readForm(c);
  const gated = formEnabled(group, "application");
  const confirmation = (applied: boolean) =>
    c.redirect(`${programPagePath(company, group)}/${applied ? "applied" : "joined"}`, 303);
  if (honeypotFilled(posted)) {
    console.warn(JSON.stringify({ msg: "application honeypot filled", company: company.id, group: group.id }));
    return confirmation(gated);
  }
  const version = await currentVersion(c.env, company.id, group.id, "application");
  const fields = gated ? version.fields : joinFields(version.fields);
  try {
    const application = await submitApplication(c.env, company.id, {
      // The marketplace entry takes the service's own path: the company's default group.
      groupId: program.marketplace ? undefined : group.id,
      values: submissionValues(fields, posted),
      join: !gated,
    });
    if (!application.gated) mailSignInLinkLater(c, program, application.email, "joined");
    return confirmation(application.gated);
  } catch (error) {
    if (isAlreadyKnown(error)) {
      const email = normalizedEmail(version.fields, posted);
      if (email && error instanceof ApiError && error.problem === PROBLEMS.partnerExists)
        mailSignInLinkLater(c, program, email, "already-a-partner");
      return confirmation(gated);
    }
    if (error instanceof ApiError && error.problem === PROBLEMS.noGroup) return programNotFound(c, null);
    const errors = formErrorsOf(error);
    if (!errors) throw error;
    // Not about the answers: the group was archived while the visitor filled in the form.
    if (errors.some((e) => e.field !== "values" && !e.field.startsWith("values."))) return programNotFound(c, company);
    return renderProgram(c, program, posted, submissionErrors(fields, errors), 422);
  }
}

/** The email as the service stores it (trimmed, lower case), by the form's own rules; null if it is none. */
function normalizedEmail(fields: FormFieldDefinition[], posted: FormValues): string | null {
  const asked = joinFields(fields);
  try {
    return String(parseSubmission(asked, submissionValues(asked, posted)).email);
  } catch {
    return null;
  }
}

/** An email that is already an active partner's, or already has a pending application. */
function isAlreadyKnown(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.problem === PROBLEMS.partnerExists || error.problem === PROBLEMS.applicationPending;
}

// ---- Pages -------------------------------------------------------------------------------------

async function renderProgram(
  c: Context<AdminContext>,
  program: Program,
  values: FormValues,
  errors: FieldError[],
  status: 200 | 422 = 200,
) {
  const { company, group } = program;
  const [version, offers, csrf] = await Promise.all([
    currentVersion(c.env, company.id, group.id, "application"),
    activeOffers(c.env, company.id, group.id),
    csrfToken(c),
  ]);
  const gated = formEnabled(group, "application");
  const form = gated
    ? { title: version.title, description: version.description, fields: version.fields, button: "Send application" }
    : {
        title: `Join ${group.name}`,
        description: "You join at once, and we email you a link to sign in to your partner portal and get your links.",
        fields: joinFields(version.fields),
        button: "Join the program",
      };
  return renderPage(
    c,
    <ProgramPage program={program} offers={offers} errors={errors}>
      <section class="program-form" aria-labelledby="form-title">
        <h2 id="form-title">{form.title}</h2>
        {form.description ? <p>{form.description}</p> : null}
        {form.fields.some((field) => !field.required) ? (
          <p class="field-hint">All fields are required unless marked (optional).</p>
        ) : null}
        <PostForm action={formAction(program)} csrf={csrf}>
          <SubmissionFields fields={form.fields} values={values} errors={errors} />
          <Honeypot name={HONEYPOT_FIELD} />
          <button type="submit">{form.button}</button>
        </PostForm>
      </section>
    </ProgramPage>,
    status,
  );
}

function ProgramPage({
  program: { company, group, marketplace },
  offers,
  errors,
  children,
}: {
  program: Program;
  offers: OfferVersion[];
  errors: FieldError[];
  children?: Child;
}) {
  const terms = group.termsUrl ?? company.termsUrl;
  const title = marketplace ? `${company.name} partner program` : `${company.name} — ${group.name} partner program`;
  return (
    <Page title={title} siteName={company.name} errors={errors}>
      {marketplace ? (
        <h1>{company.name} partner program</h1>
      ) : (
        <>
          <p class="eyebrow">{company.name} partner program</p>
          <h1>{group.name}</h1>
        </>
      )}
      <p>
        {company.name} invites partners to its <strong>{group.name}</strong> program: share your referral links and earn
        rewards for the customers you bring.
      </p>
      {offers.length > 0 ? (
        <section class="offers" aria-labelledby="offers-title">
          <h2 id="offers-title">What you earn</h2>
          <ul>
            {offers.map((offer) => (
              <li>
                <strong>{offer.name}</strong>: {offerSummary(offer.triggers)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {terms ? (
        <p>
          <a href={terms} rel="noopener">
            Program terms of service
          </a>
        </p>
      ) : null}
      {children}
    </Page>
  );
}

function AppliedPage({ company, group }: Program) {
  return (
    <Page title={`Application received — ${company.name}`} siteName={company.name}>
      <h1>Application received</h1>
      <p>
        Thank you for applying to {company.name}'s <strong>{group.name}</strong> program. We will email you when your
        application has been reviewed.
      </p>
      <p>
        <a href={programPagePath(company, group)}>Back to the program</a>
      </p>
    </Page>
  );
}

function JoinedPage({ company, group }: Program) {
  return (
    <Page title={`You're in — ${company.name}`} siteName={company.name}>
      <h1>You're in</h1>
      <p>
        Welcome to {company.name}'s <strong>{group.name}</strong> program. We have emailed you a link to sign in to your
        partner portal, where your referral links are waiting. The link works once, within 15 minutes.
      </p>
      <p>
        No email after a few minutes? Check your spam folder, or{" "}
        <a href={portalPath(company.slug)}>ask for a new sign-in link</a>.
      </p>
      <p>
        <a href={programPagePath(company, group)}>Back to the program</a>
      </p>
    </Page>
  );
}

/** Over a rate limit: nothing is read or written; the visitor may send again after a minute. */
function tooManyPage(c: Context) {
  c.header("retry-after", "60");
  return renderPage(
    c,
    <Page title="Too many applications">
      <h1>Too many applications</h1>
      <p>
        We received too many applications from your network, or for this program, in the last minute. Wait a minute,
        then go back and send the form again.
      </p>
    </Page>,
    429,
  );
}

/** The 404 page; for a company that exists, it points to the company's main (default group's) program. */
async function programNotFound(c: Context<AdminContext>, company: Company | null) {
  const message = "This partner program does not exist or has closed. Check the address, or ask whoever shared it.";
  const main = company?.defaultGroupId ? await getGroup(c.env, company.id, company.defaultGroupId) : null;
  const link =
    company && main && !main.archivedAt ? (
      <p>
        <a href={programPagePath(company, main)}>See {company.name}'s partner program</a>
      </p>
    ) : null;
  return notFoundPage(c, message, link);
}
