// Applying through the program pages: the group's active offers, the live application form built
// from the group's form (every field type) or the join form, both through the applications service
// (gated → pending, visible in the API; not gated → the partner with links), errors beside their
// fields with values kept, the marketplace entry (the default group), and the abuse limits:
// honeypot, rate limits per IP and per company, CSRF, repeated emails answered like new ones.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/admin/app";
import type { MailMessage } from "../../src/mail/mailer";
import { checkSignInLink } from "../../src/portal/sign-in-links";
import { ADMIN_ORIGIN, api, apiVia, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { PRO_PLAN_20, SIGNUP_DOLLAR } from "../helpers/offers";
import { clientIp } from "../helpers/tenancy";

const unique = () => crypto.randomUUID().slice(0, 8);

async function program(options: { gated?: boolean; name?: string } = {}) {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", {
      name: options.name ?? `Affiliates ${unique()}`,
      destination_url: "https://acme.example/",
    }),
    201,
  );
  const path = `/programs/${t.company.slug}/${group.slug}`;
  const gate = async (on: boolean) =>
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/application`, { enabled: on }), 200);
  if (options.gated) await gate(true);
  return { ...t, group, path, gate };
}

/** Every field type, in a form of its own (the locked fields first). */
const EVERY_TYPE = [
  { key: "first_name", label: "First name", type: "text", required: true },
  { key: "last_name", label: "Last name", type: "text", required: true },
  { key: "email", label: "Email", type: "email", required: true, help_text: "We write to you here." },
  { key: "website", label: "Website", type: "url", required: false, placeholder: "https://" },
  { key: "phone", label: "Phone", type: "phone", required: false },
  { key: "audience_size", label: "Audience size", type: "number", required: false },
  { key: "pitch", label: "Your pitch", type: "textarea", required: false },
  { key: "country", label: "Country", type: "select", required: true, options: ["France", "Germany"] },
  { key: "channels", label: "Channels", type: "multi-select", required: true, options: ["Blog", "Video", "Email"] },
  { key: "terms", label: "I accept the terms", type: "checkbox", required: true },
  { key: "start_date", label: "Start date", type: "date", required: false },
];

interface Visit {
  status: number;
  headers: Headers;
  html: string;
}

const asVisit = (r: { status: number; headers: Headers; body: unknown }): Visit => ({
  status: r.status,
  headers: r.headers,
  html: String(r.body),
});

async function page(path: string, cookie?: string): Promise<Visit> {
  return asVisit(await api(null, "GET", path, undefined, cookie ? { cookie } : {}));
}

/** A visitor who opened a page: its CSRF cookie and the token in the page's form. */
async function openForm(path: string) {
  const r = await page(path);
  expect(r.status).toBe(200);
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(r.html)?.[1];
  expect(token).toBeTruthy();
  return { cookie, token: token!, html: r.html };
}

type Fields = Record<string, string | string[]>;

/** The form as a browser sends it (a list for a repeated name, e.g. checkboxes). */
function encode(fields: Fields): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) body.append(name, item);
  return body.toString();
}

interface SendOptions {
  ip?: string;
  bindings?: Partial<typeof env>;
  headers?: Record<string, string>;
}

/** Opens the page, fills its form with `fields` and sends it from `ip` (a fresh one by default). */
async function apply(path: string, fields: Fields, options: SendOptions = {}): Promise<Visit> {
  const visitor = await openForm(path);
  return post(path, { _csrf: visitor.token, ...fields }, visitor.cookie, options);
}

/** What the pages mailed (a fake mailer: the default one writes an outbox table). */
const mailed: MailMessage[] = [];
const app = createAdminApp({
  mailer: {
    send: async (message) => {
      mailed.push(message);
    },
  },
});
const mailsTo = (email: string) => mailed.filter((message) => message.to === email.toLowerCase());

async function post(path: string, fields: Fields, cookie: string, options: SendOptions = {}): Promise<Visit> {
  const send = apiVia(app.fetch, options.bindings ?? {});
  return asVisit(
    await send(null, "POST", path, encode(fields), {
      "content-type": "application/x-www-form-urlencoded",
      origin: ADMIN_ORIGIN,
      cookie,
      "cf-connecting-ip": options.ip ?? clientIp(),
      ...options.headers,
    }),
  );
}

const applicant = (extra: Fields = {}) => ({
  first_name: "Jane",
  last_name: "Doe",
  email: `jane-${unique()}@example.com`,
  ...extra,
});

/** The tag of a field's control (`<input …>`, `<select …>`, `<textarea …>`) by the field's key. */
function control(html: string, key: string): string {
  const tag = new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bid="field-${key}"[^>]*>`).exec(html)?.[0];
  expect(tag, `control of ${key}`).toBeTruthy();
  return tag!;
}

