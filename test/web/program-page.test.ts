// The public program page on the web stack: what a visitor sees, the headers every page carries
// (strict CSP, no caching), the stylesheet the worker serves itself, renames and the 404 page.
import { describe, expect, it } from "vitest";
import { api, bodyOf, expectStatus, newTenant } from "../helpers/admin";

async function tenantWithGroup(name = "Affiliates") {
  const t = await newTenant();
  const group = bodyOf(await api(t.key, "POST", "/v1/groups", { name, destination_url: "https://acme.example/" }), 201);
  return { ...t, group };
}

async function page(path: string) {
  const response = await api(null, "GET", path);
  return { ...response, html: String(response.body) };
}

/** Every `src`/`href` of a script, stylesheet or icon in the page. */
const assetUrls = (html: string) =>
  [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

describe("program page", () => {
  it("shows the program (company) and the group, with the company's terms link when the group has none", async () => {
    const t = await tenantWithGroup("Resellers");
    expectStatus(await api(t.key, "PATCH", "/v1/company", { terms_url: "https://acme.com/terms" }), 200);
    const r = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    expectStatus(r, 200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(r.html.startsWith("<!doctype html>")).toBe(true);
    expect(r.html).toContain(`<title>${t.company.name} — Resellers partner program</title>`);
    expect(r.html).toContain("<h1>Resellers</h1>");
    expect(r.html).toContain(`${t.company.name} partner program`);
    expect(r.html).toContain('<a href="https://acme.com/terms" rel="noopener">Program terms of service</a>');

    const termsUrl = "https://acme.com/terms/resellers";
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { terms_url: termsUrl }), 200);
    const own = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    expect(own.html).toContain('href="https://acme.com/terms/resellers"');
    expect(own.html).not.toContain('href="https://acme.com/terms"');
  });

  it("shows no terms link when neither the group nor the company has terms", async () => {
    const t = await tenantWithGroup();
    const r = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    expectStatus(r, 200);
    expect(r.html).not.toContain("terms of service");
  });

  it("escapes names: markup in a group or company name is shown as text", async () => {
    const t = await tenantWithGroup('<script>alert("g")</script> & <b>Co</b>');
    expectStatus(await api(t.key, "PATCH", "/v1/company", { name: '<img src=x onerror="alert(1)">' }), 200);
    const r = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    expectStatus(r, 200);
    expect(r.html).toContain("&lt;script&gt;alert(&quot;g&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;");
    expect(r.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(r.html).not.toMatch(/<script|<img|<b>Co/);
  });

  it("a former slug answers 301 to the current page; the page is found whatever the letter case", async () => {
    const t = await tenantWithGroup("Affiliates");
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${t.group.id}`, { name: "Premium Partners" }), 200);
    const old = await page(`/programs/${t.company.slug}/affiliates`);
    expectStatus(old, 301);
    expect(old.headers.get("location")).toBe(`/programs/${t.company.slug}/premium-partners`);
    expect(old.headers.get("content-security-policy")).toContain("default-src 'self'");
    expectStatus(await page(`/programs/${t.company.slug.toUpperCase()}/Premium-Partners`), 200);
  });

  it("carries the pages' security headers: strict CSP, no framing, no sniffing, never cached", async () => {
    const t = await tenantWithGroup();
    const r = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    const csp = r.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      csp
        .split(";")
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values.join(" ")]),
    );
    expect(directives).toMatchObject({
      "default-src": "'self'",
      "script-src": "'self'",
      "style-src": "'self'",
      "img-src": "'self' data:",
      "form-action": "'self'",
      "frame-ancestors": "'none'",
      "base-uri": "'none'",
      "object-src": "'none'",
    });
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(r.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });

  it("needs nothing from another origin and nothing inline: no <style>, <script> or style= attribute", async () => {
    const t = await tenantWithGroup();
    const { html } = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    const assets = assetUrls(html);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const url of assets) expect(url, url).toMatch(/^\/assets\/[a-z]+\.[0-9a-f]{12}\.(css|svg)$/);
    expect(html).not.toMatch(/<style|<script|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(html).toContain('<html lang="en">');
  });
});

describe("assets", () => {
  it("serves the stylesheet (Pico CSS and edgeref's rules) and the icon itself, cached for a year", async () => {
    const t = await tenantWithGroup();
    const { html } = await page(`/programs/${t.company.slug}/${t.group.slug}`);
    const [stylesheet, icon] = assetUrls(html);
    const css = await api(null, "GET", stylesheet!);
    expectStatus(css, 200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(String(css.body)).toContain("Pico CSS");
    expect(String(css.body)).toContain(".error-summary");
    expect(String(css.body)).not.toMatch(/@import|url\(["']?https?:/);
    const svg = await api(null, "GET", icon!);
    expectStatus(svg, 200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("answers 404 for any other file name, including an older fingerprint", async () => {
    for (const path of ["/assets/app.000000000000.css", "/assets/pico.min.css", "/assets/..%2Fwrangler.toml"]) {
      const r = await api(null, "GET", path);
      expect(r.status, path).toBe(404);
    }
  });
});

describe("not found", () => {
  it.each([
    ["an unknown company", "/programs/no-such-company/affiliates"],
    ["a path with too many parts", "/programs/a/b/c"],
    ["the bare prefix", "/programs/"],
  ])("%s: a friendly 404 page with the pages' headers", async (_, path) => {
    const r = await page(path);
    expectStatus(r, 404);
    expect(r.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(r.html).toContain("<title>Page not found</title>");
    expect(r.html).toContain("This partner program does not exist or has closed.");
  });

  it("an unknown or archived group of a real company: the 404 page points to the company's main program", async () => {
    const t = await tenantWithGroup("Main");
    const other = bodyOf(
      await api(t.key, "POST", "/v1/groups", { name: "Old", destination_url: "https://acme.example/" }),
      201,
    );
    expectStatus(await api(t.key, "POST", `/v1/groups/${other.id}/archive`), 200);
    for (const slug of ["nothing-here", other.slug]) {
      const r = await page(`/programs/${t.company.slug}/${slug}`);
      expectStatus(r, 404);
      expect(r.html).toContain(
        `<a href="/programs/${t.company.slug}/main">See ${t.company.name}&#39;s partner program</a>`,
      );
    }
  });

  it("the JSON API keeps answering problems, without the pages' headers", async () => {
    const r = await api(null, "GET", "/v1/nowhere");
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.headers.get("content-security-policy")).toBeNull();
  });
});
