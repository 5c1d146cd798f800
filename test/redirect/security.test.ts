// No input may produce a 5xx or send a visitor anywhere but the company's own destinations.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createEdgeApp } from "../../src/redirect/app";
import { IsolateCache } from "../../src/redirect/isolate-cache";
import { addPartner, createCompanyFixture, edgeFetch } from "../helpers/fixtures";
import { locationOf, recordingStorage } from "../helpers/redirect";

const DESTINATION = "https://dest.example/landing";
const FALLBACK = "https://fallback.example/";

async function setup() {
  const fixture = await createCompanyFixture({ destinationUrl: DESTINATION, fallbackUrl: FALLBACK });
  await addPartner(fixture.companyId, fixture.groupId, "jane-doe");
  return fixture;
}

/** A response a visitor may get: the real destination (with tracking), the fallback, or a page without redirect. */
function expectSafe(response: Response, label: string) {
  expect(response.status, label).toBeLessThan(500);
  const location = response.headers.get("location");
  if (location === null) {
    expect(response.headers.get("set-cookie"), label).toBeNull();
    return;
  }
  expect(response.status, label).toBe(302);
  if (location === FALLBACK) {
    expect(response.headers.get("set-cookie"), label).toBeNull();
    return;
  }
  const url = new URL(location);
  expect(url.origin + url.pathname, label).toBe(DESTINATION);
  expect(url.searchParams.getAll("ps_partner_key"), label).toEqual(["jane-doe"]);
}

