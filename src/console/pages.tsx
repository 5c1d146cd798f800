// The console's shell: a header with the company's name, the navigation (Groups, Partners, Settings,
// the API reference) and sign-out, around the page's own content; and the pages the console answers
// with when something is refused.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../admin/context";
import type { FieldError } from "../lib/errors";
import { csrfToken } from "../web/csrf";
import { CsrfField } from "../web/form";
import { Page, renderPage } from "../web/layout";

export type ConsoleSection = "groups" | "partners" | "settings";

const SECTIONS: { section: ConsoleSection; label: string; href: string }[] = [
  { section: "groups", label: "Groups", href: "/console" },
  { section: "partners", label: "Partners", href: "/console/partners" },
  { section: "settings", label: "Settings", href: "/console/settings" },
];

/** Messages a redirect may ask a page to show (`?notice=`): a fixed set, so no text is ever reflected. */
export const NOTICES = {
  created: "Created.",
  "group-created": "Group created.",
  saved: "Saved.",
  moved: "The partner was moved.",
  archived: "Archived.",
  restored: "Restored.",
  revoked: "Revoked.",
  removed: "Removed.",
  "signed-out": "You have signed out.",
  // Link domains (src/console/link-domains.tsx).
  "domain-added": "Link domain added. Create its DNS TXT record (below), then choose Verify now.",
  "domain-verified": "Verified: the domain now serves your partner links.",
  welcome: "Your account is ready. Welcome!",
  // Group tabs: forms, pipelines, leads, deals and applications (src/console/tabs/).
  "form-saved": "Saved as a new version of the form. Earlier submissions keep theirs.",
  "form-reset": "The form was reset to its default (a new version). Earlier submissions keep theirs.",
  "turned-on": "Turned on.",
  "turned-off": "Turned off.",
  "stage-added": "Stage added.",
  "stage-moved": "Stage moved.",
  "lead-moved": "The lead was moved.",
  "deal-moved": "The deal was moved.",
  "deal-registered": "Deal registered.",
  approved: "Application approved: the applicant is now a partner of this group.",
  rejected: "Application rejected.",
} as const;

export function noticeOf(c: Context): string | undefined {
  const key = c.req.query("notice");
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as keyof typeof NOTICES] : undefined;
}

export function Notice({ text }: { text?: string }) {
  return text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;
}

function ConsoleHeader({ c, section, csrf }: { c: Context<AdminContext>; section?: ConsoleSection; csrf: string }) {
  const { user, company } = c.get("consoleUser");
  return (
    <div class="console-header">
      <p class="console-brand">
        {company.name}
        <span class="console-brand-sub"> · partner console</span>
      </p>
      <nav aria-label="Console">
        <ul>
          {SECTIONS.map((item) => (
            <li>
              <a href={item.href} aria-current={item.section === section ? "page" : undefined}>
                {item.label}
              </a>
            </li>
          ))}
          <li>
            <a href="/docs">API reference</a>
          </li>
        </ul>
      </nav>
      <form method="post" action="/console/sign-out" class="sign-out">
        <CsrfField token={csrf} />
        <span class="signed-in-as">
          {user.email} ({user.role})
        </span>
        <button type="submit" class="secondary outline">
          Sign out
        </button>
      </form>
    </div>
  );
}

export interface ConsolePageProps {
  title: string;
  section?: ConsoleSection;
  errors?: FieldError[];
  /** A short confirmation at the top of the page (e.g. "Saved."). */
  notice?: string;
  scripts?: string[];
  children?: Child;
}

/** Renders a page of the signed-in console, inside the shell. */
export async function renderConsole(
  c: Context<AdminContext>,
  { title, section, errors, notice, scripts, children }: ConsolePageProps,
  status: ContentfulStatusCode = 200,
) {
  const csrf = await csrfToken(c);
  const { company } = c.get("consoleUser");
  return renderPage(
    c,
    <Page
      title={`${title} — ${company.name} console`}
      errors={errors}
      scripts={scripts}
      header={<ConsoleHeader c={c} section={section} csrf={csrf} />}
    >
      <Notice text={notice} />
      {children}
    </Page>,
    status,
  );
}

/** A refused action (a viewer's write, a non-owner on the users page). */
export function forbiddenPage(c: Context, message: string) {
  return renderPage(
    c,
    <Page title="You cannot do this">
      <h1>You cannot do this</h1>
      <p>{message}</p>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </Page>,
    403,
  );
}
