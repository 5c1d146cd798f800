// Security of the admin API surface, route by route (in the style of unkey's *.security.test.ts).
// Every operation in /openapi.json has an entry in `operations` below, and for each one:
//   - no key → 401 api-key-missing; a revoked key → 401 api-key-revoked;
//   - another company's key with our ids in the path → 404 not-found;
//   - a body that is not JSON → 400 bad-request (not declared as JSON → 415);
//   - ids of another company in the body or query → the 4xx in the table;
// and none of these writes anything (every D1 row and KV record compared before/after), none is a
// 5xx. Finally our own call succeeds and leaves the other company exactly as it was, and a read
// never shows the other company's ids. A route without an entry fails the first test.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { recordFailedClicks } from "../../src/clicks/failed";
import { HOUR_MS } from "../../src/lib/time";
import {
  type ApiResult,
  api,
  bodyOf,
  expectStatus,
  kvSnapshot,
  newTenant,
  type ProblemStatus,
  tableSnapshot,
} from "../helpers/admin";
import { clickEvent, recordClick } from "../helpers/clicks";
import { clientIp, companySnapshot } from "../helpers/tenancy";

/** A company with one of everything, through the API; `ids` fills the path parameters. */
async function populated(name: string) {
  const t = await newTenant("enterprise", name);
  const n = crypto.randomUUID().slice(0, 8);
  // The first group is the company's default, which cannot be archived: the fixture's is the second.
  expectStatus(
    await api(t.key, "POST", "/v1/groups", { name: "Default", destination_url: "https://shop.example/" }),
    201,
  );
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://shop.example/" }),
    201,
  );
  // Not the group's original link, so that it can be deleted.
  const link = bodyOf(
    await api(t.key, "POST", `/v1/groups/${group.id}/links`, {
      title: "P",
      destination_url: "https://shop.example/p",
      link_text: "p",
    }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: `p${n}@example.com`,
      first_name: "P",
      last_name: n,
      partner_key: `p-${n}`,
      group_id: group.id,
    }),
    201,
  );
  const domain = bodyOf(await api(t.key, "POST", "/v1/link-domains", { hostname: `go.${n}.acme-example.com` }), 201);
  const spareKey = bodyOf(await api(t.key, "POST", "/v1/api-keys", { name: "spare" }), 201);
  const offer = bodyOf(
    await api(t.key, "POST", `/v1/groups/${group.id}/offers`, {
      name: "Offer",
      triggers: [
        { event: "signup", reward: { type: "flat", amount: 100, currency: "USD" } },
        { event: "transaction", reward: { type: "percent", percent: 10 } },
      ],
    }),
    201,
  );
  const customerKey = `c-${n}`;
  const { customer } = bodyOf(
    await api(t.key, "POST", "/v1/customers", {
      customer_key: customerKey,
      email: `c${n}@example.com`,
      partner_key: partner.partner_key,
    }),
    201,
  );
  expectStatus(
    await api(t.key, "POST", "/v1/transactions", {
      key: `t-${n}`,
      customer_key: customerKey,
      amount: 1000,
      currency: "USD",
    }),
    201,
  );
  const rewards = bodyOf(await api(t.key, "GET", `/v1/partners/${partner.id}/rewards`), 200);
  expect(rewards.data).toHaveLength(2); // the signup's and the sale's
  const bonus = bodyOf(
    await api(t.key, "POST", `/v1/partners/${partner.id}/rewards`, { amount: 100, currency: "USD", reason: "B" }),
    201,
  );
  expectStatus(await api(t.key, "PATCH", `/v1/rewards/${bonus.id}`, { status: "approved" }), 200);
  // A pending application: the group is gated.
  expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/application`, { enabled: true }), 200);
  const application = bodyOf(
    await api(t.key, "POST", "/v1/applications", {
      group_id: group.id,
      values: { first_name: "A", last_name: n, email: `a${n}@example.com` },
    }),
    201,
  );
  // A lead and a deal the partner submitted with its credential; a second stage of each pipeline.
  for (const kind of ["lead", "deal"] as const)
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/${kind}`, { enabled: true }), 200);
  const credential = bodyOf(await api(t.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "p" }), 201);
  const contact = { company_name: "C", contact_name: "N", contact_email: `c${n}@example.com` };
  const lead = bodyOf(await api(credential.secret, "POST", "/partner/v1/leads", { values: contact }), 201);
  const deal = bodyOf(await api(credential.secret, "POST", "/partner/v1/deals", { values: contact }), 201);
  const stages = {
    lead: bodyOf(await api(credential.secret, "GET", "/partner/v1/forms/lead"), 200).stages,
    deal: bodyOf(await api(credential.secret, "GET", "/partner/v1/forms/deal"), 200).stages,
  };
  const target = { companyId: t.companyId, groupId: group.id, partnerId: partner.id };
  const xid = await recordClick(target, Date.now() - HOUR_MS);
  const failedClickId = `msg-${n}`;
  await env.DB.batch(
    recordFailedClicks(env.DB, [{ messageId: failedClickId, body: clickEvent(target), attempts: 11, error: "test" }]),
  );
  return {
    ...t,
    n,
    ids: {
      group_id: group.id,
      link_id: link.id,
      partner_id: partner.id,
      domain_id: domain.id,
      key_id: spareKey.id,
      customer_id: customer.id,
      offer_id: offer.id,
      reward_id: rewards.data[0]!.id,
      currency: "EUR",
      kind: "lead",
      field_key: "notes",
      application_id: application.id,
      credential_id: credential.id,
      lead_id: lead.id,
      deal_id: deal.id,
      // An empty stage of the lead pipeline.
      stage_id: stages.lead[1]!.id,
      pipeline: "lead",
    } as Record<string, string>,
    partnerKey: partner.partner_key,
    triggerId: offer.triggers[0]!.id,
    approvedRewardId: bonus.id,
    partnerSecret: credential.secret!,
    dealStageId: stages.deal[1]!.id,
    contact,
    customerKey,
    xid,
    failedClickId,
  };
}
type Tenant = Awaited<ReturnType<typeof populated>>;

