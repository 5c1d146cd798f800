// Link domains in the console (`/console/settings/link-domains`): the company's hostnames with their
// verification state; add one (the API's CreateLinkDomain schema), see the TXT record to create,
// "Verify now" (the service's DNS lookup) and remove one after a confirmation page. Every write goes
// through src/link-domains/service.ts, as the API's do, so publishing to the edge happens the same way.
import type { Context, Hono } from "hono";
import type { AdminContext } from "../admin/context";
import { ApiError, type FieldError } from "../lib/errors";
import { PROBLEMS } from "../lib/problems";
import { allowsLocalHosts } from "../link-domains/link-domains.handlers";
import { CreateLinkDomainBody } from "../link-domains/link-domains.routes";
import {
  challengeName,
  claimLinkDomain,
  getLinkDomain,
  type LinkDomain,
  listLinkDomains,
  removeLinkDomain,
  type VerificationCheck,
  verifyLinkDomain,
} from "../link-domains/service";
import { COPY_SCRIPT_PATH } from "../web/assets";
import { CopyField } from "../web/copy";
import { csrfToken } from "../web/csrf";
import { errorOf, fieldId, PostForm, TextField } from "../web/form";
import { type FormValues, fieldValue, readForm } from "../web/forms";
import { userCanWrite } from "./auth";
import { checkWith, refusalOf } from "./form-errors";
import { formatDateTime } from "./format";
import { forbiddenPage, noticeOf } from "./pages";
import { renderSettings } from "./settings";

const LINK_DOMAINS_PATH = "/console/settings/link-domains";
const domainPath = (domainId: string) => `${LINK_DOMAINS_PATH}/${domainId}`;

const DOMAIN_FIELDS = {
  labels: { hostname: "Hostname", cookie_domain: "Cookie domain" },
  required: { hostname: "Enter the hostname your partner links will use, such as try.acme.com" },
};

/** The field a domain's verification message is shown at (its "Verify now" form). */
const verifyField = (domainId: string) => `verify-${domainId}`;

const DOMAIN_STATES = {
  verified: "Verified: serves your partner links",
  pending: "Pending: serves nothing until its DNS record is found",
  superseded: "Superseded: another company verified this hostname first",
} as const;

const HOSTNAME_HINT =
  "A hostname of yours for partner links, such as try.acme.com: a subdomain you use for nothing else.";
const COOKIE_DOMAIN_HINT =
  "The hostname or a parent domain of it, such as acme.com, so your site can read the tracking cookie. " +
  "Empty: the hostname itself.";

/** What the page says when the resolver could not answer (the API's 503): nothing is known, nothing changed. */
const DNS_DOWN =
  "We could not look up DNS records just now, so we could not check yours. Nothing changed: " +
  "choose Verify now again in a minute.";

