// A hostname serves links only for the company that proves it owns it: a claim is pending until
// its `_edgeref-challenge.<hostname>` TXT record holds the claim's token; the first company to
// verify gets the hostname. DNS is a FakeDns here: nothing is fetched.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/admin/app";
import { recordKeys } from "../../src/redirect/records";
import adminWorker from "../../workers/admin";
import { api, apiVia, bodyOf, expectStatus, newTenant, tableSnapshot } from "../helpers/admin";
import { FakeDns } from "../helpers/dns";
import { edgeFetch } from "../helpers/fixtures";
import { locationOf } from "../helpers/redirect";

/** A company with a group and the partner jane-doe: traffic on its hostnames goes to `destination`. */
async function company(name: string, destination: string, dns = new FakeDns()) {
  const t = await newTenant("enterprise", name);
  await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: destination });
  await api(t.key, "POST", "/v1/partners", { email: "jane@example.com", first_name: "Jane", last_name: "Doe" });
  return { ...t, dns, call: apiVia(createAdminApp({ resolveTxt: dns.resolveTxt }).fetch) };
}

const newHostname = () => `try.${crypto.randomUUID().slice(0, 8)}.com`;

/** The edge's small 404 page: what an unknown host gets. */
async function expectNotFoundPage(response: Response) {
  const body = await response.text();
  expect(response.status).toBe(404);
  expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("set-cookie")).toBeNull();
  expect(body).toContain("<h1>Link not found</h1>");
}

/** Where the edge sends jane-doe's link on `hostname` (origin + path). */
async function landing(hostname: string): Promise<string> {
  const response = await edgeFetch(`https://${hostname}/jane-doe`);
  await response.text();
  expect(response.status).toBe(302);
  const url = new URL(locationOf(response));
  return url.origin + url.pathname;
}

async function rowsOf(hostname: string) {
  const { results } = await env.DB.prepare(
    "SELECT company_id, status FROM link_domains WHERE hostname = ? ORDER BY company_id",
  )
    .bind(hostname)
    .all<{ company_id: string; status: string }>();
  return results;
}