/** A request naming the other company's objects outside the path, and the 4xx it must get. */
interface Refusal {
  query?: string;
  body?: unknown;
  status: ProblemStatus;
  field: string;
}

interface Operation {
  /** A valid body of our own (absent: the operation takes none). Only what a test breaks may refuse it. */
  body?: (own: Tenant) => unknown;
  /** Requests naming `other`'s objects in the body or query: each refused, nothing written. */
  refusals?: (own: Tenant, other: Tenant) => Refusal[];
  /** The status of our own valid call, when it is not a 2xx (an answer that depends on the outside). */
  ownStatus?: number;
}

// One entry per operation of /openapi.json (a new route: add `"METHOD /path": { body?, refusals? }`;
// a new path parameter: add its id to `populated().ids`). Path parameters are filled by name;
// `{currency}` names a currency, not an object: every company has its own EUR rate, so it has no
// 404 case, and the last test shows that setting ours leaves the other company's rates alone.
// `{kind}` and `{field_key}` name a form and a field inside the group of the path.
const operations: Record<string, Operation> = {
  "GET /v1/company": {},
  "PATCH /v1/company": {
    body: () => ({ name: "Renamed" }),
    refusals: (_, other) => [
      { body: { default_group_id: other.ids.group_id }, status: 422, field: "default_group_id" },
    ],
  },
  "GET /v1/link-domains": {},
  // Claiming another company's hostname: edge.security.test.ts shows the claim never takes its traffic.
  "POST /v1/link-domains": { body: (own) => ({ hostname: `try.${own.n}.acme-example.com` }) },
  "GET /v1/link-domains/{domain_id}": {},
  // The own claim is pending and the tests' resolver points nowhere: a retryable 503 that changes
  // nothing (test/admin/link-domains.test.ts verifies through a fake resolver).
  "POST /v1/link-domains/{domain_id}/verify": { ownStatus: 503 },
  "DELETE /v1/link-domains/{domain_id}": {},
  "GET /v1/api-keys": {},
  "POST /v1/api-keys": { body: () => ({ name: "CI" }) },
  "DELETE /v1/api-keys/{key_id}": {},
  "GET /v1/groups": {
    refusals: (_, other) => [{ query: `starting_after=${other.ids.group_id}`, status: 422, field: "starting_after" }],
  },
  "POST /v1/groups": { body: () => ({ name: "Resellers", destination_url: "https://shop.example/r" }) },
  "GET /v1/groups/{group_id}": {},
  "PATCH /v1/groups/{group_id}": { body: () => ({ name: "Renamed", referral_links_enabled: false }) },
  "POST /v1/groups/{group_id}/archive": {},
  "GET /v1/groups/{group_id}/links": {},
  "POST /v1/groups/{group_id}/links": {
    body: () => ({ title: "X", destination_url: "https://shop.example/x", link_text: "x" }),
  },
  "GET /v1/links/{link_id}": {},
  "PATCH /v1/links/{link_id}": { body: () => ({ destination_url: "https://shop.example/y" }) },
  "DELETE /v1/links/{link_id}": {},
  "GET /v1/partners": {
    refusals: (_, other) => [
      { query: `starting_after=${other.ids.partner_id}`, status: 422, field: "starting_after" },
      { query: `group_id=${other.ids.group_id}`, status: 422, field: "group_id" },
    ],
  },
  "POST /v1/partners": {
    body: (own) => ({ email: `new${own.n}@example.com`, first_name: "N", last_name: "M" }),
    refusals: (own, other) => [
      {
        body: { email: `x${own.n}@example.com`, first_name: "X", last_name: "Y", group_id: other.ids.group_id },
        status: 422,
        field: "group_id",
      },
    ],
  },
  "GET /v1/partners/{partner_id}": {},
  "PATCH /v1/partners/{partner_id}": {
    body: () => ({ first_name: "Renamed" }),
    refusals: (_, other) => [{ body: { group_id: other.ids.group_id }, status: 422, field: "group_id" }],
  },
  "GET /v1/partners/{partner_id}/links": {},
  "GET /v1/groups/{group_id}/stats": {},
  "GET /v1/partners/{partner_id}/stats": {},
  "GET /v1/exports/group-stats.csv": {},
  "POST /v1/conversions": {
    body: (own) => ({ xid: own.xid, customer_key: `conv-${own.n}`, email: `conv${own.n}@example.com` }),
    refusals: (own, other) => [{ body: { xid: other.xid, customer_key: `x-${own.n}` }, status: 422, field: "xid" }],
  },
  "POST /v1/customers": {
    body: (own) => ({ customer_key: `new-${own.n}`, email: `new${own.n}@example.com`, partner_key: own.partnerKey }),
    refusals: (own, other) => [
      {
        body: { customer_key: `x-${own.n}`, email: `x${own.n}@example.com`, partner_key: other.partnerKey },
        status: 422,
        field: "partner_key",
      },
    ],
  },
  "GET /v1/customers/{customer_id}": {},
  "POST /v1/transactions": {
    body: (own) => ({ key: `new-${own.n}`, customer_key: own.customerKey, amount: 500, currency: "USD" }),
    refusals: (own, other) => [
      {
        body: { key: `x-${own.n}`, customer_key: other.customerKey, amount: 500, currency: "USD" },
        status: 422,
        field: "customer_key",
      },
      {
        body: {
          key: `x-${own.n}`,
          customer_key: own.customerKey,
          amount: -5,
          currency: "USD",
          refund_of: `t-${other.n}`,
        },
        status: 422,
        field: "refund_of",
      },
    ],
  },
  "GET /v1/fx-rates": {},
  "PUT /v1/fx-rates/{currency}": { body: () => ({ usd_per_unit: 1.11 }) },
  "GET /v1/failed-clicks": {
    refusals: (_, other) => [{ query: `starting_after=${other.failedClickId}`, status: 422, field: "starting_after" }],
  },
  "POST /v1/failed-clicks/replay": {},
  "GET /v1/groups/{group_id}/offers": {
    refusals: (_, other) => [{ query: `starting_after=${other.ids.offer_id}`, status: 422, field: "starting_after" }],
  },
  "POST /v1/groups/{group_id}/offers": {
    body: () => ({
      name: "New",
      triggers: [{ event: "signup", reward: { type: "flat", amount: 1, currency: "USD" } }],
    }),
  },
  "GET /v1/offers/{offer_id}": {},
  "PATCH /v1/offers/{offer_id}": {
    body: () => ({ name: "Renamed" }),
    refusals: (_, other) => [
      {
        body: {
          triggers: [{ id: other.triggerId, event: "signup", reward: { type: "flat", amount: 1, currency: "USD" } }],
        },
        status: 422,
        field: "triggers.0.id",
      },
    ],
  },
  "GET /v1/offers/{offer_id}/versions": {},
  "GET /v1/rewards/{reward_id}": {},
  "POST /v1/partners/{partner_id}/rewards": { body: () => ({ amount: 500, currency: "USD", reason: "Bonus" }) },
  "GET /v1/partners/{partner_id}/rewards": {
    refusals: (_, other) => [{ query: `starting_after=${other.ids.reward_id}`, status: 422, field: "starting_after" }],
  },
  "PATCH /v1/rewards/{reward_id}": { body: () => ({ status: "approved", reason: "checked" }) },
  "POST /v1/rewards/payouts": {
    body: (own) => ({ reward_ids: [own.approvedRewardId], payout_reference: "PAY-1" }),
    refusals: (own, other) => [
      {
        body: { reward_ids: [own.approvedRewardId, other.approvedRewardId], payout_reference: "PAY-1" },
        status: 422,
        field: "reward_ids.1",
      },
    ],
  },
  "GET /v1/partners/{partner_id}/reward-totals": {},
  "GET /v1/exports/rewards.csv": {},
  "POST /v1/offers/{offer_id}/simulate": {
    body: () => ({
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }),
  },
  "POST /v1/groups/{group_id}/offers/simulate": {
    body: () => ({
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      offer: { name: "Draft", triggers: [{ event: "transaction", reward: { type: "percent", percent: 5 } }] },
    }),
  },
  "GET /v1/groups/{group_id}/forms/{kind}": {},
  "PATCH /v1/groups/{group_id}/forms/{kind}": { body: () => ({ title: "Refer a customer", enabled: true }) },
  "POST /v1/groups/{group_id}/forms/{kind}/fields": { body: () => ({ label: "Budget", type: "number" }) },
  "PATCH /v1/groups/{group_id}/forms/{kind}/fields/{field_key}": { body: () => ({ label: "Comments" }) },
  "DELETE /v1/groups/{group_id}/forms/{kind}/fields/{field_key}": {},
  "POST /v1/groups/{group_id}/forms/{kind}/reset": {},
  "POST /v1/applications": {
    body: (own) => ({
      group_id: own.ids.group_id,
      values: { first_name: "N", last_name: "M", email: `new${own.n}@example.com` },
    }),
    refusals: (own, other) => [
      {
        body: {
          group_id: other.ids.group_id,
          values: { first_name: "N", last_name: "M", email: `x${own.n}@example.com` },
        },
        status: 422,
        field: "group_id",
      },
    ],
  },
  "GET /v1/applications": {
    refusals: (_, other) => [
      { query: `starting_after=${other.ids.application_id}`, status: 422, field: "starting_after" },
      { query: `group_id=${other.ids.group_id}`, status: 422, field: "group_id" },
    ],
  },
  "GET /v1/applications/{application_id}": {},
  "POST /v1/applications/{application_id}/approve": {
    body: () => ({}),
    refusals: (_, other) => [{ body: { group_id: other.ids.group_id }, status: 422, field: "group_id" }],
  },
  "POST /v1/applications/{application_id}/reject": { body: () => ({ reason: "Not a fit" }) },
  "GET /v1/groups/{group_id}/pipelines/{pipeline}": {},
  "PATCH /v1/groups/{group_id}/pipelines/deal/final-stage": { body: () => ({ movers: "partners" }) },
  "POST /v1/groups/{group_id}/pipelines/{pipeline}/stages": { body: () => ({ name: "Demo booked", position: 2 }) },
  "PATCH /v1/groups/{group_id}/pipelines/{pipeline}/stages/{stage_id}": { body: () => ({ name: "Renamed" }) },
  "DELETE /v1/groups/{group_id}/pipelines/{pipeline}/stages/{stage_id}": {},
  "GET /v1/partners/{partner_id}/credentials": {},
  "POST /v1/partners/{partner_id}/credentials": { body: () => ({ name: "CRM" }) },
  "DELETE /v1/partners/{partner_id}/credentials/{credential_id}": {},
  "POST /v1/partners/{partner_id}/sign-in-links": {},
  "GET /v1/leads": { refusals: (_, other) => entryFilterRefusals(other, "lead_id") },
  "GET /v1/leads/{lead_id}": {},
  "POST /v1/leads/{lead_id}/move": {
    body: (own) => ({ stage_id: own.ids.stage_id }),
    refusals: (_, other) => [{ body: { stage_id: other.ids.stage_id }, status: 422, field: "stage_id" }],
  },
  "GET /v1/deals": { refusals: (_, other) => entryFilterRefusals(other, "deal_id") },
  "POST /v1/deals": {
    body: (own) => ({ partner_id: own.ids.partner_id, values: own.contact }),
    refusals: (own, other) => [
      { body: { partner_id: other.ids.partner_id, values: own.contact }, status: 422, field: "partner_id" },
    ],
  },
  "GET /v1/deals/{deal_id}": {},
  "POST /v1/deals/{deal_id}/move": {
    body: (own) => ({ stage_id: own.dealStageId }),
    refusals: (_, other) => [{ body: { stage_id: other.dealStageId }, status: 422, field: "stage_id" }],
  },
  "GET /v1/groups/{group_id}/social-content": {},
  "PATCH /v1/groups/{group_id}/social-content": {
    body: () => ({ twitter: { message: "Try {company_name}: {link}" } }),
  },
  "POST /v1/groups/{group_id}/social-content/preview": {
    body: (own) => ({ partner_id: own.ids.partner_id }),
    refusals: (_, other) => [{ body: { partner_id: other.ids.partner_id }, status: 422, field: "partner_id" }],
  },
};