export function registerLinkDomainPages(router: Hono<AdminContext>) {
  router.get("/settings/link-domains", async (c) => linkDomainsPage(c, {}, []));

  router.post("/settings/link-domains", async (c) => {
    const values = await readForm(c);
    const cookieDomain = fieldValue(values, "cookie_domain").trim();
    const body = { hostname: fieldValue(values, "hostname"), cookie_domain: cookieDomain === "" ? null : cookieDomain };
    const checked = checkWith(CreateLinkDomainBody, body, values, DOMAIN_FIELDS);
    if (!checked.ok) return linkDomainsPage(c, values, checked.errors, 422);
    let domain: LinkDomain;
    try {
      const policy = { allowLocalHosts: allowsLocalHosts(c.env) };
      domain = await claimLinkDomain(c.env, c.get("consoleUser").company.id, checked.data, policy);
    } catch (error) {
      // Taken by another company, or already this company's (409); a local name in production (422).
      const refusal = refusalOf(error, "hostname", DOMAIN_FIELDS);
      if (!refusal) throw error;
      return linkDomainsPage(c, values, refusal.errors, refusal.status);
    }
    // A local hostname (local development only) is verified at once; any other waits for its record.
    const notice = domain.status === "verified" ? "domain-verified" : "domain-added";
    return c.redirect(`${LINK_DOMAINS_PATH}?notice=${notice}#${verifySectionId(domain.id)}`, 303);
  });

  router.post("/settings/link-domains/:domainId/verify", async (c) => {
    const domainId = c.req.param("domainId");
    let check: VerificationCheck | null;
    try {
      ({ check } = await verifyLinkDomain(c.env, c.get("consoleUser").company.id, domainId, {
        resolveTxt: c.get("resolveTxt"),
        allowLocalHosts: allowsLocalHosts(c.env),
      }));
    } catch (error) {
      // The resolver failed (the API's 503): said beside the button, never an error page.
      if (error instanceof ApiError && error.problem === PROBLEMS.dnsLookupFailed) {
        return linkDomainsPage(c, {}, [{ field: verifyField(domainId), message: DNS_DOWN }]);
      }
      // Another company verified the hostname first (409); another company's or an unknown id: the 404 page.
      const refusal = refusalOf(error, verifyField(domainId), { labels: {} });
      if (!refusal) throw error;
      return linkDomainsPage(c, {}, refusal.errors, refusal.status);
    }
    // `check` is null when the domain was verified already: nothing to look up, nothing to say but that.
    if (!check || check.matched) return c.redirect(`${LINK_DOMAINS_PATH}?notice=domain-verified`, 303);
    // The lookup worked and the record is not there (yet): the check's own words, and what was found.
    return linkDomainsPage(c, {}, [{ field: verifyField(domainId), message: notVerifiedMessage(check) }]);
  });

  router.get("/settings/link-domains/:domainId/remove", async (c) => {
    const domain = await getLinkDomain(c.env, c.get("consoleUser").company.id, c.req.param("domainId"));
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see link domains, not remove them.");
    return removePage(c, domain);
  });

  router.post("/settings/link-domains/:domainId/remove", async (c) => {
    await removeLinkDomain(c.env, c.get("consoleUser").company.id, c.req.param("domainId"));
    return c.redirect(`${LINK_DOMAINS_PATH}?notice=removed`, 303);
  });
}

/** "Not verified yet: No TXT record at … yet. …", with the values found when they are the wrong ones. */
function notVerifiedMessage(check: VerificationCheck): string {
  const shown = check.found.slice(0, 3).map((value) => `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`);
  const more = check.found.length > shown.length ? ` and ${check.found.length - shown.length} more` : "";
  const found = shown.length > 0 ? ` It holds ${shown.join(", ")}${more}.` : "";
  return `Not verified yet. ${check.detail}${found}`;
}

const verifySectionId = (domainId: string) => `verify-section-${domainId}`;