describe("security: open redirects and odd paths", () => {
  it.each([
    "//evil.com",
    "//evil.com/jane-doe",
    "/%2F%2Fevil.com",
    "/%2f%2fevil.com",
    "/%5Cevil.com",
    "/\\evil.com",
    "/\\\\evil.com",
    "/jane-doe/..%2F..%2Fevil",
    "/jane-doe/../../evil",
    "/%2e%2e/evil",
    "/jane-doe@evil.com",
    "/jane-doe%40evil.com",
    "/jane-doe/https://evil.com",
    "/https:%2F%2Fevil.com",
    "/https://evil.com",
    "/jane-doe%0d%0aLocation:%20https://evil.com",
    "/jane-doe%00",
    "/jane-doe;evil.com",
    "/jane-doe.evil.com",
    `/${"a".repeat(101)}`,
    `/${"jane-doe".repeat(2000)}`,
    "/j%C3%A4ne",
    "/jäne",
    "/🎉",
    "/%F0%9F%8E%89",
    "/%ff%fe",
    "/",
    "/favicon.ico",
    "/robots.txt",
    "/jane-doe.html",
    "/a/b/c",
  ])("%s never leaves the company's destinations and never 5xx", async (path) => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}${path}`);
    await response.text();
    expectSafe(response, path);
  });

  it("answers the paths that cannot be slugs with the 404 page (validated before any lookup)", async () => {
    const { hostname } = await setup();
    for (const path of ["/", "/favicon.ico", `/${"a".repeat(101)}`, "/j%C3%A4ne", "/a/b/c", "/jane-doe%40evil.com"]) {
      const response = await edgeFetch(`https://${hostname}${path}`);
      const body = await response.text();
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(body, path).toContain("Link not found");
    }
  });

  describe("invalid slugs touch no storage", () => {
    /** One request through a fresh edge app (empty isolate cache) whose D1 and KV record every use. */
    async function withRecordingStorage(url: string, method = "GET") {
      const storage = recordingStorage();
      const app = createEdgeApp({
        cache: new IsolateCache({ maxEntries: 100, freshMs: 1_000, missFreshMs: 1_000 }),
        clickSink: () => ({ send: async () => undefined }),
      });
      const ctx = createExecutionContext();
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const response = await app.fetch(
        new Request(url, { method }),
        { ...env, DB: storage.DB, LINKS_KV: storage.LINKS_KV },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      errors.mockRestore();
      return { response, body: await response.text(), calls: storage.calls };
    }

    it.each([
      ["too long", `/${"a".repeat(101)}`],
      ["far too long", `/${"jane-doe".repeat(2000)}`],
      ["non-ASCII, encoded", "/j%C3%A4ne"],
      ["non-ASCII, raw", "/jäne"],
      ["emoji", "/🎉"],
      ["several segments", "/a/b/c"],
      ["a trailing segment", "/jane-doe/x"],
      ["the root", "/"],
      ["an encoded @", "/jane-doe%40evil.com"],
      ["a dot", "/favicon.ico"],
      ["an underscore", "/jane_doe"],
      ["an encoded slash", "/%2F%2Fevil.com"],
      ["a NUL", "/jane-doe%00"],
    ])("%s: the 404 page, with no D1 or KV call", async (_label, path) => {
      for (const method of ["GET", "HEAD"]) {
        const { response, body, calls } = await withRecordingStorage(`https://links.example${path}`, method);
        expect(calls, `${method} ${path}`).toEqual([]);
        expect(response.status, `${method} ${path}`).toBe(404);
        if (method === "GET") expect(body, path).toContain("Link not found");
      }
    });

    it("a valid slug nobody created does reach storage (so the recorder sees lookups)", async () => {
      for (const path of ["/jane-doe", `/${"a".repeat(100)}`, "/JANE--Pricing"]) {
        const { response, calls } = await withRecordingStorage(`https://links.example${path}`);
        expect(response.status, path).toBe(404);
        expect(
          calls.some((call) => call.startsWith("LINKS_KV.get(")),
          path,
        ).toBe(true);
        expect(
          calls.some((call) => call.startsWith("DB.prepare(")),
          path,
        ).toBe(true);
      }
    });
  });

  it("answers other methods without a redirect and without a 5xx", async () => {
    const { hostname } = await setup();
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await edgeFetch(`https://${hostname}/jane-doe`, {
        method,
        ...(method === "OPTIONS" ? {} : { body: "x" }),
      });
      await response.text();
      expect(response.status, method).toBeLessThan(500);
      expect(response.headers.get("location"), method).toBeNull();
      expect(response.headers.get("set-cookie"), method).toBeNull();
    }
  });

  it("keeps `next=https://evil.com` a plain parameter on the real destination", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(
      `https://${hostname}/jane-doe?next=https://evil.com&redirect=//evil.com&url=%2F%2Fevil.com`,
    );
    await response.text();
    expect(response.status).toBe(302);
    const location = new URL(locationOf(response));
    expect(location.origin).toBe("https://dest.example");
    expect(location.pathname).toBe("/landing");
    expect(location.searchParams.get("next")).toBe("https://evil.com");
    expect(location.searchParams.get("redirect")).toBe("//evil.com");
    expect(location.searchParams.get("url")).toBe("//evil.com");
    expectSafe(response, "next=");
  });

  it("answers an unknown hostname with the 404 page: no redirect, no cookie, never cached", async () => {
    for (const method of ["GET", "HEAD"]) {
      const response = await edgeFetch(`https://unknown-${crypto.randomUUID()}.test/jane-doe`, { method });
      const body = await response.text();
      expect(response.status, method).toBe(404);
      expect(response.headers.get("content-type"), method).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control"), method).toBe("private, no-store");
      expect(response.headers.get("x-robots-tag"), method).toBe("noindex");
      expect(response.headers.get("location"), method).toBeNull();
      expect(response.headers.get("set-cookie"), method).toBeNull();
      if (method === "GET") expect(body).toContain("Link not found");
      else expect(body).toBe("");
    }
  });

  it("never serves one company's slug on another company's hostname", async () => {
    const a = await createCompanyFixture({ destinationUrl: "https://company-a.example/" });
    await addPartner(a.companyId, a.groupId, "shared-key");
    const b = await createCompanyFixture({
      destinationUrl: "https://company-b.example/",
      fallbackUrl: "https://b-fallback.example/",
    });
    const c = await createCompanyFixture({ destinationUrl: "https://company-c.example/" });

    // On A's own hostname the slug works…
    const onA = await edgeFetch(`https://${a.hostname}/shared-key`);
    await onA.text();
    expect(locationOf(onA)).toMatch(/^https:\/\/company-a\.example\/\?ps_xid=/);

    // …on B's it is unknown: B's fallback, without cookie or tracking.
    const onB = await edgeFetch(`https://${b.hostname}/shared-key`);
    await onB.text();
    expect(onB.status).toBe(302);
    expect(locationOf(onB)).toBe("https://b-fallback.example/");
    expect(onB.headers.get("set-cookie")).toBeNull();

    // …and on C's (no fallback) the 404 page.
    const onC = await edgeFetch(`https://${c.hostname}/shared-key`);
    expect(await onC.text()).toContain("Link not found");
    expect(onC.status).toBe(404);
    expect(onC.headers.get("location")).toBeNull();
  });

  it("property: arbitrary paths and queries never give a 5xx or a foreign Location", async () => {
    const { hostname } = await setup();
    const segment = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?\\]{0,40}$/),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.constantFrom("jane-doe", "JANE-DOE/", "jane-doe/..", "//evil.com", "%2F%2Fevil.com", "jane-doe@evil.com"),
    );
    await fc.assert(
      fc.asyncProperty(segment, segment, async (path, query) => {
        let url: string;
        try {
          url = new URL(`https://${hostname}/${path}?${query}`).href;
        } catch {
          return;
        }
        const response = await edgeFetch(url);
        await response.text();
        expectSafe(response, url);
      }),
      { numRuns: 200 },
    );
  });
});