/** The other company's ids in a list's filters: each a 422 on its field. */
function entryFilterRefusals(other: Tenant, idName: "lead_id" | "deal_id"): Refusal[] {
  return [
    { query: `starting_after=${other.ids[idName]}`, status: 422, field: "starting_after" },
    { query: `group_id=${other.ids.group_id}`, status: 422, field: "group_id" },
    { query: `partner_id=${other.ids.partner_id}`, status: 422, field: "partner_id" },
    { query: `stage_id=${other.ids.stage_id}`, status: 422, field: "stage_id" },
  ];
}

/** Path parameters that name no object of a company (a currency, a form kind, a field key). */
const NOT_OBJECT_IDS = ["currency", "kind", "field_key", "pipeline"];

const OBJECT_PARAM = /\{(?!currency\})(\w+)\}/;

function pathFor(name: string, tenant: Tenant, query?: string): string {
  const template = name.slice(name.indexOf(" ") + 1);
  const path = template.replace(/\{(\w+)\}/g, (_, param: string) => {
    const id = tenant.ids[param];
    if (id === undefined) throw new Error(`${name}: no fixture id for {${param}}: add one to populated().ids`);
    return id;
  });
  return query ? `${path}?${query}` : path;
}

function call(key: string | null, name: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return api(key, name.slice(0, name.indexOf(" ")), path, body, headers);
}

