// No input may produce a 5xx or send a visitor anywhere but the company's own destinations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addPartner, createCompanyFixture, edgeFetch } from "../helpers/fixtures";

async function setup() {
  const fixture = await createCompanyFixture({ destinationUrl: "https://dest.example/landing", fallbackUrl: "https://fallback.example/" });
  await addPartner(fixture.companyId, fixture.groupId, "jane-doe");
  return fixture;
}

function allowedLocation(location: string | null): boolean {
  if (location === null) return true;
  const url = new URL(location);
  return (url.origin === "https://dest.example" && url.pathname === "/landing") || location === "https://fallback.example/";
}

describe("security: open redirects and odd paths", () => {
  it.each([
    "//evil.com",
    "/%2F%2Fevil.com",
    "/%5Cevil.com",
    "/\\evil.com",
    "/jane-doe/..%2F..%2Fevil",
    "/jane-doe@evil.com",
    "/jane-doe%40evil.com",
    "/jane-doe/https://evil.com",
    "/https:%2F%2Fevil.com",
    "/jane-doe%0d%0aLocation:%20https://evil.com",
    "/" + "a".repeat(101),
    "/j%C3%A4ne",
    "/",
    "/favicon.ico",
    "/jane-doe.html",
    "/a/b/c",
  ])("%s never leaves the company's destinations", async (path) => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}${path}`);
    await response.text();
    expect(response.status).toBeLessThan(500);
    expect(allowedLocation(response.headers.get("location"))).toBe(true);
  });

  it("keeps `next=https://evil.com` a plain parameter on the real destination", async () => {
    const { hostname } = await setup();
    const response = await edgeFetch(`https://${hostname}/jane-doe?next=https://evil.com&redirect=//evil.com`);
    const location = new URL(response.headers.get("location")!);
    expect(location.host).toBe("dest.example");
    expect(location.pathname).toBe("/landing");
    expect(location.searchParams.get("next")).toBe("https://evil.com");
  });

  it("answers an unknown hostname with the 404 page", async () => {
    const response = await edgeFetch(`https://unknown-${crypto.randomUUID()}.test/jane-doe`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("Link not found");
  });

  it("never serves one company's slug on another company's hostname", async () => {
    const a = await createCompanyFixture({ destinationUrl: "https://company-a.example/" });
    await addPartner(a.companyId, a.groupId, "shared-key");
    const b = await createCompanyFixture({ destinationUrl: "https://company-b.example/", fallbackUrl: "https://b-fallback.example/" });
    const response = await edgeFetch(`https://${b.hostname}/shared-key`);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://b-fallback.example/");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("property: arbitrary paths and queries never give a 5xx or a foreign Location", async () => {
    const { hostname } = await setup();
    const segment = fc.stringMatching(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]{0,40}$/);
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
        expect(response.status).toBeLessThan(500);
        expect(allowedLocation(response.headers.get("location"))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
