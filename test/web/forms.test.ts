// The web stack's forms, through a sample form built only from its parts (test/fixtures/sample-form.tsx):
// CSRF (double-submit token + origin check), the error pattern (summary, messages tied to their
// fields, values kept), POST → 303 → GET.
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type { AdminContext } from "../../src/admin/context";
import { CSRF_FIELD } from "../../src/web/csrf";
import { sampleFormRouter, sampleSubmissions } from "../fixtures/sample-form";

const app = new Hono<AdminContext>().route("/sample", sampleFormRouter);
const ORIGIN = "https://partners.edgeref.test";

interface Visit {
  status: number;
  headers: Headers;
  html: string;
}

async function visit(path: string, init: RequestInit = {}, origin = ORIGIN): Promise<Visit> {
  const response = await app.request(`${origin}${path}`, init, env);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** A visitor's first GET: its CSRF cookie (name=value) and the token the form carries. */
async function openForm(origin = ORIGIN) {
  const r = await visit("/sample", {}, origin);
  expect(r.status).toBe(200);
  const setCookie = r.headers.get("set-cookie") ?? "";
  const token = /name="_csrf" value="([^"]+)"/.exec(r.html)?.[1];
  expect(token).toBeTruthy();
  return { setCookie, cookie: setCookie.split(";")[0]!, token: token!, html: r.html };
}

const VALID = {
  name: "Jane Doe",
  email: "jane@example.com",
  website: "",
  country: "fr",
  audience: "blog",
  about: "",
  terms: "yes",
};

function post(fields: Record<string, string>, headers: Record<string, string> = {}, origin = ORIGIN) {
  return visit(
    "/sample",
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin, ...headers },
      body: new URLSearchParams(fields).toString(),
    },
    origin,
  );
}

beforeEach(() => {
  sampleSubmissions.length = 0;
});