/** Runs `request` and shows it was refused: never a 5xx, a problem, and not a byte stored. */
async function expectRefused(label: string, request: () => Promise<ApiResult>, status: ProblemStatus, type?: string) {
  const before = { rows: await tableSnapshot(), kv: await kvSnapshot() };
  const r = await request();
  expectStatus(r, status, label);
  expect(r.headers.get("content-type"), label).toBe("application/problem+json");
  if (type) expect(r.body.type, label).toBe(`urn:edgeref:problem:${type}`);
  expect({ rows: await tableSnapshot(), kv: await kvSnapshot() }, `${label} wrote something`).toEqual(before);
  return r;
}

let a: Tenant;
let b: Tenant;
let revokedKeyOfA: string;
let documented: Map<string, { hasBody: boolean }>;

beforeAll(async () => {
  [a, b] = [await populated("A"), await populated("B")];
  const revoked = await api(a.key, "POST", "/v1/api-keys", { name: "to revoke" });
  expectStatus(revoked, 201);
  expect((await api(a.key, "DELETE", `/v1/api-keys/${revoked.body.id}`)).status).toBe(200);
  revokedKeyOfA = revoked.body.secret!;
  const doc = await api(null, "GET", "/openapi.json");
  // The partner API (`/partner/v1`, partner credentials) has its own table: test/partner/partner-api.security.test.ts.
  const adminPaths = Object.entries(doc.body.paths as Record<string, Record<string, { requestBody?: unknown }>>).filter(
    ([path]) => !path.startsWith("/partner/"),
  );
  documented = new Map(
    adminPaths.flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [
        `${method.toUpperCase()} ${path}`,
        { hasBody: op.requestBody !== undefined },
      ]),
    ),
  );
});

