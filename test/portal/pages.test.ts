// The signed-in partner's pages: links (full URL, copy button, QR code, share buttons from the
// group's social content), stats, rewards, leads and deals (forms from the group), profile.
import { env } from "cloudflare:workers";
import { renderSVG } from "uqr";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/api-keys/service";
import { createCompany } from "../../src/companies/service";
import { runRollup } from "../../src/rollup/rollup";
import { api, bodyOf, expectStatus, tableSnapshot } from "../helpers/admin";
import { recordClick } from "../helpers/clicks";
import { csrfOf, TestBrowser, textOf } from "../helpers/pages";
import { addPortalPartner, type PortalProgram, portalProgram, signIn } from "../helpers/portal";

const LEAD = { company_name: "Globex", contact_name: "Hank Scorpio", contact_email: "hank@globex.example" };

async function signedInPartner(t?: PortalProgram, firstName = "Jane") {
  const program = t ?? (await portalProgram());
  const partner = await addPortalPartner(program, firstName);
  const browser = await signIn(program, partner.id);
  return { t: program, partner, browser };
}

describe("my links", () => {
  it("each link: title, description, the full URL, a copy button, its QR code and share buttons", async () => {
    const t = await portalProgram();
    expectStatus(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/links`, {
        title: "Pricing page",
        description: "Plans and prices.",
        destination_url: "https://acme.example/pricing",
        link_text: "pricing",
      }),
      201,
    );
    expectStatus(
      await api(t.key, "PATCH", `/v1/groups/${t.group.id}/social-content`, {
        twitter: { message: "{partner_first_name} & {company_name} say: try {link}" },
        email: { subject: "From {partner_first_name}", body: "Hi!\nHere: {link}" },
      }),
      200,
    );
    const { partner, browser } = await signedInPartner(t, "Jane");
    const links = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200).data;
    expect(links).toHaveLength(2);
    const page = await browser.get(t.base);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(page.html).toContain(`<title>My links — ${t.company.name} partner portal</title>`);
    expect(text).toContain("Pricing page Plans and prices.");
    for (const [i, link] of links.entries()) {
      const url = `https://${t.hostname}/${link.slug}`;
      expect(link.url).toBe(url);
      const id = `field-link-${i + 1}`;
      expect(page.html).toContain(`<input id="${id}" type="text" value="${url}" readonly=""`);
      // The copy button is hidden until the script runs; without JavaScript, copy from the field.
      expect(page.html).toMatch(
        new RegExp(
          `<button type="button" class="secondary" hidden="" data-copy-target="${id}"[^>]*>Copy link</button>`,
        ),
      );
      expect(page.html).toContain(renderSVG(url, { ecc: "M", border: 4, pixelSize: 4 }));
      expect(page.html).toContain(`role="img" aria-label="QR code of ${url}"`);
      const x = `Jane & ${t.company.name} say: try ${url}`;
      expect(page.html).toContain(`href="https://x.com/intent/tweet?text=${encodeURIComponent(x)}"`);
      expect(page.html).toContain(
        `href="https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(url)}"`,
      );
      expect(page.html).toContain(
        `href="mailto:?subject=From%20Jane&amp;body=${encodeURIComponent(`Hi!\r\nHere: ${url}`)}"`,
      );
      // The preview shows the texts as they will be shared.
      expect(text).toContain(x);

      const qr = await browser.get(`${t.base}/links/${link.slug}/qr.svg`);
      expect(qr.status).toBe(200);
      expect(qr.headers.get("content-type")).toBe("image/svg+xml");
      expect(qr.headers.get("content-disposition")).toBe(`attachment; filename="${link.slug}-qr.svg"`);
      expect(qr.html).toBe(renderSVG(url, { ecc: "M", border: 4, pixelSize: 8 }));
    }
    // The copy button's script, from the worker itself.
    const script = /<script src="(\/assets\/copy\.[0-9a-f]{12}\.js)" defer=""><\/script>/.exec(page.html)?.[1];
    expect(script).toBeDefined();
    const served = await browser.get(script!);
    expect(served.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(served.html).toContain("navigator.clipboard.writeText");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-store");
  });

  it("before the company has a verified link domain: no link to share yet, said plainly", async () => {
    const company = await createCompany(env, { name: `No Domain ${crypto.randomUUID().slice(0, 6)}`, plan: "growth" });
    const key = (await createApiKey(env, company.id, { name: "t" })).secret;
    const group = bodyOf(
      await api(key, "POST", "/v1/groups", { name: "G", destination_url: "https://x.example/" }),
      201,
    );
    const t = { key, companyId: company.id, company, group, base: `/portal/${company.slug}` } as PortalProgram;
    const { browser } = await signedInPartner(t);
    const text = textOf((await browser.get(t.base)).html);
    expect(text).toContain("Your links appear here as soon as");
    expect(text).not.toContain("Post on X");
    expect(text).not.toContain("QR code");
  });

  it("names are escaped: markup in a partner's or company's name is text", async () => {
    const t = await portalProgram();
    expectStatus(await api(t.key, "PATCH", "/v1/company", { name: "<i>Acme</i>" }), 200);
    const { browser } = await signedInPartner(t, "<b>Jo</b>");
    const page = await browser.get(t.base);
    expect(page.html).toContain("Hello &lt;b&gt;Jo&lt;/b&gt;");
    expect(page.html).toContain("&lt;i&gt;Acme&lt;/i&gt; partner portal");
    expect(page.html).not.toMatch(/<b>Jo|<i>Acme/);
  });

  it("a group whose referral links are off: the page says they do not redirect for now", async () => {
    const { t, browser } = await signedInPartner();
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { referral_links_enabled: false }), 200);
    expect(textOf((await browser.get(t.base)).html)).toContain("has paused referral links for your group");
  });
});

