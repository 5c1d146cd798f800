// Leads and deals in the portal: the form is the partner's group's current lead (deal) form, and a
// submission goes through the same service as the partner API (`submitLead`, `registerDeal`: the
// form must be on, the values are checked by its current version, the entry starts in the first
// stage). Below it, the partner's own leads (deals) with their stage.

import { listDeals, registerDeal } from "../deals/service";
import { getForm } from "../forms/service";
import { listLeads, submitLead } from "../leads/service";
import type { PipelineKind } from "../lib/constants";
import type { FieldError } from "../lib/errors";
import { ApiError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { serializePartnerDeals, serializePartnerLeads } from "../pipelines/serialize";
import { PostForm } from "../web/form";
import { type FormValues, formErrorsOf, readForm } from "../web/forms";
import { renderPage } from "../web/layout";
import { SubmissionFields, submissionErrors, submissionValues } from "../web/submission-form";
import { type PortalCtx, pageUrl } from "./access";
import { day, Notice, PortalPage } from "./layout";

const ENTRIES_SHOWN = 100;

const WORDS = {
  lead: { page: "Leads", one: "lead", submit: "Submit lead", mine: "My leads", off: "Lead submission" },
  deal: { page: "Deals", one: "deal", submit: "Register deal", mine: "My deals", off: "Deal registration" },
} as const;

type Entry = Pick<Awaited<ReturnType<typeof serializePartnerLeads>>[number], "id" | "values" | "form">;

async function myEntries(c: PortalCtx, kind: PipelineKind) {
  const company = c.get("company");
  const { partner } = c.get("signedIn");
  const filter = { limit: ENTRIES_SHOWN, newestFirst: true };
  if (kind === "lead") {
    const page = await listLeads(c.env, company.id, filter, partner.id);
    return { rows: await serializePartnerLeads(c.env, company.id, page.rows), hasMore: page.hasMore };
  }
  const page = await listDeals(c.env, company.id, filter, partner.id);
  return { rows: await serializePartnerDeals(c.env, company.id, page.rows), hasMore: page.hasMore };
}

/** A line that tells one entry from another: its first two answers, in the form's order. */
function entrySummary(entry: Entry): string {
  const shown = entry.form.fields
    .map((field) => entry.values[field.key])
    .filter((value): value is string | number => typeof value === "string" || typeof value === "number")
    .slice(0, 2);
  return shown.length > 0 ? shown.join(" — ") : entry.id;
}

export function entriesPage(kind: PipelineKind) {
  return (c: PortalCtx) => renderEntries(c, kind, {}, [], c.req.query("submitted") !== undefined);
}

async function renderEntries(
  c: PortalCtx,
  kind: PipelineKind,
  values: FormValues,
  errors: FieldError[],
  submitted: boolean,
  status: 200 | 409 | 422 = 200,
) {
  const company = c.get("company");
  const signedIn = c.get("signedIn");
  const words = WORDS[kind];
  const [form, entries] = await Promise.all([getForm(c.env, company.id, signedIn.group.id, kind), myEntries(c, kind)]);
  const { version } = form;
  return renderPage(
    c,
    <PortalPage company={company} signedIn={signedIn} section={`${kind}s`} title={words.page} errors={errors}>
      {submitted ? (
        <Notice>
          Your {words.one} is in. {company.name} takes it from here.
        </Notice>
      ) : null}
      <h1>{words.page}</h1>
      {form.enabled ? (
        <section aria-labelledby="form-title">
          <h2 id="form-title">{version.title}</h2>
          {version.description ? <p>{version.description}</p> : null}
          <PostForm action={pageUrl(company, `/${kind}s`)} csrf={signedIn.csrf}>
            <SubmissionFields fields={version.fields} values={values} errors={errors} />
            <button type="submit">{words.submit}</button>
          </PostForm>
        </section>
      ) : (
        <p class="notice">
          {words.off} is not open in the {signedIn.group.name} program at the moment.
        </p>
      )}
      <section aria-labelledby="mine-title">
        <h2 id="mine-title">{words.mine}</h2>
        {entries.rows.length === 0 ? (
          <p>You have not sent any yet.</p>
        ) : (
          <ul class="entries">
            {entries.rows.map((entry) => (
              <li>
                <span class="entry-main">
                  <strong>{entrySummary(entry)}</strong>
                </span>
                <span class={`badge${entry.stage.is_final ? " badge-paid" : ""}`}>{entry.stage.name}</span>
                <small>Sent {day(Date.parse(entry.created_at))}</small>
              </li>
            ))}
          </ul>
        )}
        {entries.hasMore ? (
          <p>
            <small>
              Your latest {ENTRIES_SHOWN} are shown; ask {company.name} about older ones.
            </small>
          </p>
        ) : null}
      </section>
    </PortalPage>,
    status,
  );
}

export function submitEntry(kind: PipelineKind) {
  return async (c: PortalCtx) => {
    const company = c.get("company");
    const { partner, group } = c.get("signedIn");
    const values = await readForm(c);
    const { version } = await getForm(c.env, company.id, group.id, kind);
    const actor = { companyId: company.id, partnerId: partner.id };
    const submission = submissionValues(version.fields, values);
    try {
      await (kind === "lead" ? submitLead : registerDeal)(c.env, actor, submission);
    } catch (error) {
      const errors = formErrorsOf(error);
      if (errors) return renderEntries(c, kind, values, submissionErrors(version.fields, errors), false, 422);
      // Turned off while the partner was filling it in: the page now says so.
      if (error instanceof ApiError && error.problem === PROBLEMS.formDisabled)
        return renderEntries(c, kind, values, [], false, 409);
      throw error;
    }
    return c.redirect(pageUrl(company, `/${kind}s?submitted`), 303);
  };
}