describe("the table covers /openapi.json", () => {
  it("has an entry for every operation, and none for an operation that is gone", () => {
    for (const [name, { hasBody }] of documented) {
      expect(
        operations[name],
        `No security entry for \`${name}\`: add one to \`operations\` in test/admin/api.security.test.ts — a valid ` +
          "`body` if it takes one, and `refusals` for every id of another company it can carry in its body or query.",
      ).toBeDefined();
      expect(
        operations[name]!.body !== undefined,
        `${name}: \`body\` must be given exactly when it takes a request body`,
      ).toBe(hasBody);
    }
    for (const name of Object.keys(operations))
      expect(documented.has(name), `${name} is not in /openapi.json: remove its entry`).toBe(true);
  });
});

for (const [name, operation] of Object.entries(operations)) {
  describe(name, () => {
    const body = (t: Tenant) => operation.body?.(t);

    it("without a key: 401 api-key-missing, nothing written", async () => {
      const path = pathFor(name, a);
      await expectRefused(
        name,
        () => call(null, name, path, body(a), { "cf-connecting-ip": clientIp() }),
        401,
        "api-key-missing",
      );
    });

    it("with a revoked key: 401 api-key-revoked, nothing written", async () => {
      const path = pathFor(name, a);
      const request = () => call(revokedKeyOfA, name, path, body(a), { "cf-connecting-ip": clientIp() });
      await expectRefused(name, request, 401, "api-key-revoked");
    });

    if (OBJECT_PARAM.test(name)) {
      it("with another company's key and our ids: 404 not-found, nothing written", async () => {
        const path = pathFor(name, a);
        const r = await expectRefused(name, () => call(b.key, name, path, body(b)), 404, "not-found");
        expect(JSON.stringify(r.body), "the 404 shows nothing of the owner but the id asked for").not.toContain(
          a.companyId,
        );
      });
    }

    if (operation.body) {
      it("a body that is not JSON: 400 bad-request (415 when not declared as JSON), nothing written", async () => {
        const path = pathFor(name, a);
        for (const raw of ["{not json", '{"name":', "", "\u0000"]) {
          await expectRefused(`${name} ${JSON.stringify(raw)}`, () => call(a.key, name, path, raw), 400, "bad-request");
        }
        const textPlain = () => call(a.key, name, path, JSON.stringify(body(a)), { "content-type": "text/plain" });
        await expectRefused(`${name} as text/plain`, textPlain, 415);
      });
    }

    if (operation.refusals) {
      it("naming another company's objects in the body or query: refused on that field, nothing written", async () => {
        for (const refusal of operation.refusals!(a, b)) {
          const label = `${name} ${refusal.query ?? JSON.stringify(refusal.body)}`;
          const r = await expectRefused(
            label,
            () => call(a.key, name, pathFor(name, a, refusal.query), refusal.body),
            refusal.status,
          );
          expect(
            r.body.errors?.map((e: { field: string }) => e.field),
            label,
          ).toEqual([refusal.field]);
        }
      });
    }

    it("our own call succeeds and leaves the other company as it was; a read shows none of its ids", async () => {
      // A fresh company per operation: earlier calls (an archive, a revoke) must not decide this one.
      const own = await populated("Own");
      const before = await companySnapshot(b.companyId);
      const r = await call(own.key, name, pathFor(name, own), body(own));
      const label = `${name}: ${JSON.stringify(r.body)}`;
      if (operation.ownStatus !== undefined) expect(r.status, label).toBe(operation.ownStatus);
      else expect(r.status >= 200 && r.status < 300, label).toBe(true);
      expect(await companySnapshot(b.companyId), `${name} changed the other company`).toEqual(before);
      const shown = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
      const objectIds = Object.entries(b.ids).flatMap(([name, id]) => (NOT_OBJECT_IDS.includes(name) ? [] : [id]));
      const otherIds = [b.companyId, b.hostname, b.xid, b.failedClickId, b.partnerKey, b.customerKey];
      for (const id of [...otherIds, b.triggerId, b.approvedRewardId, ...objectIds]) {
        expect(shown.includes(id), `${name} shows the other company's ${id}`).toBe(false);
      }
    });
  });
}

