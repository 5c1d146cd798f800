// Abuse limits of the admin API: failed authentication per client IP (refused before any key
// lookup), requests per company as well as per key, and the number of active API keys.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import adminWorker from "../../workers/admin";
import { type ApiResult, api, apiVia, bodyOf, expectStatus, newTenant, type ProblemBody } from "../helpers/admin";
import { recordingStorage } from "../helpers/redirect";

const problemType = (r: { body: { type: string } }) => r.body.type.replace("urn:edgeref:problem:", "");
/** AUTH_FAILURE_LIMITER's limit (wrangler.toml, vitest.config.ts). */
const AUTH_FAILURE_LIMIT = 20;
/** SMALL_TEST_LIMITER's (vitest.config.ts): stands in for the company limiter's 1200, to keep the test short. */
const SMALL_LIMIT = 30;

/** A GET from a given client IP, optionally with other bindings. */
const fromIp = <Path extends string>(ip: string, key: string, path: Path, bindings: Partial<typeof env> = {}) =>
  apiVia(adminWorker.fetch, bindings)(key, "GET", path, undefined, { "cf-connecting-ip": ip });

const randomIp = () => `2001:db8:a::${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;
const unknownKey = () => `sk_live_${crypto.randomUUID().replaceAll("-", "")}${"x".repeat(11)}`;

async function activeKeys(companyId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE company_id = ? AND revoked_at IS NULL")
    .bind(companyId)
    .first<{ n: number }>();
  return row!.n;
}

describe("failed authentication, per client IP", () => {
  it(`refuses an IP that sent too many wrong keys with 429 before any D1 lookup; \
other IPs are unaffected`, async () => {
    const tenant = await newTenant();
    const [attacker, neighbour] = [randomIp(), randomIp()];
    let failures = 0;
    let refused: ApiResult<ProblemBody, 429> | undefined;
    // The limiter counts in fixed 60 s windows: if one ends mid-loop, the next fills after 20 more.
    while (!refused && failures < 3 * AUTH_FAILURE_LIMIT) {
      const r = await fromIp(attacker, unknownKey(), "/v1/company");
      if (r.status === 429) refused = r;
      else {
        expectStatus(r, 401);
        expect(problemType(r)).toBe("api-key-invalid");
        failures++;
      }
    }
    expect(failures).toBeGreaterThanOrEqual(AUTH_FAILURE_LIMIT);
    expect(refused!.headers.get("retry-after")).toBe("60");
    expect(problemType(refused!)).toBe("auth-rate-limited");

    // Now even a valid key from that IP is refused, without touching D1.
    const storage = recordingStorage();
    const blocked = await fromIp(attacker, tenant.key, "/v1/company", { DB: storage.DB });
    expectStatus(blocked, 429);
    expect(storage.calls).toEqual([]);

    expect((await fromIp(neighbour, tenant.key, "/v1/company")).status).toBe(200);
  });

  it("refuses a key that cannot be one without a D1 lookup", async () => {
    const storage = recordingStorage();
    const r = await fromIp(randomIp(), "sk_live_short", "/v1/company", { DB: storage.DB });
    expectStatus(r, 401);
    expect(problemType(r)).toBe("api-key-invalid");
    expect(storage.calls).toEqual([]);
  });
});

describe("rate limits per company", () => {
  it("answers 429 once a company's keys together go over its limit, though no key went over its own", async () => {
    const tenant = await newTenant();
    const keys = [tenant.key];
    for (const name of ["second", "third"])
      keys.push(bodyOf(await api(tenant.key, "POST", "/v1/api-keys", { name }), 201).secret!);
    const other = await newTenant();
    const ip = randomIp();
    const companyLimiter = { ADMIN_COMPANY_RATE_LIMITER: env.SMALL_TEST_LIMITER };
    let limited: ApiResult<ProblemBody, 429> | undefined;
    let passed = 0;
    // Round-robin over three keys: each sends a third of the traffic, far under its own 600.
    // The limiter counts in fixed 60 s windows: if one ends mid-loop, the next fills after 30 more.
    while (!limited && passed < 3 * SMALL_LIMIT) {
      const r = await fromIp(ip, keys[passed % keys.length]!, "/v1/company", companyLimiter);
      if (r.status === 429) limited = r;
      else expectStatus(r, 200);
      passed += r.status === 200 ? 1 : 0;
    }
    expect(passed).toBeGreaterThanOrEqual(SMALL_LIMIT);
    expect(limited!.headers.get("retry-after")).toBe("60");
    expect(problemType(limited!)).toBe("rate-limited");
    expect(limited!.body.detail).toContain("company");
    expect((await fromIp(ip, other.key, "/v1/company", companyLimiter)).status).toBe(200);
  });
});

describe("API keys per company", () => {
  it("allows at most 25 active keys (403 api-key-limit); revoking one frees a slot", async () => {
    const tenant = await newTenant(); // one key
    for (let i = 2; i <= 25; i++)
      expect((await api(tenant.key, "POST", "/v1/api-keys", { name: `key ${i}` })).status).toBe(201);
    const refused = await api(tenant.key, "POST", "/v1/api-keys", { name: "key 26" });
    expectStatus(refused, 403);
    expect(problemType(refused)).toBe("api-key-limit");
    expect(await activeKeys(tenant.companyId)).toBe(25);

    const listed = bodyOf(await api(tenant.key, "GET", "/v1/api-keys?limit=100"), 200).data;
    expect((await api(tenant.key, "DELETE", `/v1/api-keys/${listed[1]!.id}`)).status).toBe(200);
    expect((await api(tenant.key, "POST", "/v1/api-keys", { name: "key 26" })).status).toBe(201);
    expect(await activeKeys(tenant.companyId)).toBe(25);
  });

  it("cannot overshoot the limit with concurrent creates", async () => {
    const tenant = await newTenant();
    for (let i = 2; i <= 23; i++)
      expect((await api(tenant.key, "POST", "/v1/api-keys", { name: `key ${i}` })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api(tenant.key, "POST", "/v1/api-keys", { name: `racer ${i}` })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 403, 403, 403]);
    expect(await activeKeys(tenant.companyId)).toBe(25);
  });

  it("refuses to revoke the last active key (409 last-api-key), also when two revocations race", async () => {
    const tenant = await newTenant();
    const alone = await api(tenant.key, "DELETE", `/v1/api-keys/${tenant.keyId}`);
    expectStatus(alone, 409);
    expect(problemType(alone)).toBe("last-api-key");
    expect((await api(tenant.key, "GET", "/v1/company")).status).toBe(200);

    const second = bodyOf(await api(tenant.key, "POST", "/v1/api-keys", { name: "second" }), 201);
    const [a, b] = await Promise.all([
      api(tenant.key, "DELETE", `/v1/api-keys/${second.id}`),
      api(second.secret, "DELETE", `/v1/api-keys/${tenant.keyId}`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(await activeKeys(tenant.companyId)).toBe(1);
    // Revoking an already revoked key is still answered as before (idempotent).
    const revokedId = a.status === 200 ? second.id : tenant.keyId;
    const liveKey = a.status === 200 ? tenant.key : second.secret;
    expect((await api(liveKey, "DELETE", `/v1/api-keys/${revokedId}`)).status).toBe(200);
  });
});
