// A group's Application tab: applications on or off (plan-gated; off means the group is not gated:
// partners who apply join directly), the application form's editor with "Reset application form",
// "View live application form" (the group's program page), the pending applications to approve or
// reject (with an optional reason), and the decided ones below. Through the forms and applications
// services the admin API uses; README "Console" and "Applications".
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../../admin/context";
import { ApproveApplicationBody, RejectApplicationBody } from "../../applications/applications.routes";
import {
  type Application,
  approveApplication,
  getApplication,
  listApplications,
  rejectApplication,
} from "../../applications/service";
import { formVersionById, getForm } from "../../forms/service";
import { programPageUrl } from "../../groups/groups.handlers";
import { type FieldError, problems } from "../../lib/errors";
import { csrfToken } from "../../web/csrf";
import { errorOf, PostForm, TextAreaField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { userCanWrite } from "../auth";
import { checkWith } from "../form-errors";
import { formatDateTime } from "../format";
import { groupOf, renderGroupTab } from "../group-page";
import { noticeOf } from "../pages";
import { FeatureSwitch, FormEditor, type FormTab, registerFormEditor } from "./form-editor";
import {
  Answers,
  ButtonError,
  buttonFor,
  type Group,
  NO_ERRORS,
  OnThisTab,
  refusalOn,
  TabSection,
  type TabState,
  tabBase,
  tabRoute,
} from "./form-tab-kit";

const tab: FormTab = { slug: "application", kind: "application", render: applicationTab };
const PAGE_SIZE = 50;
const REASON_LABELS = { reason: "Reason" };

const applicantName = (application: Application) => {
  const values = application.values as { first_name?: unknown; last_name?: unknown };
  const name = [values.first_name, values.last_name].filter((part) => typeof part === "string").join(" ");
  return name || application.email;
};

/** The application of the path's `:applicationId`, in this group (another group's or company's: the 404 page). */
async function applicationOf(c: Context<AdminContext>, group: Group) {
  const id = c.req.param("applicationId") ?? "";
  const application = await getApplication(c.env, group.companyId, id);
  if (application.groupId !== group.id) throw problems.notFound("application", id);
  return application;
}

export function registerApplicationTab(router: Hono<AdminContext>) {
  router.get(tabRoute(tab.slug), async (c) => applicationTab(c, await groupOf(c), NO_ERRORS));
  registerFormEditor(router, tab);

  router.get(tabRoute(tab.slug, "/applications/:applicationId"), async (c) => {
    const group = await groupOf(c);
    return reviewPage(c, group, await applicationOf(c, group), null, []);
  });

  router.post(tabRoute(tab.slug, "/applications/:applicationId/approve"), async (c) => {
    const group = await groupOf(c);
    const application = await applicationOf(c, group);
    const values = await readForm(c);
    const checked = checkWith(ApproveApplicationBody, {}, values, { labels: {} });
    if (!checked.ok) return reviewPage(c, group, application, values, checked.errors, 422);
    try {
      await approveApplication(c.env, group.companyId, application.id, checked.data, c.get("consoleUser").user.id);
    } catch (error) {
      const refusal = refusalOn(error, [], "approve", {});
      if (!refusal) throw error;
      // `values.email` (already a partner): on the button, in the service's words.
      const errors = refusal.errors.map((e) => ({ field: "approve", message: e.message }));
      return reviewPage(c, group, application, values, errors, refusal.status);
    }
    return c.redirect(`${tabBase(group.id, tab.slug)}?notice=approved#decided`, 303);
  });

  router.post(tabRoute(tab.slug, "/applications/:applicationId/reject"), async (c) => {
    const group = await groupOf(c);
    const application = await applicationOf(c, group);
    const values = await readForm(c);
    const checked = checkWith(RejectApplicationBody, { reason: fieldValue(values, "reason") }, values, {
      labels: REASON_LABELS,
    });
    if (!checked.ok) return reviewPage(c, group, application, values, checked.errors, 422);
    try {
      await rejectApplication(c.env, group.companyId, application.id, checked.data, c.get("consoleUser").user.id);
    } catch (error) {
      const refusal = refusalOn(error, ["reason"], "reject", REASON_LABELS);
      if (!refusal) throw error;
      return reviewPage(c, group, application, values, refusal.errors, refusal.status);
    }
    return c.redirect(`${tabBase(group.id, tab.slug)}?notice=rejected#decided`, 303);
  });
}

async function applicationTab(
  c: Context<AdminContext>,
  group: Group,
  state: TabState,
  status: ContentfulStatusCode = 200,
) {
  const { company } = c.get("consoleUser");
  const [form, csrf] = await Promise.all([getForm(c.env, group.companyId, group.id, "application"), csrfToken(c)]);
  const pageUrl = programPageUrl(new URL(c.req.url).origin, company, group);
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors: state.errors,
      notice: state.errors.length === 0 ? noticeOf(c) : undefined,
      children: (
        <>
          <p>The application partners fill in to join this group, and the applications waiting for your decision.</p>
          <OnThisTab
            sections={[
              { id: "form", label: "Application form" },
              { id: "applications", label: "Pending applications" },
              { id: "decided", label: "Decided applications" },
            ]}
          />
          <FeatureSwitch c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <p>
            <a href={pageUrl} target="_blank" rel="noopener" class="button-link secondary-link">
              View live application form<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          </p>
          <p class="muted">
            {form.enabled
              ? "The group's program page shows this form as partners see it."
              : "Applications are off, so the program page shows a short join form (first name, last name, email) " +
                "and applicants join at once."}
          </p>
          <FormEditor c={c} tab={tab} form={form} csrf={csrf} state={state} />
          <PendingApplications c={c} group={group} csrf={csrf} />
          <DecidedApplications c={c} group={group} />
        </>
      ),
    },
    status,
  );
}

