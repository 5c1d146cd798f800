// Public program pages, no key needed: `/programs/<company slug>/<group slug>` is the page a
// company shares with partners who should land in that group. A page slug the group had before a
// rename answers 301 to the current one; anything else under /programs is a friendly 404 page.
// (The group's offers and its application or join form are added here by the offers and forms work.)
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AdminContext } from "../admin/context";
import { database } from "../db/client";
import { companies, type groups } from "../db/schema";
import { findGroupByPageSlug, getGroup } from "../groups/service";
import { Page, renderPage } from "../web/layout";
import { notFoundPage } from "../web/pages";
import { createPageRouter } from "../web/router";

type Company = typeof companies.$inferSelect;
type Group = typeof groups.$inferSelect;

export const programsRouter = createPageRouter();

export const programPagePath = (company: Company, group: Group) => `/programs/${company.slug}/${group.slug}`;

programsRouter.get("/:companySlug/:groupSlug", async (c) => {
  const { companySlug, groupSlug } = c.req.param();
  const company = await findCompanyBySlug(c, companySlug);
  if (!company) return programNotFound(c, null);
  const found = await findGroupByPageSlug(c.env, company.id, groupSlug.toLowerCase());
  if (!found || found.group.archivedAt) return programNotFound(c, company);
  if (found.moved) return c.redirect(programPagePath(company, found.group), 301);
  return renderPage(c, <ProgramPage company={company} group={found.group} />);
});

programsRouter.all("*", (c) => programNotFound(c, null));

function findCompanyBySlug(c: Context<AdminContext>, slug: string) {
  return database(c.env.DB).query.companies.findFirst({ where: eq(companies.slug, slug.toLowerCase()) });
}

function ProgramPage({ company, group }: { company: Company; group: Group }) {
  const terms = group.termsUrl ?? company.termsUrl;
  return (
    <Page title={`${company.name} — ${group.name} partner program`} siteName={company.name}>
      <p class="eyebrow">{company.name} partner program</p>
      <h1>{group.name}</h1>
      <p>
        {company.name} invites partners to its <strong>{group.name}</strong> program: share your referral links and earn
        rewards for the customers you bring.
      </p>
      {terms ? (
        <p>
          <a href={terms} rel="noopener">
            Program terms of service
          </a>
        </p>
      ) : null}
    </Page>
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
