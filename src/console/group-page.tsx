// A group's page (`/console/groups/{id}/{tab}`): the group's name, then a tab nav (Offers, Links, Lead
// submission, Deal registration, Social content, Application, Settings) over the tab's own content.
// Each built tab lives in src/console/tabs/<slug>.tsx and registers its own GET (and POST) routes;
// a tab not built yet answers a short "coming" placeholder. README "Console" says how to add one.
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AdminContext } from "../admin/context";
import type { groups } from "../db/schema";
import { getGroup } from "../groups/service";
import type { FieldError } from "../lib/errors";
import { notFoundPage } from "../web/pages";
import { noticeOf, renderConsole } from "./pages";

type Group = typeof groups.$inferSelect;

/** The tabs, in the order of the nav; `built: false` shows the placeholder until its tab file exists. */
export const GROUP_TABS = [
  { slug: "offers", label: "Offers", built: true },
  { slug: "links", label: "Links", built: true },
  { slug: "lead-submission", label: "Lead submission", built: true },
  { slug: "deal-registration", label: "Deal registration", built: true },
  { slug: "social-content", label: "Social content", built: true },
  { slug: "application", label: "Application", built: true },
  { slug: "settings", label: "Settings", built: true },
] as const;

export type GroupTabSlug = (typeof GROUP_TABS)[number]["slug"];

export const groupPath = (groupId: string, tab?: GroupTabSlug) => `/console/groups/${groupId}${tab ? `/${tab}` : ""}`;

/** The group of the path's `:groupId`, of the signed-in user's company (another company's: the 404 page). */
export function groupOf(c: Context<AdminContext>): Promise<Group> {
  return getGroup(c.env, c.get("consoleUser").company.id, c.req.param("groupId") ?? "");
}

export interface GroupTabProps {
  group: Group;
  tab: GroupTabSlug;
  errors?: FieldError[];
  notice?: string;
  scripts?: string[];
  /** What the page shows inside the tab (a lead, a confirmation), before the tab's name in the title. */
  subtitle?: string;
  children?: Child;
}

/** Renders a tab of a group's page: the group's heading and the tab nav around `children`. */
export function renderGroupTab(
  c: Context<AdminContext>,
  { group, tab, errors, notice, scripts, subtitle, children }: GroupTabProps,
  status: ContentfulStatusCode = 200,
) {
  const { company } = c.get("consoleUser");
  const current = GROUP_TABS.find((item) => item.slug === tab)!;
  return renderConsole(
    c,
    {
      title: `${subtitle ? `${subtitle} — ` : ""}${current.label} — ${group.name}`,
      section: "groups",
      errors,
      notice,
      scripts,
      children: (
        <>
          <p class="breadcrumbs">
            <a href="/console">Groups</a>
          </p>
          <h1>
            {group.name}
            {company.defaultGroupId === group.id ? <span class="badge">Default</span> : null}
            {group.archivedAt ? <span class="badge muted">Archived</span> : null}
          </h1>
          <nav aria-label="Group sections" class="tabs">
            <ul>
              {GROUP_TABS.map((item) => (
                <li>
                  <a href={groupPath(group.id, item.slug)} aria-current={item.slug === tab ? "page" : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <section class="tab-body" aria-labelledby="tab-title">
            <h2 id="tab-title">{current.label}</h2>
            {children}
          </section>
        </>
      ),
    },
    status,
  );
}

/**
 * The group's root (`/console/groups/{id}`) opens its first tab, and every tab not built yet shows a
 * placeholder. Register after the built tabs' own routes.
 */
export function registerGroupPages(router: Hono<AdminContext>) {
  router.get("/groups/:groupId", async (c) => {
    const group = await groupOf(c);
    const notice = c.req.query("notice");
    const query = notice ? `?notice=${encodeURIComponent(notice)}` : "";
    return c.redirect(`${groupPath(group.id, GROUP_TABS[0].slug)}${query}`, 303);
  });

  router.get("/groups/:groupId/:tab", async (c) => {
    const tab = GROUP_TABS.find((item) => item.slug === c.req.param("tab"));
    if (!tab || tab.built) return notFoundPage(c);
    const group = await groupOf(c);
    return renderGroupTab(c, {
      group,
      tab: tab.slug,
      notice: noticeOf(c),
      children: (
        <p class="placeholder">
          Coming soon: the {tab.label.toLowerCase()} of this group will be managed here. Until then, use the{" "}
          <a href="/docs">admin API</a>.
        </p>
      ),
    });
  });
}