describe("CSRF", () => {
  it("the first GET sets an HttpOnly, SameSite=Lax, __Host- cookie on https and puts a token in the form", async () => {
    const { setCookie, token, cookie } = await openForm();
    expect(setCookie).toMatch(/^__Host-edgeref_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    // The form carries a digest of the secret, not the secret.
    expect(cookie.endsWith(token)).toBe(false);
  });

  it("on plain-http localhost (local development) the cookie has no __Host- prefix and no Secure", async () => {
    const { setCookie } = await openForm("http://localhost:8788");
    expect(setCookie).toMatch(/^edgeref_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it("a returning visitor keeps its cookie: no new one, the same token", async () => {
    const first = await openForm();
    const again = await visit("/sample", { headers: { cookie: first.cookie } });
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(again.html).toContain(`name="_csrf" value="${first.token}"`);
  });

  it("a POST with the cookie and its token goes through (303 to the confirmation page)", async () => {
    const { cookie, token } = await openForm();
    const r = await post({ ...VALID, [CSRF_FIELD]: token }, { cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/sample/thanks?name=Jane%20Doe");
    expect(sampleSubmissions).toEqual(["Jane Doe"]);
    const thanks = await visit(r.headers.get("location")!);
    expect(thanks.html).toContain("Thank you, Jane Doe.");
  });

  type Session = Awaited<ReturnType<typeof openForm>>;
  // Each case: the form fields and headers a request sends, from this visitor's session and another's.
  const refusals: [string, (mine: Session, other: Session) => [Record<string, string>, Record<string, string>]][] = [
    ["no token", (mine) => [{ ...VALID }, { cookie: mine.cookie, origin: ORIGIN }]],
    ["no cookie", (mine) => [{ ...VALID, [CSRF_FIELD]: mine.token }, { origin: ORIGIN }]],
    [
      "an empty token",
      (mine) => [
        { ...VALID, [CSRF_FIELD]: "" },
        { cookie: mine.cookie, origin: ORIGIN },
      ],
    ],
    [
      "the token of another visitor's cookie",
      (mine, other) => [
        { ...VALID, [CSRF_FIELD]: other.token },
        { cookie: mine.cookie, origin: ORIGIN },
      ],
    ],
    [
      "the cookie's secret as the token",
      (mine) => [
        { ...VALID, [CSRF_FIELD]: mine.cookie.split("=")[1]! },
        { cookie: mine.cookie, origin: ORIGIN },
      ],
    ],
    [
      "a valid token sent from another origin",
      (mine) => [
        { ...VALID, [CSRF_FIELD]: mine.token },
        { cookie: mine.cookie, origin: "https://evil.example" },
      ],
    ],
    [
      "a valid token with Sec-Fetch-Site: cross-site (no Origin)",
      (mine) => [
        { ...VALID, [CSRF_FIELD]: mine.token },
        { cookie: mine.cookie, "sec-fetch-site": "cross-site" },
      ],
    ],
  ];

  it.each(refusals)("refused with %s: 403 'form has expired' page, the handler never runs", async (_, build) => {
    const [fields, headers] = build(await openForm(), await openForm());
    const r = await visit("/sample", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    expect(r.status).toBe(403);
    expect(r.html).toContain("<h1>This form has expired</h1>");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(sampleSubmissions).toEqual([]);
  });

  it("a JSON body is not a form: refused even with the cookie", async () => {
    const { cookie, token } = await openForm();
    const r = await visit("/sample", {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: ORIGIN },
      body: JSON.stringify({ ...VALID, [CSRF_FIELD]: token }),
    });
    expect(r.status).toBe(403);
    expect(sampleSubmissions).toEqual([]);
  });
});

describe("the error pattern", () => {
  it("re-renders with 422: 'Error:' title, a focused summary linking to each field, messages by fields", async () => {
    const { cookie, token } = await openForm();
    const r = await post(
      { name: "", email: "not-an-email", website: "", country: "", about: '<b>"x"</b>', [CSRF_FIELD]: token },
      { cookie },
    );
    expect(r.status).toBe(422);
    expect(r.html).toContain("<title>Error: Apply to the sample program</title>");
    const summary = /<div class="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(r.html);
    expect(summary?.[0]).toMatch(/role="alert"/);
    expect(summary?.[0]).toMatch(/tabindex="-1"/);
    expect(summary?.[0]).toMatch(/autofocus/);
    const links = [...(summary?.[1] ?? "").matchAll(/<a href="#([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      ["field-name", "Enter your name"],
      ["field-email", "Enter an email address in the correct format, like name@example.com"],
      ["field-country", "Select your country"],
      ["field-audience", "Select how you reach customers"],
      ["field-terms", "Accept the program terms to continue"],
    ]);
    // Each field: its error element exists and the control names it (after the hint) in aria-describedby.
    expect(r.html).toMatch(
      /<p id="field-email-error" class="field-error"><span class="visually-hidden">Error: <\/span>Enter an email/,
    );
    expect(r.html).toMatch(
      /<input id="field-email"[^>]*aria-invalid="true" aria-describedby="field-email-hint field-email-error"/,
    );
    expect(r.html).toMatch(/<input id="field-name"[^>]*aria-invalid="true" aria-describedby="field-name-error"/);
    expect(r.html).toMatch(/<select id="field-country"[^>]*aria-invalid="true" aria-describedby="field-country-error"/);
    expect(r.html).toMatch(/<fieldset class="field" aria-describedby="field-audience-error">/);
    expect(r.html).toMatch(/<input id="field-audience" name="audience" type="radio"/);
    // Fields without errors are not marked; values are kept, escaped.
    expect(r.html).toMatch(/<input id="field-website"(?![^>]*aria-invalid)[^>]*>/);
    expect(r.html).toContain('value="not-an-email"');
    expect(r.html).toContain("&lt;b&gt;&quot;x&quot;&lt;/b&gt;</textarea>");
    expect(r.html).toContain(`name="_csrf" value="${token}"`);
    expect(sampleSubmissions).toEqual([]);
  });

  it("a page without errors has no summary and no 'Error:' title", async () => {
    const { html } = await openForm();
    expect(html).toContain("<title>Apply to the sample program</title>");
    expect(html).not.toContain("error-summary");
    expect(html).not.toContain("aria-invalid");
    expect(html).toMatch(/<form method="post" action="\/sample" novalidate="">/);
  });
});