/** The element with this id's text (the error message or hint a control is described by). */
function textOf(html: string, id: string): string {
  const match = new RegExp(`<([a-z]+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return (match?.[2] ?? "").replace(/<[^>]+>/g, "").trim();
}

async function applicationsOf(key: string) {
  return bodyOf(await api(key, "GET", "/v1/applications?limit=100"), 200).data;
}

async function rowCount(table: "applications" | "partners", companyId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE company_id = ?`)
    .bind(companyId)
    .first<{ n: number }>();
  return row!.n;
}

describe("the program page", () => {
  it("lists the group's active offers as their one-line summaries (an inactive one is left out)", async () => {
    const p = await program();
    const offer = (body: object) => api(p.key, "POST", `/v1/groups/${p.group.id}/offers`, body);
    expectStatus(await offer({ name: "Signup bonus", triggers: [SIGNUP_DOLLAR] }), 201);
    expectStatus(await offer({ name: "Pro plan", triggers: [PRO_PLAN_20] }), 201);
    expectStatus(await offer({ name: "Old offer", active: false, triggers: [SIGNUP_DOLLAR] }), 201);
    const { html } = await page(p.path);
    expect(html).toContain('<h2 id="offers-title">What you earn</h2>');
    expect(html).toContain("<strong>Signup bonus</strong>: Earn $1.00 for every new customer you sign up");
    expect(html).toContain(
      "<strong>Pro plan</strong>: Earn 20% of every Pro Plan sale for 12 months, up to $500 per customer",
    );
    expect(html).not.toContain("Old offer");
  });

  it("has no offers section when the group has no active offer", async () => {
    const p = await program();
    expect((await page(p.path)).html).not.toContain("What you earn");
  });

  it("applications on: the live form with every field type, as its own input, label, hint and options", async () => {
    const p = await program({ gated: true });
    const form = await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, {
      title: "Become a reseller",
      description: "Tell us how you sell.",
      fields: EVERY_TYPE,
    });
    expectStatus(form, 200);
    const { html } = await page(p.path);
    expect(html).toContain('<h2 id="form-title">Become a reseller</h2>');
    expect(html).toContain("<p>Tell us how you sell.</p>");
    expect(html).toContain(`<form method="post" action="${p.path}" novalidate="">`);
    expect(control(html, "first_name")).toMatch(/type="text".*required="".*autocomplete="given-name"/);
    expect(control(html, "email")).toMatch(/type="email".*required="".*aria-describedby="field-email-hint"/);
    expect(textOf(html, "field-email-hint")).toBe("We write to you here.");
    expect(control(html, "website")).toMatch(/type="url"/);
    expect(control(html, "website")).toContain('placeholder="https://"');
    expect(control(html, "website")).not.toContain("required");
    expect(control(html, "phone")).toMatch(/type="tel"/);
    expect(control(html, "audience_size")).toMatch(/type="text".*inputmode="decimal"/);
    expect(control(html, "pitch")).toMatch(/^<textarea/);
    expect(control(html, "country")).toMatch(/^<select.*required=""/);
    expect(html).toContain('<option value="">Choose…</option><option value="France">France</option>');
    expect(control(html, "channels")).toMatch(/type="checkbox".*value="Blog"/);
    expect(html).toMatch(/id="field-channels-2" name="channels" type="checkbox" value="Email"/);
    expect(html).toContain("<legend>Channels</legend>");
    expect(control(html, "terms")).toMatch(/type="checkbox".*value="on".*required=""/);
    expect(control(html, "start_date")).toMatch(/type="date"/);
    // Each control has its label; optional ones say so.
    for (const field of EVERY_TYPE.filter((f) => f.type !== "multi-select")) {
      expect(html, field.key).toContain(`<label for="field-${field.key}">`);
    }
    expect(html).toContain('Website<span class="field-hint-inline"> (optional)</span>');
    expect(html).toContain("All fields are required unless marked (optional).");
    expect(html).toContain('<button type="submit">Send application</button>');
  });

  it("applications off: a join form asking only for name and email, whatever else the form has", async () => {
    const p = await program();
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields: EVERY_TYPE }), 200);
    const { html } = await page(p.path);
    expect(html).toContain(`<h2 id="form-title">Join ${p.group.name}</h2>`);
    const names = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(["_csrf", "first_name", "last_name", "email", "home-page"]);
    expect(html).toContain('<button type="submit">Join the program</button>');
  });

  it("escapes what the company wrote: markup in labels, help texts, options and sent values is text", async () => {
    const p = await program({ gated: true });
    const xss = '<script>alert("x")</script>';
    const fields = [
      ...EVERY_TYPE.slice(0, 3),
      { key: "evil", label: `Label ${xss}`, type: "select", required: false, options: [`<b>${xss}</b>`] },
      { key: "note", label: "Note", type: "text", required: false, help_text: `<img src=x onerror=alert(1)>` },
    ];
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields }), 200);
    const sent = await apply(p.path, { first_name: `"><svg onload=alert(1)>`, last_name: "", email: "x" });
    expect(sent.status).toBe(422);
    for (const html of [(await page(p.path)).html, sent.html]) {
      expect(html).not.toMatch(/<script|<img|<svg|<b>/);
      expect(html).toContain("Label &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    }
    expect(control(sent.html, "first_name")).toContain('value="&quot;&gt;&lt;svg onload=alert(1)&gt;"');
  });
});

