// Link domains managed in the console (/console/settings/link-domains): add one (the API's rules,
// errors beside the fields), see the TXT record to create, Verify now (a FakeDns: nothing is fetched),
// remove one after a confirmation page; a DNS failure is a message on the page, never a 5xx.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/admin/app";
import { claimLinkDomain } from "../../src/link-domains/service";
import { recordKeys } from "../../src/redirect/records";
import { api, bodyOf, kvSnapshot, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";
import { FakeDns } from "../helpers/dns";
import { edgeFetch } from "../helpers/fixtures";
import { locationOf } from "../helpers/redirect";

const PAGE = "/console/settings/link-domains";

const newHostname = () => `try.${crypto.randomUUID().slice(0, 8)}.com`;

/** A signed-in owner whose console verifies against a FakeDns; the company has a group and the partner jane-doe. */
async function company() {
  const t = await consoleTenant();
  const dns = new FakeDns();
  t.browser.app = createAdminApp({ resolveTxt: dns.resolveTxt }).fetch;
  bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/in" }),
    201,
  );
  const partner = { email: "jane@example.com", first_name: "Jane", last_name: "Doe" };
  bodyOf(await api(t.key, "POST", "/v1/partners", partner), 201);
  return { ...t, dns };
}

async function domainRow(companyId: string, hostname: string) {
  return env.DB.prepare(
    "SELECT id, status, cookie_domain, verification_token FROM link_domains WHERE company_id = ? AND hostname = ?",
  )
    .bind(companyId, hostname)
    .first<{ id: string; status: string; cookie_domain: string | null; verification_token: string }>();
}

/** Where the edge sends jane-doe's link on `hostname`: a 302 to the group's destination, or the 404 page. */
async function edgeAnswer(hostname: string): Promise<string> {
  const response = await edgeFetch(`https://${hostname}/jane-doe`);
  await response.text();
  if (response.status !== 302) return String(response.status);
  const url = new URL(locationOf(response));
  return url.origin + url.pathname;
}

/** The text of the message shown at a domain's Verify now form. */
function verifyMessage(html: string, domainId: string): string | null {
  const match = new RegExp(`id="field-verify-${domainId}"><span class="visually-hidden">Error: </span>([^<]*)<`).exec(
    html,
  );
  return match ? decodeHtml(match[1]!) : null;
}

