// Public program pages: `/programs/<company slug>/<group slug>`, no key needed. A page slug a
// group had before a rename answers 301 to the current one.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AdminContext } from "../admin/context";
import { database } from "../db/client";
import { companies } from "../db/schema";
import { findGroupByPageSlug } from "../groups/service";
import { escapeHtml } from "../lib/html";

export const programsRouter = new Hono<AdminContext>();

programsRouter.get("/programs/:companySlug/:groupSlug", async (c) => {
  const { companySlug, groupSlug } = c.req.param();
  const company = await database(c.env.DB).query.companies.findFirst({
    where: eq(companies.slug, companySlug.toLowerCase()),
  });
  const found = company ? await findGroupByPageSlug(c.env, company.id, groupSlug.toLowerCase()) : null;
  if (!company || !found || found.group.archivedAt)
    return c.html(page("Program not found", "<p>This partner program does not exist or has closed.</p>"), 404);
  if (found.moved) return c.redirect(`/programs/${company.slug}/${found.group.slug}`, 301);

  const terms = found.group.termsUrl ?? company.termsUrl;
  const invitation =
    `<p>${escapeHtml(company.name)} invites partners to its <strong>${escapeHtml(found.group.name)}</strong> ` +
    "program: share your referral links and earn rewards for the customers you bring.</p>";
  const termsLink = terms ? `<p><a href="${escapeHtml(terms)}" rel="noopener">Program terms of service</a></p>` : "";
  const body = `${invitation}\n${termsLink}`;
  return c.html(page(`${company.name} — ${found.group.name} partner program`, body), 200);
});

function page(title: string, body: string): string {
  const style =
    "body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}" +
    "a{color:#0b57d0}";
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${style}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}
