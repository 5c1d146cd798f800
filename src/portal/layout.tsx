// The signed-in portal's page shell: the company's name, a navigation between the partner's pages
// (the current one marked with aria-current) and a sign-out button (a POST form, CSRF-checked).
import type { Child } from "hono/jsx";
import type { FieldError } from "../lib/errors";
import { COPY_SCRIPT_PATH } from "../web/assets";
import { PostForm } from "../web/form";
import { Page } from "../web/layout";
import { type Company, pageUrl, type SignedIn } from "./access";

export type PortalSection = "links" | "stats" | "rewards" | "leads" | "deals" | "profile";

const SECTIONS: { id: PortalSection; label: string; path: string }[] = [
  { id: "links", label: "My links", path: "" },
  { id: "stats", label: "Stats", path: "/stats" },
  { id: "rewards", label: "Rewards", path: "/rewards" },
  { id: "leads", label: "Leads", path: "/leads" },
  { id: "deals", label: "Deals", path: "/deals" },
  { id: "profile", label: "Profile", path: "/profile" },
];

export function PortalPage({
  company,
  signedIn,
  section,
  title,
  errors,
  children,
}: {
  company: Company;
  signedIn: SignedIn;
  section: PortalSection;
  title: string;
  errors?: FieldError[];
  children?: Child;
}) {
  const { group } = signedIn;
  // Leads and deals appear when the partner's group takes them.
  const shown = SECTIONS.filter(
    (s) => (s.id !== "leads" || group.leadSubmissionEnabled) && (s.id !== "deals" || group.dealRegistrationEnabled),
  );
  const nav = (
    <nav aria-label="Partner portal" class="portal-nav">
      <ul>
        {shown.map((s) => (
          <li>
            <a href={pageUrl(company, s.path)} aria-current={s.id === section ? "page" : undefined}>
              {s.label}
            </a>
          </li>
        ))}
        <li>
          <PostForm action={pageUrl(company, "/sign-out")} csrf={signedIn.csrf}>
            <button type="submit" class="secondary outline">
              Sign out
            </button>
          </PostForm>
        </li>
      </ul>
    </nav>
  );
  const header = (
    <>
      <p>{company.name} partner portal</p>
      {nav}
    </>
  );
  return (
    <Page
      title={`${title} — ${company.name} partner portal`}
      errors={errors}
      header={header}
      scripts={[COPY_SCRIPT_PATH]}
    >
      {children}
    </Page>
  );
}

/** A date for people, in UTC: "25 Nov 2026". */
export function day(ms: number): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(ms);
}

/** A time for people, in UTC: "25 Nov 2026, 08:15 UTC". */
export function moment(ms: number): string {
  const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${format.format(ms)} UTC`;
}

/** US cents as dollars: 123456 → "$1,234.56". */
export function usd(cents: number): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);
}

/** A confirmation after a POST → redirect → GET (`?done=…`), announced politely. */
export function Notice({ children }: { children?: Child }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}