describe("adding a link domain", () => {
  it("adds it pending, then shows the TXT record's name and value to create and Verify now", async () => {
    const t = await company();
    const hostname = newHostname();
    await t.browser.get(PAGE);
    const added = await t.browser.post(PAGE, {
      hostname: ` ${hostname.toUpperCase()} `,
      cookie_domain: hostname.slice(4),
    });
    expect(added.status).toBe(303);
    const row = await domainRow(t.companyId, hostname);
    expect(row).toMatchObject({ status: "pending", cookie_domain: hostname.slice(4) });
    expect(added.location).toBe(`${PAGE}?notice=domain-added#verify-section-${row!.id}`);

    const page = await t.browser.get(added.location!);
    expect(page.status).toBe(200);
    const html = decodeHtml(page.html);
    expect(html).toContain("Link domain added. Create its DNS TXT record (below), then choose Verify now.");
    expect(html).toContain(`<th scope="row">${hostname}</th><td data-label="State">Pending`);
    expect(html).toContain(`<h3 id="field-verify-${row!.id}-title">Verify ${hostname}</h3>`);
    expect(html).toContain(
      `<input id="field-txt-name-${row!.id}" type="text" value="_edgeref-challenge.${hostname}" readonly`,
    );
    expect(html).toContain(`value="${row!.verification_token}" readonly`);
    expect(html).toContain(`<form method="post" action="${PAGE}/${row!.id}/verify"`);
    // Pending serves nothing: the edge answers it as an unknown host.
    expect(await edgeAnswer(hostname)).toBe("404");
  });

  it("refuses a bad hostname or cookie domain: the API's rules beside the fields (422), nothing written", async () => {
    const t = await company();
    await t.browser.get(PAGE);
    const before = await tableSnapshot();
    const bad = await t.browser.post(PAGE, { hostname: "not a host!", cookie_domain: "" });
    expect(bad.status).toBe(422);
    expect(fieldError(bad.html, "hostname")).toBe("Hostname must be a hostname such as try.acme.com");
    expect(bad.html).toContain('class="error-summary"');
    expect(bad.html).toContain('<a href="#field-hostname">Hostname must be a hostname such as try.acme.com</a>');
    expect(bad.html).toContain('value="not a host!"'); // kept for correction

    const hostname = newHostname();
    const notParent = await t.browser.post(PAGE, { hostname, cookie_domain: "other.com" });
    expect(notParent.status).toBe(422);
    expect(fieldError(notParent.html, "cookie_domain")).toBe(
      "Cookie domain must be the hostname or a parent domain of it",
    );
    const suffix = await t.browser.post(PAGE, { hostname: "try.acme.co.uk", cookie_domain: "co.uk" });
    expect(fieldError(suffix.html, "cookie_domain")).toMatch(/^Cookie domain must be a domain you own/);
    const empty = await t.browser.post(PAGE, { hostname: "  ", cookie_domain: "" });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.html, "hostname")).toBe(
      "Enter the hostname your partner links will use, such as try.acme.com",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("refuses a hostname the company already has, or another company verified (409): nothing written", async () => {
    const t = await company();
    const other = await company();
    const hostname = newHostname();
    await t.browser.get(PAGE);
    expect((await t.browser.post(PAGE, { hostname, cookie_domain: "" })).status).toBe(303);
    const before = await tableSnapshot();
    const again = await t.browser.post(PAGE, { hostname, cookie_domain: "" });
    expect(again.status).toBe(409);
    expect(fieldError(again.html, "hostname")).toBe(`Your company already has the link domain '${hostname}'.`);
    // The other company's verified hostname (every console tenant has one).
    const taken = await t.browser.post(PAGE, { hostname: other.hostname, cookie_domain: "" });
    expect(taken.status).toBe(409);
    expect(fieldError(taken.html, "hostname")).toBe(`The hostname '${other.hostname}' is verified by another company.`);
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("verifying a link domain", () => {
  it("with the TXT record in DNS: verified, and the edge serves the company's links on it at once", async () => {
    const t = await company();
    const hostname = newHostname();
    const domain = await claimLinkDomain(env, t.companyId, { hostname });
    expect(await edgeAnswer(hostname)).toBe("404");
    t.dns.setTxt(`_edgeref-challenge.${hostname}`, ["some-other-record", domain.verificationToken]);
    await t.browser.get(PAGE);
    const verified = await t.browser.post(`${PAGE}/${domain.id}/verify`);
    expect(verified.status).toBe(303);
    expect(verified.location).toBe(`${PAGE}?notice=domain-verified`);
    expect(t.dns.lookups).toEqual([`_edgeref-challenge.${hostname}`]);
    expect((await domainRow(t.companyId, hostname))!.status).toBe("verified");
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).not.toBeNull();
    expect(await edgeAnswer(hostname)).toBe("https://acme.example/in");

    const page = decodeHtml((await t.browser.get(verified.location!)).html);
    expect(page).toContain("Verified: the domain now serves your partner links.");
    expect(page).toContain(`<th scope="row">${hostname}</th><td data-label="State">Verified`);
    expect(page).not.toContain(`${PAGE}/${domain.id}/verify`);
  });

  it("with no record yet, or the wrong value: still pending, and the page says what it found (200)", async () => {
    const t = await company();
    const hostname = newHostname();
    const domain = await claimLinkDomain(env, t.companyId, { hostname });
    await t.browser.get(PAGE);
    const missing = await t.browser.post(`${PAGE}/${domain.id}/verify`);
    expect(missing.status).toBe(200);
    expect(verifyMessage(missing.html, domain.id)).toBe(
      `Not verified yet. No TXT record at _edgeref-challenge.${hostname} yet. Create it with the expected value; ` +
        "DNS changes can take a few minutes to appear.",
    );
    expect(missing.html).toContain(`<a href="#field-verify-${domain.id}">Not verified yet.`);
    expect((await domainRow(t.companyId, hostname))!.status).toBe("pending");

    t.dns.setTxt(`_edgeref-challenge.${hostname}`, ["a-typo"]);
    const wrong = await t.browser.post(`${PAGE}/${domain.id}/verify`);
    expect(wrong.status).toBe(200);
    expect(verifyMessage(wrong.html, domain.id)).toBe(
      `Not verified yet. The TXT record _edgeref-challenge.${hostname} does not hold the expected value ` +
        '(found 1 other value(s)). It holds "a-typo".',
    );
    expect(wrong.html).toMatch(/Last checked \d/);
    expect((await domainRow(t.companyId, hostname))!.status).toBe("pending");
    expect(await edgeAnswer(hostname)).toBe("404");
  });

  it("when the DNS lookup fails: a friendly message on the page, not a 5xx; nothing changed", async () => {
    const t = await company();
    const domain = await claimLinkDomain(env, t.companyId, { hostname: newHostname() });
    t.dns.down = true;
    await t.browser.get(PAGE);
    const before = await tableSnapshot();
    const kvBefore = await kvSnapshot();
    const r = await t.browser.post(`${PAGE}/${domain.id}/verify`);
    expect(r.status).toBe(200);
    expect(r.html).not.toContain("<h1>Something went wrong");
    expect(verifyMessage(r.html, domain.id)).toBe(
      "We could not look up DNS records just now, so we could not check yours. Nothing changed: " +
        "choose Verify now again in a minute.",
    );
    expect(r.html).toContain('class="error-summary"');
    expect(await tableSnapshot()).toEqual(before);
    expect(await kvSnapshot()).toEqual(kvBefore);
  });
});

describe("removing a link domain", () => {
  it("asks first (a GET changes nothing), then removes a verified domain: the edge stops serving it", async () => {
    const t = await company();
    const hostname = newHostname();
    const domain = await claimLinkDomain(env, t.companyId, { hostname });
    t.dns.setTxt(`_edgeref-challenge.${hostname}`, [domain.verificationToken]);
    await t.browser.get(PAGE);
    expect((await t.browser.post(`${PAGE}/${domain.id}/verify`)).status).toBe(303);
    expect(await edgeAnswer(hostname)).toBe("https://acme.example/in");

    const list = await t.browser.get(PAGE);
    expect(list.html).toContain(`href="${PAGE}/${domain.id}/remove"`);
    const before = await tableSnapshot();
    const confirm = await t.browser.get(`${PAGE}/${domain.id}/remove`);
    expect(confirm.status).toBe(200);
    expect(decodeHtml(confirm.html)).toContain(`<h3>Remove ${hostname}?</h3>`);
    expect(confirm.html).toContain("It stops serving your partner links at once.");
    expect(await tableSnapshot()).toEqual(before);

    const removed = await t.browser.post(`${PAGE}/${domain.id}/remove`);
    expect(removed.status).toBe(303);
    expect(removed.location).toBe(`${PAGE}?notice=removed`);
    expect(await domainRow(t.companyId, hostname)).toBeNull();
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).toBeNull();
    expect(await edgeAnswer(hostname)).toBe("404");
    const after = await t.browser.get(removed.location!);
    expect(after.html).toContain("Removed.");
    expect(after.html).not.toContain(`<th scope="row">${hostname}</th>`);
  });

  it("removes a pending claim (the confirmation says it serves nothing)", async () => {
    const t = await company();
    const domain = await claimLinkDomain(env, t.companyId, { hostname: newHostname() });
    const confirm = await t.browser.get(`${PAGE}/${domain.id}/remove`);
    expect(confirm.html).toContain("It serves nothing yet");
    expect((await t.browser.post(`${PAGE}/${domain.id}/remove`)).status).toBe(303);
    expect(await domainRow(t.companyId, domain.hostname)).toBeNull();
  });
});

describe("who may change link domains", () => {
  it("another company's domain id: the 404 page for verify and remove, nothing changed", async () => {
    const a = await company();
    const b = await company();
    const theirs = await claimLinkDomain(env, b.companyId, { hostname: newHostname() });
    b.dns.setTxt(`_edgeref-challenge.${theirs.hostname}`, [theirs.verificationToken]);
    a.dns.setTxt(`_edgeref-challenge.${theirs.hostname}`, [theirs.verificationToken]);
    await a.browser.get(PAGE);
    const before = await tableSnapshot();
    const kvBefore = await kvSnapshot();
    for (const [path, post] of [
      [`${PAGE}/${theirs.id}/verify`, true],
      [`${PAGE}/${theirs.id}/remove`, true],
      [`${PAGE}/${theirs.id}/remove`, false],
    ] as const) {
      const r = post ? await a.browser.post(path) : await a.browser.get(path);
      expect(r.status, path).toBe(404);
      expect(r.html, path).toContain("<h1>Page not found</h1>");
    }
    expect(a.dns.lookups).toEqual([]);
    expect(await tableSnapshot()).toEqual(before);
    expect(await kvSnapshot()).toEqual(kvBefore);
    // A's list does not show B's claim; B's own console removes it.
    expect((await a.browser.get(PAGE)).html).not.toContain(theirs.hostname);
    await b.browser.get(PAGE);
    expect((await b.browser.post(`${PAGE}/${theirs.id}/remove`)).location).toBe(`${PAGE}?notice=removed`);
  });

  it("a POST without its CSRF token is refused (403): nothing written, no lookup", async () => {
    const t = await company();
    const domain = await claimLinkDomain(env, t.companyId, { hostname: newHostname() });
    await t.browser.get(PAGE);
    const before = await tableSnapshot();
    for (const path of [PAGE, `${PAGE}/${domain.id}/verify`, `${PAGE}/${domain.id}/remove`]) {
      const r = await t.browser.post(path, { _csrf: "", hostname: newHostname(), cookie_domain: "" });
      expect(r.status, path).toBe(403);
      expect(r.html, path).toContain("<h1>This form has expired</h1>");
    }
    expect(t.dns.lookups).toEqual([]);
    expect(await tableSnapshot()).toEqual(before);
    // With its token, the same verify goes through (it looks the record up).
    expect((await t.browser.post(`${PAGE}/${domain.id}/verify`)).status).toBe(200);
    expect(t.dns.lookups).toEqual([`_edgeref-challenge.${domain.hostname}`]);
  });

  it("a viewer sees the TXT record to create but no form; an admin may add, verify and remove", async () => {
    const t = await company();
    const domain = await claimLinkDomain(env, t.companyId, { hostname: newHostname() });
    const viewer = await addConsoleUser(t.companyId, "viewer");
    const seen = await viewer.browser.get(PAGE);
    expect(seen.html).toContain(`value="${domain.verificationToken}" readonly`);
    expect([...seen.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/console/sign-out",
    ]);
    expect(seen.html).not.toContain("/remove");
    expect((await viewer.browser.get(`${PAGE}/${domain.id}/remove`)).status).toBe(403);

    const admin = await addConsoleUser(t.companyId, "admin");
    admin.browser.app = createAdminApp({ resolveTxt: t.dns.resolveTxt }).fetch;
    await admin.browser.get(PAGE);
    const hostname = newHostname();
    expect((await admin.browser.post(PAGE, { hostname, cookie_domain: "" })).status).toBe(303);
    const added = (await domainRow(t.companyId, hostname))!;
    t.dns.setTxt(`_edgeref-challenge.${hostname}`, [added.verification_token]);
    expect((await admin.browser.post(`${PAGE}/${added.id}/verify`)).status).toBe(303);
    expect((await domainRow(t.companyId, hostname))!.status).toBe("verified");
    expect((await admin.browser.post(`${PAGE}/${added.id}/remove`)).status).toBe(303);
    expect(await domainRow(t.companyId, hostname)).toBeNull();
  });
});