describe("claiming a link domain", () => {
  it("is pending with a TXT record to create, and the edge answers it like an unknown host", async () => {
    const intruder = await company("Intruder", "https://intruder.example/grab");
    await api(intruder.key, "PATCH", "/v1/company", { fallback_url: "https://intruder.example/fallback" });
    const hostname = newHostname();
    const claim = await api(intruder.key, "POST", "/v1/link-domains", { hostname, cookie_domain: hostname.slice(4) });
    expectStatus(claim, 201);
    expect(claim.body).toMatchObject({
      object: "link_domain",
      hostname,
      status: "pending",
      verified_at: null,
      last_checked_at: null,
      verification: { type: "TXT", name: `_edgeref-challenge.${hostname}` },
    });
    // 32 random bytes, base64url: at least 128 bits, safe in DNS and URLs.
    expect(claim.body.verification.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await api(intruder.key, "GET", `/v1/link-domains/${claim.body.id}`)).body).toEqual(claim.body);

    await expectNotFoundPage(await edgeFetch(`https://${hostname}/jane-doe`));
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/nobody`)); // not the intruder's fallback either
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).toBeNull();
  });

  it("gives every claim its own token", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const hostname = newHostname();
    const first = await api(a.key, "POST", "/v1/link-domains", { hostname });
    const second = await api(b.key, "POST", "/v1/link-domains", { hostname });
    expectStatus(first, 201);
    expectStatus(second, 201);
    expect(first.body.verification.value).not.toBe(second.body.verification.value);
  });

  it("refuses a second claim of the same hostname by the same company (409), writing nothing", async () => {
    const t = await newTenant();
    const hostname = newHostname();
    expect((await api(t.key, "POST", "/v1/link-domains", { hostname })).status).toBe(201);
    const before = await tableSnapshot();
    const again = await api(t.key, "POST", "/v1/link-domains", { hostname: hostname.toUpperCase() });
    expectStatus(again, 409);
    expect(again.body.type).toBe("urn:edgeref:problem:link-domain-exists");
    expect(await tableSnapshot()).toEqual(before);
  });

  it("once Acme verified, refuses others' claims (409 hostname-taken); Acme's traffic is unaffected", async () => {
    const acme = await company("Acme", "https://acme.example/signup");
    const other = await company("Other", "https://other.example/grab");
    const hostname = newHostname();
    const claim = bodyOf(await api(acme.key, "POST", "/v1/link-domains", { hostname }), 201);
    acme.dns.setTxt(claim.verification.name, [claim.verification.value]);
    expect((await acme.call(acme.key, "POST", `/v1/link-domains/${claim.id}/verify`)).body.status).toBe("verified");
    expect(await landing(hostname)).toBe("https://acme.example/signup");
    const published = await env.LINKS_KV.get(recordKeys.site(hostname));

    const before = await tableSnapshot();
    const taken = await api(other.key, "POST", "/v1/link-domains", { hostname });
    expectStatus(taken, 409);
    expect(taken.body.type).toBe("urn:edgeref:problem:hostname-taken");
    expect(await tableSnapshot()).toEqual(before);
    expect(await landing(hostname)).toBe("https://acme.example/signup");
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).toBe(published);
  });
});

describe("verifying a link domain", () => {
  it("with a missing, then a wrong TXT record: still pending, showing what was found and expected", async () => {
    const acme = await company("Acme", "https://acme.example/signup");
    const hostname = newHostname();
    const claim = bodyOf(await api(acme.key, "POST", "/v1/link-domains", { hostname }), 201);
    const name = `_edgeref-challenge.${hostname}`;

    const missing = await acme.call(acme.key, "POST", `/v1/link-domains/${claim.id}/verify`);
    expectStatus(missing, 200);
    expect(missing.body).toMatchObject({ id: claim.id, status: "pending", verified_at: null });
    const token = claim.verification.value;
    expect(missing.body.check).toMatchObject({ method: "dns", name, expected: token, found: [], matched: false });
    expect(missing.body.check?.detail).toContain("No TXT record");
    expect(missing.body.last_checked_at).toBe(missing.body.check?.checked_at);
    expect(acme.dns.lookups).toEqual([name]);

    acme.dns.setTxt(name, ["v=spf1 -all", "an-old-token"]);
    const wrong = await acme.call(acme.key, "POST", `/v1/link-domains/${claim.id}/verify`);
    expectStatus(wrong, 200);
    expect(wrong.body.status).toBe("pending");
    expect(wrong.body.check).toMatchObject({ expected: token, found: ["v=spf1 -all", "an-old-token"], matched: false });
    expect(await rowsOf(hostname)).toEqual([{ company_id: acme.companyId, status: "pending" }]);
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/jane-doe`));

    acme.dns.setTxt(name, ["v=spf1 -all", token]);
    const right = await acme.call(acme.key, "POST", `/v1/link-domains/${claim.id}/verify`);
    expectStatus(right, 200);
    expect(right.body).toMatchObject({ status: "verified", check: { found: ["v=spf1 -all", token], matched: true } });
    expect(right.body.verified_at).toBe(right.body.check?.checked_at);
    expect(await landing(hostname)).toBe("https://acme.example/signup");

    // Verifying again changes nothing and looks nothing up.
    const again = await acme.call(acme.key, "POST", `/v1/link-domains/${claim.id}/verify`);
    expect(again.body).toMatchObject({ status: "verified", verified_at: right.body.verified_at, check: null });
    expect(acme.dns.lookups).toHaveLength(3);
  });

  it("a pending claim never blocks the owner: the owner verifies and serves, other claims are superseded", async () => {
    const intruder = await company("Intruder", "https://intruder.example/grab");
    const late = await company("Late", "https://late.example/grab");
    const acme = await company("Acme", "https://acme.example/signup");
    const hostname = newHostname();
    const intruderClaim = bodyOf(await api(intruder.key, "POST", "/v1/link-domains", { hostname }), 201);
    const lateClaim = bodyOf(await api(late.key, "POST", "/v1/link-domains", { hostname }), 201);
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/jane-doe`));

    const acmeClaim = await api(acme.key, "POST", "/v1/link-domains", { hostname });
    expectStatus(acmeClaim, 201);
    // Only Acme controls the DNS, so only Acme's token is there.
    acme.dns.setTxt(acmeClaim.body.verification.name, [acmeClaim.body.verification.value]);
    intruder.dns.setTxt(acmeClaim.body.verification.name, [acmeClaim.body.verification.value]);
    const denied = await intruder.call(intruder.key, "POST", `/v1/link-domains/${intruderClaim.id}/verify`);
    expect(denied.body).toMatchObject({ status: "pending", check: { matched: false } });

    const verified = await acme.call(acme.key, "POST", `/v1/link-domains/${acmeClaim.body.id}/verify`);
    expect(verified.body.status).toBe("verified");
    expect(await landing(hostname)).toBe("https://acme.example/signup");
    expect((await api(intruder.key, "GET", `/v1/link-domains/${intruderClaim.id}`)).body.status).toBe("superseded");
    expect((await api(late.key, "GET", `/v1/link-domains/${lateClaim.id}`)).body.status).toBe("superseded");

    // A superseded claim cannot be verified any more, even with the right record.
    intruder.dns.setTxt(intruderClaim.verification.name, [intruderClaim.verification.value]);
    const tooLate = await intruder.call(intruder.key, "POST", `/v1/link-domains/${intruderClaim.id}/verify`);
    expectStatus(tooLate, 409);
    expect(tooLate.body.type).toBe("urn:edgeref:problem:hostname-taken");

    // Deleting a claim that never served leaves the owner's record at the edge as it was.
    const published = await env.LINKS_KV.get(recordKeys.site(hostname));
    expect(JSON.parse(published!)).toMatchObject({ companyId: acme.companyId, cookieDomain: null });
    expect((await api(intruder.key, "DELETE", `/v1/link-domains/${intruderClaim.id}`)).status).toBe(200);
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).toBe(published);
    expect(await landing(hostname)).toBe("https://acme.example/signup");
    expect(await rowsOf(hostname)).toEqual(
      [
        { company_id: acme.companyId, status: "verified" },
        { company_id: late.companyId, status: "superseded" },
      ].sort((x, y) => x.company_id.localeCompare(y.company_id)),
    );

    // The owner removes the domain: the edge stops serving it, and a superseded claim may verify anew.
    expect((await api(acme.key, "DELETE", `/v1/link-domains/${acmeClaim.body.id}`)).status).toBe(200);
    expect(await env.LINKS_KV.get(recordKeys.site(hostname))).toBeNull();
    await expectNotFoundPage(await edgeFetch(`https://${hostname}/jane-doe`));
    late.dns.setTxt(lateClaim.verification.name, [lateClaim.verification.value]);
    expect((await late.call(late.key, "POST", `/v1/link-domains/${lateClaim.id}/verify`)).body.status).toBe("verified");
    expect(await landing(hostname)).toBe("https://late.example/grab");
  });

  it("race: two companies verify the same hostname at once, exactly one wins", async () => {
    const a = await company("A", "https://a.example/signup");
    const b = await company("B", "https://b.example/signup");
    const hostname = newHostname();
    const claimA = bodyOf(await api(a.key, "POST", "/v1/link-domains", { hostname }), 201);
    const claimB = bodyOf(await api(b.key, "POST", "/v1/link-domains", { hostname }), 201);
    // Both tokens are in DNS, and neither lookup answers before both are asked: both requests are
    // past every check made before the write.
    let release!: () => void;
    const bothAsked = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    const resolveTxt = async () => {
      if (++asked === 2) release();
      await bothAsked;
      return [claimA.verification.value, claimB.verification.value];
    };
    const call = apiVia(createAdminApp({ resolveTxt }).fetch);
    const [ra, rb] = await Promise.all([
      call(a.key, "POST", `/v1/link-domains/${claimA.id}/verify`),
      call(b.key, "POST", `/v1/link-domains/${claimB.id}/verify`),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const [winner, loser] = ra.status === 200 ? [a, b] : [b, a];
    const [won, lost] = ra.status === 200 ? [ra, rb] : [rb, ra];
    expectStatus(lost, 409);
    expect(lost.body.type).toBe("urn:edgeref:problem:hostname-taken");
    expectStatus(won, 200);
    expect(won.body.status).toBe("verified");
    const rows = await rowsOf(hostname);
    expect(rows.find((row) => row.company_id === winner.companyId)!.status).toBe("verified");
    expect(rows.find((row) => row.company_id === loser.companyId)!.status).toBe("superseded");
    expect(JSON.parse((await env.LINKS_KV.get(recordKeys.site(hostname)))!).companyId).toBe(winner.companyId);
    expect(await landing(hostname)).toBe(`https://${winner === a ? "a" : "b"}.example/signup`);
  });

  it("a failed DNS lookup is a retryable 503 dns-lookup-failed and changes nothing", async () => {
    const t = await company("Acme", "https://acme.example/signup");
    const claim = bodyOf(await api(t.key, "POST", "/v1/link-domains", { hostname: newHostname() }), 201);
    t.dns.down = true;
    const before = await tableSnapshot();
    const r = await t.call(t.key, "POST", `/v1/link-domains/${claim.id}/verify`);
    expectStatus(r, 503);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toMatchObject({ type: "urn:edgeref:problem:dns-lookup-failed", status: 503 });
    expect(r.headers.get("retry-after")).toBe("30");
    expect(r.body.detail).toContain(`_edgeref-challenge.${claim.hostname}`);
    expect(await tableSnapshot()).toEqual(before);
    t.dns.down = false;
    expect((await t.call(t.key, "POST", `/v1/link-domains/${claim.id}/verify`)).status).toBe(200);
  });

  it("tenancy: another company's domain id is a 404, looked up nowhere, changed nowhere", async () => {
    const owner = await newTenant();
    const other = await company("Other", "https://other.example/");
    const claim = bodyOf(await api(owner.key, "POST", "/v1/link-domains", { hostname: newHostname() }), 201);
    other.dns.setTxt(claim.verification.name, [claim.verification.value]);
    const before = await tableSnapshot();
    for (const [method, path] of [
      ["POST", `/v1/link-domains/${claim.id}/verify`],
      ["GET", `/v1/link-domains/${claim.id}`],
      ["DELETE", `/v1/link-domains/${claim.id}`],
    ] as const) {
      const r = await other.call(other.key, method, path);
      expectStatus(r, 404, `${method} ${path}`);
      expect(r.body.type).toBe("urn:edgeref:problem:not-found");
    }
    expect(other.dns.lookups).toEqual([]);
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe("what a pending domain does not do", () => {
  it("partner link URLs use a verified domain only", async () => {
    const t = await newTenant();
    const hostname = newHostname();
    // The company's only link domain is a pending claim.
    const claim = bodyOf(await api(t.key, "POST", "/v1/link-domains", { hostname }), 201);
    const own = bodyOf(await api(t.key, "GET", "/v1/link-domains"), 200).data.find(
      (d: { id: string }) => d.id !== claim.id,
    );
    expect((await api(t.key, "DELETE", `/v1/link-domains/${own!.id}`)).status).toBe(200);
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" });
    const jane = { email: "j@example.com", first_name: "Jane", last_name: "Doe" };
    const partner = bodyOf(await api(t.key, "POST", "/v1/partners", jane), 201);
    expect(bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/links`), 200).data[0]!.url).toBeNull();

    const dns = new FakeDns();
    dns.setTxt(claim.verification.name, [claim.verification.value]);
    const call = apiVia(createAdminApp({ resolveTxt: dns.resolveTxt }).fetch);
    expect((await call(t.key, "POST", `/v1/link-domains/${claim.id}/verify`)).body.status).toBe("verified");
    const links = await api(t.key, "GET", `/v1/partners/${partner.id}/links`);
    expectStatus(links, 200);
    expect(links.body.data[0]!.url).toBe(`https://${hostname}/jane-doe`);
  });
});

describe("local development hostnames", () => {
  it("localhost names verify themselves where local hosts are allowed (npm start, tests)", async () => {
    const t = await company("Local", "https://local.example/signup");
    const hostname = `${crypto.randomUUID().slice(0, 8)}.localhost`;
    const r = await t.call(t.key, "POST", "/v1/link-domains", { hostname });
    expectStatus(r, 201);
    expect(r.body.status).toBe("verified");
    expect(t.dns.lookups).toEqual([]);
    const response = await edgeFetch(`http://${hostname}:8787/jane-doe`);
    await response.text();
    expect(response.status).toBe(302);
  });

  it("are refused where they are not (production: ALLOW_LOCAL_HOST_VERIFICATION unset)", async () => {
    const t = await newTenant();
    const production = apiVia(adminWorker.fetch, { ALLOW_LOCAL_HOST_VERIFICATION: undefined });
    const before = await tableSnapshot();
    for (const hostname of ["localhost", `${crypto.randomUUID().slice(0, 8)}.localhost`]) {
      const r = await production(t.key, "POST", "/v1/link-domains", { hostname });
      expectStatus(r, 422, hostname);
      const message = "localhost names serve only in local development";
      expect(r.body.errors).toEqual([{ field: "hostname", message }]);
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});