describe("stats and rewards", () => {
  it("stats: the partner's clicks, signups and revenue from the hourly rollup, and when counted", async () => {
    const { t, partner, browser } = await signedInPartner();
    expect(textOf((await browser.get(`${t.base}/stats`)).html)).toContain("they have not been counted yet");
    await recordClick({ companyId: t.companyId, groupId: t.group.id, partnerId: partner.id });
    expectStatus(
      await api(t.key, "POST", "/v1/customers", {
        customer_key: "c-1",
        email: "c1@example.com",
        partner_key: partner.partner_key,
      }),
      201,
    );
    expectStatus(
      await api(t.key, "POST", "/v1/transactions", {
        key: "t-1",
        customer_key: "c-1",
        amount: 123456,
        currency: "USD",
      }),
      201,
    );
    await runRollup(env);
    const text = textOf((await browser.get(`${t.base}/stats`)).html);
    expect(text).toContain("Clicks 1 Signups 1 1 paying, 0 not paying yet Revenue $1,234.56");
    expect(text).toMatch(/Counted every hour; last counted \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
  });

  it("rewards: what the group's offers pay, the totals by status and each reward", async () => {
    const { t, partner, browser } = await signedInPartner();
    expectStatus(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
        name: "Welcome",
        triggers: [
          { event: "signup", reward: { type: "flat", amount: 1000, currency: "USD" } },
          { event: "transaction", reward: { type: "percent", percent: 10 } },
        ],
      }),
      201,
    );
    expectStatus(
      await api(t.key, "POST", "/v1/customers", {
        customer_key: "c-1",
        email: "c1@example.com",
        partner_key: partner.partner_key,
      }),
      201,
    );
    expectStatus(
      await api(t.key, "POST", "/v1/transactions", { key: "t-1", customer_key: "c-1", amount: 20000, currency: "EUR" }),
      201,
    );
    const bonus = bodyOf(
      await api(t.key, "POST", `/v1/partners/${partner.id}/rewards`, {
        amount: 500,
        currency: "USD",
        reason: "Launch",
      }),
      201,
    );
    expectStatus(await api(t.key, "PATCH", `/v1/rewards/${bonus.id}`, { status: "approved" }), 200);
    const text = textOf((await browser.get(`${t.base}/rewards`)).html);
    expect(text).toContain("Welcome : Earn $10.00 for every new customer you sign up");
    const rewards = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/rewards`), 200).data;
    const sale = rewards.find((r) => r.receipt.event.type === "transaction")!;
    expect(sale).toMatchObject({ amount: 2000, currency: "EUR", status: "pending" });
    const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;
    expect(text).toContain(`Earned ${usd(1500 + sale.amount_usd_cents)} Pending ${usd(1000 + sale.amount_usd_cents)}`);
    expect(text).toContain("Approved $5.00");
    // Newest first; a sale's reward says which sale.
    expect(text).toMatch(
      /\$5\.00 — Bonus: Launch Approved .*€20\.00 — A sale of €200\.00 Pending .*\$10\.00 — A new customer Pending/,
    );
  });
});

describe("leads and deals", () => {
  it("a lead: invalid, each error by its field and the values kept; valid, listed with its stage", async () => {
    const { t, browser } = await signedInPartner();
    const page = await browser.get(`${t.base}/leads`);
    expect(textOf(page.html)).toContain("Submit a lead");
    const before = await tableSnapshot();
    const bad = await browser.post(
      `${t.base}/leads`,
      { company_name: "", contact_name: "Hank", contact_email: "not-an-email" },
      csrfOf(page.html),
    );
    expect(bad.status).toBe(422);
    expect(bad.html).toContain("<title>Error: Leads");
    expect(textOf(bad.html)).toContain("There is a problem Enter company name Contact email must be an email address");
    expect(bad.html).toContain('aria-describedby="field-company_name-error"');
    expect(bad.html).toContain('<a href="#field-contact_email">Contact email must be an email address</a>');
    expect(bad.html).toContain('value="not-an-email"');
    expect(bad.html).toContain('value="Hank"');
    expect(await tableSnapshot()).toEqual(before);

    const good = await browser.post(`${t.base}/leads`, LEAD, csrfOf(bad.html));
    expect(good.status).toBe(303);
    expect(good.headers.get("location")).toBe(`${t.base}/leads?submitted`);
    const listed = textOf((await browser.get(good.headers.get("location")!)).html);
    expect(listed).toContain(`Your lead is in. ${t.company.name} takes it from here.`);
    expect(listed).toMatch(/My leads Globex — Hank Scorpio New Sent \d/);
    const [lead] = bodyOf(await api(t.key, "GET", "/v1/leads"), 200).data;
    expect(lead).toMatchObject({ values: { ...LEAD }, submitted_by: "partner", stage: { name: "New" } });

    // The company moves it: the partner sees the new stage.
    const stages = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/pipelines/lead`), 200).stages;
    const qualified = stages.find((s) => s.name === "Qualified")!;
    expectStatus(await api(t.key, "POST", `/v1/leads/${lead!.id}/move`, { stage_id: qualified.id }), 200);
    expect(textOf((await browser.get(`${t.base}/leads`)).html)).toContain("Globex — Hank Scorpio Qualified");
  });

  it("a deal: the deal form's number and date fields are checked as the API checks them", async () => {
    const { t, browser } = await signedInPartner();
    const bad = await browser.submit(`${t.base}/deals`, {
      ...LEAD,
      deal_value: "lots",
      expected_close_date: "2026-02-30",
    });
    expect(bad.status).toBe(422);
    const text = textOf(bad.html);
    expect(text).toContain("Estimated deal value (USD) must be a number");
    expect(text).toContain("Expected close date must be a date (YYYY-MM-DD)");
    expect(bad.html).toContain('type="date"');
    const good = await browser.submit(`${t.base}/deals`, {
      ...LEAD,
      deal_value: "12000",
      expected_close_date: "2027-01-31",
    });
    expect(good.status).toBe(303);
    expect(textOf((await browser.get(`${t.base}/deals`)).html)).toContain("Globex — Hank Scorpio Registered");
    const [deal] = bodyOf(await api(t.key, "GET", "/v1/deals"), 200).data;
    expect(deal!.values).toMatchObject({ deal_value: 12000, expected_close_date: "2027-01-31" });
  });

  it("a form with every field type: each its control, the answers stored as the API stores them", async () => {
    const { t, browser } = await signedInPartner();
    expectStatus(
      await api(t.key, "PATCH", `/v1/groups/${t.group.id}/forms/lead`, {
        fields: [
          { key: "company_name", label: "Company name", type: "text", required: true },
          { key: "site", label: "Website", type: "url", required: false, placeholder: "https://…" },
          { key: "phone", label: "Phone", type: "phone", required: false },
          { key: "size", label: "Company size", type: "select", required: true, options: ["1-10", "11-50"] },
          { key: "tools", label: "Tools", type: "multi-select", required: false, options: ["CRM", "ERP", "BI"] },
          { key: "consent", label: "The contact agreed", type: "checkbox", required: true },
          { key: "notes", label: "Notes", type: "textarea", required: false, help_text: "Anything useful" },
        ],
      }),
      200,
    );
    const page = await browser.get(`${t.base}/leads`);
    expect(page.html).toContain('<input id="field-site" name="site" type="url" value="" inputmode="url"');
    expect(page.html).toContain('placeholder="https://…"');
    expect(page.html).toContain('name="phone" type="tel"');
    expect(page.html).toContain('<select id="field-size" name="size" required=""');
    expect(page.html).toContain('<input id="field-tools-2" name="tools" type="checkbox" value="BI"/>');
    expect(page.html).toContain('<input id="field-consent" name="consent" type="checkbox" value="on" required=""');
    expect(page.html).toContain('<small id="field-notes-hint" class="field-hint">Anything useful</small>');

    const bad = await browser.post(`${t.base}/leads`, { company_name: "Globex", tools: ["CRM"] }, csrfOf(page.html));
    expect(bad.status).toBe(422);
    expect(textOf(bad.html)).toContain("Select company size");
    expect(textOf(bad.html)).toContain("Check “The contact agreed” to continue");
    expect(bad.html).toContain('<input id="field-tools" name="tools" type="checkbox" value="CRM" checked=""/>');

    const good = await browser.post(
      `${t.base}/leads`,
      { company_name: "Globex", size: "11-50", tools: ["BI", "CRM"], consent: "true", phone: "+33 1 23 45 67 89" },
      csrfOf(bad.html),
    );
    expect(good.status).toBe(303);
    const [lead] = bodyOf(await api(t.key, "GET", "/v1/leads"), 200).data;
    expect(lead!.values).toEqual({
      company_name: "Globex",
      size: "11-50",
      tools: ["CRM", "BI"],
      consent: true,
      phone: "+33 1 23 45 67 89",
    });
  });

  it("lead submission off: said, no form, no Leads in the nav, a POST writes nothing (409)", async () => {
    const { t, browser } = await signedInPartner();
    const csrf = csrfOf((await browser.get(`${t.base}/leads`)).html);
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${t.group.id}/forms/lead`, { enabled: false }), 200);
    const page = await browser.get(`${t.base}/leads`);
    expect(textOf(page.html)).toContain("Lead submission is not open in the Affiliates program at the moment.");
    expect(page.html).not.toContain('name="company_name"');
    expect(page.html).not.toContain(`href="${t.base}/leads"`);
    expect((await browser.get(`${t.base}/stats`)).html).not.toContain(`href="${t.base}/leads"`);
    const before = await tableSnapshot();
    const r = await browser.post(`${t.base}/leads`, LEAD, csrf);
    expect(r.status).toBe(409);
    expect(textOf(r.html)).toContain("Lead submission is not open");
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("profile", () => {
  it("shows the email (not editable here) and saves the name; a blank name is refused by the field", async () => {
    const { t, partner, browser } = await signedInPartner();
    const page = await browser.get(`${t.base}/profile`);
    const text = textOf(page.html);
    expect(text).toContain(`Email address ${partner.email} You sign in with it. To change it, ask ${t.company.name}.`);
    expect(page.html).not.toContain('name="email"');
    const bad = await browser.post(`${t.base}/profile`, { first_name: " ", last_name: "Doe" }, csrfOf(page.html));
    expect(bad.status).toBe(422);
    expect(textOf(bad.html)).toContain("Error: Enter your first name");
    const good = await browser.post(`${t.base}/profile`, { first_name: "Janet", last_name: "Doe" }, csrfOf(page.html));
    expect(good.status).toBe(303);
    expect(textOf((await browser.get(good.headers.get("location")!)).html)).toContain("Your profile is saved.");
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}`), 200)).toMatchObject({
      first_name: "Janet",
      last_name: "Doe",
      email: partner.email,
    });
  });

  it("the company's slug in another letter case redirects (301) to the portal's own address", async () => {
    const t = await portalProgram();
    const r = await new TestBrowser().get(`/portal/${t.company.slug.toUpperCase()}/sign-in`);
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toBe(`${t.base}/sign-in`);
  });
});