/** A page of the group's applications of one kind; a cursor not of the company's own starts from the first. */
async function applicationsPage(
  c: Context<AdminContext>,
  group: Group,
  status: "pending" | undefined,
  cursor: string | undefined,
) {
  const options = { groupId: group.id, status, limit: PAGE_SIZE, startingAfter: cursor };
  return listApplications(c.env, group.companyId, options).catch(() =>
    listApplications(c.env, group.companyId, { ...options, startingAfter: undefined }),
  );
}

async function PendingApplications({ c, group, csrf }: { c: Context<AdminContext>; group: Group; csrf: string }) {
  const page = await applicationsPage(c, group, "pending", c.req.query("pending_after") || undefined);
  const base = tabBase(group.id, tab.slug);
  const writer = userCanWrite(c);
  const last = page.rows.at(-1);
  return (
    <TabSection id="applications" title="Pending applications">
      {page.rows.length === 0 ? (
        <p>No application is waiting for a decision.</p>
      ) : (
        <table class="stack-table">
          <caption class="visually-hidden">Applications waiting for a decision</caption>
          <thead>
            <tr>
              <th scope="col">Applicant</th>
              <th scope="col">Email</th>
              <th scope="col">Applied</th>
              {writer ? <th scope="col">Decide</th> : null}
            </tr>
          </thead>
          <tbody>
            {page.rows.map((application) => (
              <tr>
                <th scope="row">
                  <a href={`${base}/applications/${application.id}`}>{applicantName(application)}</a>
                </th>
                <td data-label="Email">{application.email}</td>
                <td data-label="Applied">{formatDateTime(application.createdAt)}</td>
                {writer ? (
                  <td data-label="Decide">
                    <div class="row-actions">
                      <PostForm action={`${base}/applications/${application.id}/approve`} csrf={csrf}>
                        <button type="submit" class="small">
                          Approve<span class="visually-hidden"> {applicantName(application)}</span>
                        </button>
                      </PostForm>
                      <a href={`${base}/applications/${application.id}#decide`}>
                        Review or reject<span class="visually-hidden"> {applicantName(application)}</span>
                      </a>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.hasMore && last ? (
        <p>
          <a href={`${base}?pending_after=${last.id}#applications`}>Next {PAGE_SIZE} pending applications</a>
        </p>
      ) : null}
    </TabSection>
  );
}

async function DecidedApplications({ c, group }: { c: Context<AdminContext>; group: Group }) {
  const page = await applicationsPage(c, group, undefined, c.req.query("decided_after") || undefined);
  const decided = page.rows.filter((application) => application.status !== "pending");
  const base = tabBase(group.id, tab.slug);
  const last = page.rows.at(-1);
  return (
    <TabSection id="decided" title="Decided applications">
      {decided.length === 0 ? (
        <p>No decided application{page.hasMore ? " on this page" : " yet"}.</p>
      ) : (
        <table class="stack-table">
          <caption class="visually-hidden">Applications approved or rejected</caption>
          <thead>
            <tr>
              <th scope="col">Applicant</th>
              <th scope="col">Email</th>
              <th scope="col">Decision</th>
              <th scope="col">Decided</th>
            </tr>
          </thead>
          <tbody>
            {decided.map((application) => (
              <tr>
                <th scope="row">
                  <a href={`${base}/applications/${application.id}`}>{applicantName(application)}</a>
                </th>
                <td data-label="Email">{application.email}</td>
                <td data-label="Decision">
                  <Decision application={application} />
                </td>
                <td data-label="Decided">{application.decidedAt ? formatDateTime(application.decidedAt) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.hasMore && last ? (
        <p>
          <a href={`${base}?decided_after=${last.id}#decided`}>Next applications</a>
        </p>
      ) : null}
    </TabSection>
  );
}

function Decision({ application }: { application: Application }) {
  if (application.status === "rejected") {
    return <>Rejected{application.rejectionReason ? `: ${application.rejectionReason}` : ""}</>;
  }
  if (application.status === "pending") return <>Pending</>;
  return (
    <>
      {application.gated ? "Approved" : "Joined directly (not gated)"}
      {application.partnerId ? (
        <>
          {" "}
          — <a href={`/console/partners/${application.partnerId}`}>partner</a>
        </>
      ) : null}
    </>
  );
}

/** An application's answers (with the form version it was made with) and, while pending, approve and reject. */
async function reviewPage(
  c: Context<AdminContext>,
  group: Group,
  application: Application,
  values: FormValues | null,
  errors: FieldError[],
  status: ContentfulStatusCode = 200,
) {
  const [version, csrf] = await Promise.all([
    formVersionById(c.env, group.companyId, application.formVersionId),
    csrfToken(c),
  ]);
  const base = tabBase(group.id, tab.slug);
  const name = applicantName(application);
  const pending = application.status === "pending";
  const approveError = errorOf(errors, "approve");
  const rejectError = errorOf(errors, "reject");
  return renderGroupTab(
    c,
    {
      group,
      tab: tab.slug,
      errors,
      subtitle: `Application from ${name}`,
      children: (
        <>
          <p class="breadcrumbs">
            <a href={`${base}#applications`}>All applications of the group</a>
          </p>
          <h3>Application from {name}</h3>
          <dl class="details">
            <dt>Status</dt>
            <dd>
              <Decision application={application} />
            </dd>
            <dt>Applied</dt>
            <dd>{formatDateTime(application.createdAt)}</dd>
            <dt>Form</dt>
            <dd>
              Version {version.version}: {version.title}
            </dd>
          </dl>
          {!pending && (approveError || rejectError) ? (
            // Decided meanwhile (in another tab, by someone else): the refusal, where the summary links.
            <div id={approveError ? "field-approve" : "field-reject"} tabindex={-1}>
              <ButtonError name={approveError ? "approve" : "reject"} error={approveError ?? rejectError} />
            </div>
          ) : null}
          <h4>Answers</h4>
          <Answers fields={version.fields} values={application.values} />
          {pending && userCanWrite(c) ? (
            <section id="decide" aria-labelledby="decide-title" class="decide">
              <h4 id="decide-title">Decide</h4>
              <PostForm action={`${base}/applications/${application.id}/approve`} csrf={csrf}>
                <p>Approving makes {name} a partner of this group, with their referral links.</p>
                <ButtonError name="approve" error={approveError} />
                <button type="submit" {...buttonFor("approve", approveError)}>
                  Approve application
                </button>
              </PostForm>
              <PostForm action={`${base}/applications/${application.id}/reject`} csrf={csrf}>
                <TextAreaField
                  name="reason"
                  label="Reason for rejecting"
                  hint="Kept with the application."
                  rows={3}
                  maxlength={1000}
                  value={values ? fieldValue(values, "reason") : ""}
                  error={errorOf(errors, "reason")}
                />
                <ButtonError name="reject" error={rejectError} />
                <button type="submit" class="secondary" {...buttonFor("reject", rejectError)}>
                  Reject application
                </button>
              </PostForm>
            </section>
          ) : null}
        </>
      ),
    },
    status,
  );
}