describe("applying (applications on)", () => {
  it("creates a pending application, seen in GET /v1/applications; redirects to 'application received'", async () => {
    const p = await program({ gated: true });
    const values = applicant({ website: "https://jane.example", promotion: "My newsletter" });
    const r = await apply(p.path, values);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${p.path}/applied`);
    const [application] = await applicationsOf(p.key);
    expect(application).toMatchObject({
      status: "pending",
      gated: true,
      group_id: p.group.id,
      email: values.email,
      values: { ...values, promotion: "My newsletter" },
      partner_id: null,
    });
    expect(await rowCount("partners", p.companyId)).toBe(0);
    expect(mailsTo(values.email)).toEqual([]);

    const confirmation = await page(`${p.path}/applied`);
    expect(confirmation.status).toBe(200);
    expect(confirmation.html).toContain("<h1>Application received</h1>");
    expect(confirmation.html).toContain("We will email you when your application has been reviewed.");
  });

  it("every field type's error is beside its field, tied to it; every value is kept; nothing written", async () => {
    const p = await program({ gated: true });
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields: EVERY_TYPE }), 200);
    const before = await tableSnapshot();
    const r = await apply(p.path, {
      first_name: "",
      last_name: "x".repeat(501),
      email: "jane@",
      website: "javascript:alert(1)",
      phone: "12",
      audience_size: "lots",
      pitch: "Multi\nline \u0007",
      country: "Spain",
      channels: ["Blog", "Radio"],
      start_date: "2026-02-30",
    });
    expect(r.status).toBe(422);
    expect(await tableSnapshot()).toEqual(before);
    expect(r.html).toContain("<title>Error: ");
    expect(r.html).toContain('<div class="error-summary"');
    const expected: Record<string, string> = {
      first_name: "Enter first name",
      last_name: "Last name must be at most 500 characters",
      email: "Email must be an email address",
      website: "Website must",
      phone: "Phone must",
      audience_size: "Audience size must be a number",
      pitch: "Your pitch must not contain control characters",
      country: "Country must be one of: France, Germany",
      channels: "Channels: every choice must be one of: Blog, Video, Email",
      terms: "Check “I accept the terms” to continue",
      start_date: "Start date must be a date",
    };
    for (const [key, message] of Object.entries(expected)) {
      const tag = control(r.html, key);
      const describedBy = /aria-describedby="([^"]+)"/.exec(
        key === "channels" ? /<fieldset[^>]*>/.exec(r.html.slice(r.html.indexOf("Channels") - 200))![0] : tag,
      )?.[1];
      expect(describedBy?.split(" "), key).toContain(`field-${key}-error`);
      expect(textOf(r.html, `field-${key}-error`), key).toContain(message);
      // The summary links to the field.
      expect(r.html).toContain(`<a href="#field-${key}">${message}`);
      if (key !== "channels") expect(tag, key).toContain('aria-invalid="true"');
    }
    // What the visitor typed is still there.
    expect(control(r.html, "last_name")).toContain(`value="${"x".repeat(501)}"`);
    expect(control(r.html, "email")).toContain('value="jane@"');
    expect(control(r.html, "website")).toContain('value="javascript:alert(1)"');
    expect(control(r.html, "phone")).toContain('value="12"');
    expect(control(r.html, "audience_size")).toContain('value="lots"');
    expect(control(r.html, "pitch")).toMatch(/^<textarea/);
    expect(r.html).toContain('aria-describedby="field-pitch-error">Multi\nline \u0007</textarea>');
    expect(r.html).toContain('<option value="Germany">Germany</option>');
    expect(control(r.html, "start_date")).toContain('value="2026-02-30"');
    expect(r.html).toMatch(/id="field-channels" name="channels" type="checkbox" value="Blog" checked=""/);
    expect(r.html).toMatch(/id="field-channels-1" name="channels" type="checkbox" value="Video" aria/);
  });

  it("a valid form with every field type goes through; one ticked option is still a list", async () => {
    const p = await program({ gated: true });
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields: EVERY_TYPE }), 200);
    const values = applicant({
      website: "https://jane.example",
      phone: "+33 1 23 45 67 89",
      audience_size: "12000",
      pitch: "Line one\r\nLine two",
      country: "Germany",
      channels: ["Video"],
      terms: "on",
      start_date: "2026-12-01",
    });
    const r = await apply(p.path, values);
    expect(r.status, r.html).toBe(303);
    const [application] = await applicationsOf(p.key);
    expect(application!.values).toEqual({
      ...values,
      audience_size: 12000,
      pitch: "Line one\r\nLine two",
      channels: ["Video"],
      terms: true,
    });
  });

  it("kept values re-select the chosen option and re-tick the boxes", async () => {
    const p = await program({ gated: true });
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields: EVERY_TYPE }), 200);
    const r = await apply(p.path, { first_name: "", country: "France", channels: ["Blog", "Email"], terms: "on" });
    expect(r.status).toBe(422);
    expect(r.html).toContain('<option value="France" selected="">France</option>');
    expect(r.html).toMatch(/value="Blog" checked=""/);
    expect(r.html).toMatch(/value="Email" checked=""/);
    expect(control(r.html, "terms")).toContain('checked=""');
  });
});

describe("joining (applications off)", () => {
  it("creates the partner with links at once (the application approved); redirects to 'you're in'", async () => {
    const p = await program();
    // A required field the join form does not ask for does not stop a join.
    const fields = [...EVERY_TYPE.slice(0, 3), { key: "vat", label: "VAT number", type: "text", required: true }];
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields }), 200);
    const values = applicant();
    const r = await apply(p.path, values);
    expect(r.status, r.html).toBe(303);
    expect(r.headers.get("location")).toBe(`${p.path}/joined`);
    const [application] = await applicationsOf(p.key);
    expect(application).toMatchObject({ status: "approved", gated: false, email: values.email, values });
    const partner = bodyOf(await api(p.key, "GET", `/v1/partners/${application!.partner_id}`), 200);
    expect(partner).toMatchObject({ email: values.email, first_name: "Jane", last_name: "Doe", group_id: p.group.id });
    const links = bodyOf(await api(p.key, "GET", `/v1/partners/${partner.id}/links`), 200).data;
    expect(links).toHaveLength(1);
    expect(links[0]!.url).toBe(`https://${p.hostname}/${partner.partner_key}`);

    const welcome = await page(`${p.path}/joined`);
    expect(welcome.status).toBe(200);
    expect(welcome.html).toContain("<h1>You&#39;re in</h1>");
    expect(welcome.html).toContain(`<a href="/portal/${p.company.slug}">ask for a new sign-in link</a>`);
  });

  it("mails the new partner a one-time portal sign-in link (never shown on the page)", async () => {
    const p = await program();
    const values = applicant();
    const r = await apply(p.path, values);
    expect(r.status).toBe(303);
    const [mail, ...more] = mailsTo(values.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ to: values.email, companyId: p.companyId });
    expect(mail!.subject).toBe(`Welcome to ${p.company.name}'s partner program: sign in to your portal`);
    expect(mail!.text).toContain("Hi Jane,");
    const url = new RegExp(`${ADMIN_ORIGIN}/portal/${p.company.slug}/sign-in/([A-Za-z0-9_-]{43})`).exec(mail!.text);
    expect(url, mail!.text).toBeTruthy();
    const [application] = await applicationsOf(p.key);
    expect(await checkSignInLink(env, p.companyId, url![1]!)).toMatchObject({
      ok: true,
      partnerId: application!.partner_id,
    });
    // Only its hash is stored.
    const stored = await env.DB.prepare("SELECT token_hash FROM portal_sign_in_links WHERE partner_id = ?")
      .bind(application!.partner_id)
      .all<{ token_hash: string }>();
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0]!.token_hash).not.toContain(url![1]!);
    expect(r.html).not.toContain("sign-in/");
    expect((await page(`${p.path}/joined`)).html).not.toContain("sign-in/");
  });

  it("errors on the join form: beside the field, values kept, nothing written", async () => {
    const p = await program();
    const before = await tableSnapshot();
    const r = await apply(p.path, { first_name: "Jane", last_name: "", email: "not-an-email" });
    expect(r.status).toBe(422);
    expect(await tableSnapshot()).toEqual(before);
    expect(textOf(r.html, "field-last_name-error")).toContain("Enter last name");
    expect(textOf(r.html, "field-email-error")).toContain("Email must be an email address");
    expect(control(r.html, "first_name")).toContain('value="Jane"');
    expect(control(r.html, "email")).toContain('value="not-an-email"');
  });

  it("a group gated while the join form was open: the application form comes back with what is missing", async () => {
    const p = await program();
    const fields = [...EVERY_TYPE.slice(0, 3), { key: "vat", label: "VAT number", type: "text", required: true }];
    expectStatus(await api(p.key, "PATCH", `/v1/groups/${p.group.id}/forms/application`, { fields }), 200);
    const visitor = await openForm(p.path);
    await p.gate(true);
    const r = await post(p.path, { _csrf: visitor.token, ...applicant() }, visitor.cookie);
    expect(r.status).toBe(422);
    expect(textOf(r.html, "field-vat-error")).toBe("Error: Enter VAT number");
    expect(control(r.html, "first_name")).toContain('value="Jane"');
    expect(await rowCount("applications", p.companyId)).toBe(0);
  });
});