async function linkDomainsPage(
  c: Context<AdminContext>,
  values: FormValues,
  errors: FieldError[],
  status: Parameters<typeof renderSettings>[3] = 200,
) {
  const domains = await listLinkDomains(c.env, c.get("consoleUser").company.id);
  const writer = userCanWrite(c);
  const csrf = await csrfToken(c);
  const unverified = domains.filter((domain) => domain.status !== "verified");
  return renderSettings(
    c,
    "link-domains",
    {
      errors,
      notice: noticeOf(c),
      scripts: unverified.length > 0 ? [COPY_SCRIPT_PATH] : undefined,
      children: (
        <>
          <p>
            The hostnames your partner links are served on. A hostname serves links once you prove you own it with a DNS
            TXT record: add it here, create the record at your DNS provider, then choose Verify now. (The{" "}
            <a href="/docs">admin API</a> does the same.)
          </p>
          {domains.length === 0 ? (
            <p>No link domains yet.</p>
          ) : (
            <table class="stack-table">
              <caption class="visually-hidden">Link domains</caption>
              <thead>
                <tr>
                  <th scope="col">Hostname</th>
                  <th scope="col">State</th>
                  <th scope="col">Cookie domain</th>
                  <th scope="col">DNS record</th>
                  {writer ? (
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {domains.map((domain) => (
                  <tr>
                    <th scope="row">{domain.hostname}</th>
                    <td data-label="State">{DOMAIN_STATES[domain.status]}</td>
                    <td data-label="Cookie domain">{domain.cookieDomain ?? "The hostname itself"}</td>
                    <td data-label="DNS record">
                      {domain.status === "verified" ? (
                        "—"
                      ) : (
                        // The record itself is in the domain's section below, with Copy fields.
                        <a href={`#${verifySectionId(domain.id)}`}>
                          How to verify<span class="visually-hidden"> {domain.hostname}</span>
                        </a>
                      )}
                    </td>
                    {writer ? (
                      <td class="row-actions">
                        <a href={`${domainPath(domain.id)}/remove`}>
                          Remove<span class="visually-hidden"> {domain.hostname}</span>
                        </a>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {unverified.map((domain) => (
            <VerifySection
              domain={domain}
              csrf={writer ? csrf : null}
              error={errorOf(errors, verifyField(domain.id))}
            />
          ))}
          {writer ? (
            <>
              <h3>Add a link domain</h3>
              <PostForm action={LINK_DOMAINS_PATH} csrf={csrf}>
                <TextField
                  name="hostname"
                  label="Hostname"
                  hint={HOSTNAME_HINT}
                  required
                  maxlength={253}
                  autocomplete="off"
                  spellcheck={false}
                  value={fieldValue(values, "hostname")}
                  error={errorOf(errors, "hostname")}
                />
                <TextField
                  name="cookie_domain"
                  label="Cookie domain"
                  hint={COOKIE_DOMAIN_HINT}
                  maxlength={253}
                  autocomplete="off"
                  spellcheck={false}
                  value={fieldValue(values, "cookie_domain")}
                  error={errorOf(errors, "cookie_domain")}
                />
                <button type="submit">Add domain</button>
              </PostForm>
            </>
          ) : null}
        </>
      ),
    },
    status,
  );
}

/** How to verify a pending (or superseded) domain: the TXT record to create, then "Verify now" (writers only). */
function VerifySection({ domain, csrf, error }: { domain: LinkDomain; csrf: string | null; error?: string }) {
  const name = challengeName(domain.hostname);
  const errorId = fieldId(verifyField(domain.id));
  return (
    <section class="verify-domain" id={verifySectionId(domain.id)} aria-labelledby={`${errorId}-title`}>
      <h3 id={`${errorId}-title`}>Verify {domain.hostname}</h3>
      {domain.status === "superseded" ? (
        <p>
          Another company verified this hostname first. Should they remove it, verify yours again with the same record.
        </p>
      ) : null}
      <ol>
        <li>
          At your DNS provider, create a <strong>TXT</strong> record with this name and value:
          <CopyField name={`txt-name-${domain.id}`} label={`Record name for ${domain.hostname}`} value={name} />
          <CopyField
            name={`txt-value-${domain.id}`}
            label={`Record value for ${domain.hostname}`}
            value={domain.verificationToken}
          />
        </li>
        <li>
          DNS changes can take a few minutes to appear. Then choose Verify now: we look the record up and, when it holds
          the value, the domain serves your partner links at once. You may delete the record afterwards.
        </li>
      </ol>
      {domain.lastCheckedAt ? <p class="field-hint">Last checked {formatDateTime(domain.lastCheckedAt)}.</p> : null}
      {error ? (
        <p class="field-error" id={errorId}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      {csrf ? (
        <PostForm action={`${domainPath(domain.id)}/verify`} csrf={csrf}>
          <button type="submit">
            Verify now<span class="visually-hidden"> {domain.hostname}</span>
          </button>
        </PostForm>
      ) : null}
    </section>
  );
}

async function removePage(c: Context<AdminContext>, domain: LinkDomain) {
  const serving = domain.status === "verified";
  return renderSettings(c, "link-domains", {
    children: (
      <>
        <p class="breadcrumbs">
          <a href={LINK_DOMAINS_PATH}>Link domains</a>
        </p>
        <h3>Remove {domain.hostname}?</h3>
        {serving ? (
          <div class="warning">
            <p>
              <strong>It stops serving your partner links at once.</strong> Links your partners have shared on{" "}
              {domain.hostname} then lead to a "not found" page. Your partners' links are then shown on another verified
              domain of yours, if you have one.
            </p>
          </div>
        ) : (
          <p>It serves nothing yet: removing it changes nothing for your partners. You can add it again later.</p>
        )}
        <PostForm action={`${domainPath(domain.id)}/remove`} csrf={await csrfToken(c)}>
          <div class="actions">
            <button type="submit" class="danger">
              Remove domain
            </button>
            <a href={LINK_DOMAINS_PATH}>Cancel</a>
          </div>
        </PostForm>
      </>
    ),
  });
}