describe("keys that are only unique within a company", () => {
  it("an Idempotency-Key another company used, even with the same body, is never replayed to us", async () => {
    const headers = { "idempotency-key": `shared-${a.n}` };
    const body = { name: "Same name", destination_url: "https://same.example/" };
    const first = await api(a.key, "POST", "/v1/groups", body, headers);
    expectStatus(first, 201);
    const second = await api(b.key, "POST", "/v1/groups", body, headers);
    expectStatus(second, 201);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect((await api(b.key, "GET", `/v1/groups/${second.body.id}`)).status).toBe(200);
    expect((await api(b.key, "GET", `/v1/groups/${first.body.id}`)).status).toBe(404);
  });

  it("the same partner key and customer key in two companies are two objects", async () => {
    const partnerKey = `same-${a.n}`;
    const created = [];
    for (const t of [a, b]) {
      const partner = await api(t.key, "POST", "/v1/partners", {
        email: `s${a.n}@example.com`,
        first_name: "S",
        last_name: "S",
        partner_key: partnerKey,
      });
      expectStatus(partner, 201);
      const customer = await api(t.key, "POST", "/v1/customers", {
        customer_key: partnerKey,
        email: `s${a.n}@example.com`,
        partner_key: partnerKey,
      });
      expectStatus(customer, 201);
      expect(customer.body.customer.partner_id).toBe(partner.body.id);
      created.push(partner.body.id, customer.body.customer.id);
    }
    expect(new Set(created).size).toBe(4);
  });
});
