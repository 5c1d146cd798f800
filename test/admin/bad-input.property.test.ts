// Property: on every write route, any body is answered with a 2xx or a 4xx problem — never a
// 5xx — and a 4xx writes nothing. 422s name the offending fields.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, newTenant, tableCounts } from "../helpers/admin";

async function populated() {
  const t = await newTenant();
  const group = (await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" })).body;
  const link = (await api(t.key, "POST", `/v1/groups/${group.id}/links`, { title: "P", destination_url: "https://acme.example/p", link_text: "p" })).body;
  const partner = (await api(t.key, "POST", "/v1/partners", { email: "p@example.com", first_name: "P", last_name: "Q" })).body;
  return { ...t, group, link, partner };
}
type Tenant = Awaited<ReturnType<typeof populated>>;

// Each write route with a valid body; the arbitraries below break it in every way they can.
const writeRoutes: { name: string; method: string; path: (t: Tenant) => string; valid: Record<string, unknown> }[] = [
  { name: "POST /v1/groups", method: "POST", path: () => "/v1/groups", valid: { name: "G", destination_url: "https://acme.example/", utm: { utm_source: "x" }, custom_params: { ref: "y" } } },
  { name: "PATCH /v1/groups/{id}", method: "PATCH", path: (t) => `/v1/groups/${t.group.id}`, valid: { name: "G2", terms_url: "https://acme.com/t", referral_links_enabled: true, features: { lead_submission: true } } },
  { name: "POST /v1/groups/{id}/links", method: "POST", path: (t) => `/v1/groups/${t.group.id}/links`, valid: { title: "T", destination_url: "https://acme.example/x", link_text: "x", lock_utms: true } },
  { name: "PATCH /v1/links/{id}", method: "PATCH", path: (t) => `/v1/links/${t.link.id}`, valid: { title: "T", description: "D", destination_url: "https://acme.example/y", utm: { utm_medium: "m" } } },
  { name: "POST /v1/partners", method: "POST", path: () => "/v1/partners", valid: { email: "n@example.com", first_name: "N", last_name: "M", partner_key: "nm" } },
  { name: "PATCH /v1/partners/{id}", method: "PATCH", path: (t) => `/v1/partners/${t.partner.id}`, valid: { first_name: "Z", status: "active" } },
  { name: "PATCH /v1/company", method: "PATCH", path: () => "/v1/company", valid: { name: "C", fallback_url: "https://acme.example/f", attribution_window_days: 30, click_id_param: "xid" } },
  { name: "POST /v1/link-domains", method: "POST", path: () => "/v1/link-domains", valid: { hostname: "go.acme-example.com", cookie_domain: "acme-example.com" } },
  { name: "POST /v1/api-keys", method: "POST", path: () => "/v1/api-keys", valid: { name: "K" } },
];

const nasty = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom("", " ", "javascript:alert(1)", "http://", "https://", "\u0000", "a".repeat(5000), "--", "💥", "https://10.0.0.1/", "{partner_key}"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.anything(), { maxKeys: 3 }),
);

/** A valid body with some fields replaced, removed or added. */
function mutated(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc
    .record({
      replace: fc.dictionary(fc.constantFrom(...keys), nasty, { maxKeys: keys.length }),
      remove: fc.subarray(keys),
      extra: fc.dictionary(fc.string({ maxLength: 12 }), nasty, { maxKeys: 2 }),
    })
    .map(({ replace, remove, extra }) => {
      const body: Record<string, unknown> = { ...valid, ...replace, ...extra };
      for (const key of remove) delete body[key];
      return body;
    });
}

const rawBodies = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom("{", "[]", "null", "\"text\"", "{\"name\":", "\u0000"),
);

describe("bad input on every write route", () => {
  for (const route of writeRoutes) {
    it(`${route.name}: never a 5xx; a 4xx is a problem and writes nothing`, async () => {
      const t = await populated();
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutated(route.valid), nasty, rawBodies.map((raw) => ({ __raw: raw }))), async (input) => {
          const body = input && typeof input === "object" && "__raw" in input ? String((input as { __raw: unknown }).__raw) : (input ?? null);
          const before = await tableCounts();
          const r = await api(t.key, route.method, route.path(t), body === null ? "null" : body);
          expect(r.status, JSON.stringify(body)).toBeLessThan(500);
          if (r.status >= 400) {
            expect(r.headers.get("content-type")).toBe("application/problem+json");
            expect(r.body.status).toBe(r.status);
            if (r.status === 422 && r.body.type === "urn:edgeref:problem:validation-failed") {
              expect(r.body.errors.length).toBeGreaterThan(0);
              for (const error of r.body.errors) expect(typeof error.field).toBe("string");
            }
            expect(await tableCounts(), JSON.stringify(body)).toEqual(before);
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});