describe("abuse", () => {
  it("a filled honeypot gets the same redirect as a real application, and nothing is written", async () => {
    for (const gated of [true, false]) {
      const p = await program({ gated });
      const { html } = await page(p.path);
      // Hidden from people (off-screen), assistive technology and the Tab key.
      expect(html).toContain('<div class="honeypot" aria-hidden="true">');
      expect(html).toMatch(/name="home-page" type="text" value="" tabindex="-1" autocomplete="off"/);
      const before = await tableSnapshot();
      const r = await apply(p.path, { ...applicant(), "home-page": "https://spam.example" });
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toBe(`${p.path}/${gated ? "applied" : "joined"}`);
      expect(await tableSnapshot()).toEqual(before);
      expect(mailed.filter((mail) => mail.companyId === p.companyId)).toEqual([]);
    }
  });

  it("an email already pending or a partner's gets the same answer as a new one; nothing written twice", async () => {
    const p = await program({ gated: true });
    const values = applicant();
    const first = await apply(p.path, values);
    const again = await apply(p.path, { ...values, email: values.email.toUpperCase(), first_name: "Other" });
    expect([first.status, again.status]).toEqual([303, 303]);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(again.html).toBe(first.html);
    const [pending] = await applicationsOf(p.key);
    expect(await rowCount("applications", p.companyId)).toBe(1);

    expectStatus(await api(p.key, "POST", `/v1/applications/${pending!.id}/approve`, {}), 200);
    const partner = await apply(p.path, values);
    expect(partner.status).toBe(303);
    expect(partner.headers.get("location")).toBe(first.headers.get("location"));
    expect(partner.html).toBe(first.html);
    expect(await rowCount("applications", p.companyId)).toBe(1);
    expect(await rowCount("partners", p.companyId)).toBe(1);
    // Only the mailbox's owner learns they are a partner: a sign-in link, by email.
    const mails = mailsTo(values.email);
    expect(mails.map((mail) => mail.subject)).toEqual([`Your sign-in link for ${p.company.name}'s partner portal`]);
    expect(mails[0]!.text).toContain("You are already a partner, so nothing changed.");
  });

  it("joining twice with one email: the same 'you're in', one partner", async () => {
    const p = await program();
    const values = applicant();
    const first = await apply(p.path, values);
    const again = await apply(p.path, values);
    expect([first.status, again.status]).toEqual([303, 303]);
    expect(again.headers.get("location")).toBe(`${p.path}/joined`);
    expect(again.html).toBe(first.html);
    expect(await rowCount("partners", p.companyId)).toBe(1);
    expect(await rowCount("applications", p.companyId)).toBe(1);
    expect(mailsTo(values.email).map((mail) => mail.subject.split(":")[0])).toEqual([
      `Welcome to ${p.company.name}'s partner program`,
      `Your sign-in link for ${p.company.name}'s partner portal`,
    ]);
  });

  it("per client IP: 10 forms a minute, then a 429 page before any storage read; other IPs go on", async () => {
    const p = await program({ gated: true });
    const visitor = await openForm(p.path);
    const [flooder, neighbour] = [clientIp(), clientIp()];
    let refused: Visit | undefined;
    let sent = 0;
    // The limiter counts in fixed 60 s windows: if one ends mid-loop, the next fills after 10 more.
    while (!refused && sent < 30) {
      const r = await post(p.path, { _csrf: visitor.token, first_name: "" }, visitor.cookie, { ip: flooder });
      if (r.status === 429) refused = r;
      else {
        expect(r.status).toBe(422);
        sent++;
      }
    }
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(refused!.headers.get("retry-after")).toBe("60");
    expect(refused!.html).toContain("<h1>Too many applications</h1>");
    expect(refused!.headers.get("content-security-policy")).toContain("default-src 'self'");
    // Refused before the company is even looked up: a valid form from that IP writes nothing.
    const blocked = await post(p.path, { _csrf: visitor.token, ...applicant() }, visitor.cookie, {
      ip: flooder,
      bindings: { DB: undefined as unknown as D1Database },
    });
    expect(blocked.status).toBe(429);
    expect(
      (await post(p.path, { _csrf: visitor.token, ...applicant() }, visitor.cookie, { ip: neighbour })).status,
    ).toBe(303);
    expect(await rowCount("applications", p.companyId)).toBe(1);
  });

  it("per company: from many IPs together, the company's limit refuses more; another company goes on", async () => {
    const p = await program({ gated: true });
    const other = await program({ gated: true });
    // SMALL_TEST_LIMITER (30 a minute, vitest.config.ts) stands in for the company limiter's 60.
    const bindings = { APPLY_COMPANY_LIMITER: env.SMALL_TEST_LIMITER };
    const visitor = await openForm(p.path);
    let refused: Visit | undefined;
    let sent = 0;
    while (!refused && sent < 90) {
      const r = await post(p.path, { _csrf: visitor.token, first_name: "" }, visitor.cookie, { bindings });
      if (r.status === 429) refused = r;
      else {
        expect(r.status).toBe(422);
        sent++;
      }
    }
    expect(sent).toBeGreaterThanOrEqual(30);
    expect(refused!.headers.get("retry-after")).toBe("60");
    const before = await rowCount("applications", p.companyId);
    expect((await apply(p.path, applicant(), { bindings })).status).toBe(429);
    expect(await rowCount("applications", p.companyId)).toBe(before);
    expect((await apply(other.path, applicant(), { bindings })).status).toBe(303);
  });

  it("CSRF: a form without the visitor's token, with another visitor's, or from another site is refused", async () => {
    const p = await program({ gated: true });
    const visitor = await openForm(p.path);
    const stranger = await openForm(p.path);
    const before = await tableSnapshot();
    const refusals = [
      await post(p.path, applicant(), visitor.cookie),
      await post(p.path, { _csrf: stranger.token, ...applicant() }, visitor.cookie),
      await post(p.path, { _csrf: visitor.token, ...applicant() }, visitor.cookie, {
        headers: { origin: "https://evil.example" },
      }),
      await post(p.path, { _csrf: visitor.token, ...applicant() }, "", {}),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(403);
      expect(r.html).toContain("This form has expired");
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("the marketplace entry /programs/{company}", () => {
  it("shows the company's program and lands applications in the default group, then in the new default", async () => {
    const p = await program({ gated: true, name: "Main" });
    const second = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/" }),
      201,
    );
    const marketplace = `/programs/${p.company.slug}`;
    const landing = await page(marketplace);
    expect(landing.status).toBe(200);
    expect(landing.html).toContain(`<h1>${p.company.name} partner program</h1>`);
    expect(landing.html).toContain(`<form method="post" action="${marketplace}" novalidate="">`);
    expect(landing.html).toContain('<button type="submit">Send application</button>');

    const first = await apply(marketplace, applicant());
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(`${p.path}/applied`);
    expect((await applicationsOf(p.key)).map((a) => a.group_id)).toEqual([p.group.id]);

    // The new default is not gated: the marketplace shows its join form, and a join lands there.
    expectStatus(await api(p.key, "PATCH", "/v1/company", { default_group_id: second.id }), 200);
    expect((await page(marketplace)).html).toContain('<button type="submit">Join the program</button>');
    const joined = await apply(marketplace, applicant());
    expect(joined.status).toBe(303);
    expect(joined.headers.get("location")).toBe(`/programs/${p.company.slug}/${second.slug}/joined`);
    const applications = await applicationsOf(p.key);
    expect(applications.map((a) => [a.group_id, a.status])).toEqual([
      [p.group.id, "pending"],
      [second.id, "approved"],
    ]);
  });

  it("errors re-render the marketplace page with its form posting to itself", async () => {
    const p = await program({ gated: true });
    const r = await apply(`/programs/${p.company.slug}`, { email: "x" });
    expect(r.status).toBe(422);
    expect(r.html).toContain(`action="/programs/${p.company.slug}"`);
    expect(textOf(r.html, "field-first_name-error")).toBe("Error: Enter first name");
  });

  it("an unknown company, or one without any group yet, is the friendly 404 page", async () => {
    const empty = await newTenant();
    for (const path of ["/programs/no-such-company", `/programs/${empty.company.slug}`]) {
      const r = await page(path);
      expect(r.status, path).toBe(404);
      expect(r.html).toContain("This partner program does not exist or has closed.");
    }
  });
});

describe("archived and unknown groups", () => {
  it("a page, its form and its confirmations answer the 404 page; nothing is written", async () => {
    const p = await program({ name: "Main" });
    const old = bodyOf(
      await api(p.key, "POST", "/v1/groups", { name: "Closing", destination_url: "https://acme.example/" }),
      201,
    );
    const oldPath = `/programs/${p.company.slug}/${old.slug}`;
    const visitor = await openForm(oldPath);
    expectStatus(await api(p.key, "POST", `/v1/groups/${old.id}/archive`), 200);
    const before = await tableSnapshot();
    const sent = await post(oldPath, { _csrf: visitor.token, ...applicant() }, visitor.cookie);
    expect(sent.status).toBe(404);
    expect(sent.html).toContain("This partner program does not exist or has closed.");
    expect(await tableSnapshot()).toEqual(before);
    for (const path of [oldPath, `${oldPath}/applied`, `${oldPath}/joined`, `/programs/${p.company.slug}/nothing`]) {
      expect((await page(path)).status, path).toBe(404);
    }
    const unknown = await post(`/programs/${p.company.slug}/nothing`, { _csrf: visitor.token }, visitor.cookie);
    expect(unknown.status).toBe(404);
  });
});
