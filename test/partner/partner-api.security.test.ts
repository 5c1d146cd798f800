// Security of the partner API (`/partner/v1`), route by route, in the style of
// test/admin/api.security.test.ts. Every partner operation in /openapi.json has an entry below, and
// for each one:
//   - no credential → 401 api-key-missing; a revoked one → 401 partner-credential-revoked; the
//     company's own API key → 401 partner-credential-invalid (the partner API never acts for it);
//   - another partner's credential, of the same company or of another, with our ids in the path →
//     404 not-found: a partner never reads or changes another partner's submissions;
//   - a body that is not JSON → 400 (415 when not declared as JSON);
//   - ids of another partner or company in the body or query → the 4xx in the table;
// and none of these writes anything (every D1 row compared before/after), none is a 5xx. Finally our
// own call succeeds, leaves the other partner and the other company exactly as they were, and shows
// none of their ids.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ApiResult,
  api,
  bodyOf,
  expectStatus,
  newTenant,
  type ProblemStatus,
  tableSnapshot,
} from "../helpers/admin";
import { clientIp, companySnapshot } from "../helpers/tenancy";

/** A company whose group takes leads and deals. */
async function company(name: string) {
  const t = await newTenant("enterprise", name);
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://shop.example/" }),
    201,
  );
  for (const kind of ["lead", "deal"] as const)
    expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/${kind}`, { enabled: true }), 200);
  return { ...t, group };
}
type Company = Awaited<ReturnType<typeof company>>;

/** A partner of `c` with a credential, one lead and one deal; `ids` fills the path parameters. */
async function partnerOf(c: Company) {
  const n = crypto.randomUUID().slice(0, 8);
  const partner = bodyOf(
    await api(c.key, "POST", "/v1/partners", { email: `p${n}@example.com`, first_name: "P", last_name: n }),
    201,
  );
  const credential = bodyOf(await api(c.key, "POST", `/v1/partners/${partner.id}/credentials`, { name: "p" }), 201);
  const secret = credential.secret!;
  const values = { company_name: `Co ${n}`, contact_name: "N", contact_email: `c${n}@example.com` };
  const lead = bodyOf(await api(secret, "POST", "/partner/v1/leads", { values }), 201);
  const deal = bodyOf(await api(secret, "POST", "/partner/v1/deals", { values }), 201);
  const stages = bodyOf(await api(secret, "GET", "/partner/v1/forms/deal"), 200).stages;
  return {
    company: c,
    n,
    partnerId: partner.id,
    credentialId: credential.id,
    secret,
    values,
    dealStageId: stages[1]!.id,
    ids: { lead_id: lead.id, deal_id: deal.id, kind: "deal" } as Record<string, string>,
  };
}
type Partner = Awaited<ReturnType<typeof partnerOf>>;

interface Refusal {
  query?: string;
  body?: unknown;
  status: ProblemStatus;
  field: string;
}

interface Operation {
  /** A valid body of our own (absent: the operation takes none). */
  body?: (own: Partner) => unknown;
  /** Requests naming another partner's objects in the body or query: each refused, nothing written. */
  refusals?: (own: Partner, other: Partner) => Refusal[];
}

// One entry per partner operation of /openapi.json.
const operations: Record<string, Operation> = {
  "GET /partner/v1/forms/{kind}": {},
  "POST /partner/v1/leads": { body: (own) => ({ values: own.values }) },
  "GET /partner/v1/leads": {
    refusals: (_, other) => [{ query: `starting_after=${other.ids.lead_id}`, status: 422, field: "starting_after" }],
  },
  "GET /partner/v1/leads/{lead_id}": {},
  "POST /partner/v1/deals": { body: (own) => ({ values: own.values }) },
  "GET /partner/v1/deals": {
    refusals: (_, other) => [{ query: `starting_after=${other.ids.deal_id}`, status: 422, field: "starting_after" }],
  },
  "GET /partner/v1/deals/{deal_id}": {},
  "PATCH /partner/v1/deals/{deal_id}": { body: () => ({ values: { notes: "Call back on Monday" } }) },
  "POST /partner/v1/deals/{deal_id}/move": {
    body: (own) => ({ stage_id: own.dealStageId }),
    // Stages belong to the group: another partner of the same group moves through the same ones.
    refusals: (own, other) =>
      other.company === own.company ? [] : [{ body: { stage_id: other.dealStageId }, status: 422, field: "stage_id" }],
  },
};

const OBJECT_PARAM = /\{(lead_id|deal_id)\}/;

function pathFor(name: string, partner: Partner, query?: string): string {
  const template = name.slice(name.indexOf(" ") + 1);
  const path = template.replace(/\{(\w+)\}/g, (_, param: string) => {
    const id = partner.ids[param];
    if (id === undefined) throw new Error(`${name}: no fixture id for {${param}}: add one to partnerOf().ids`);
    return id;
  });
  return query ? `${path}?${query}` : path;
}

function call(key: string | null, name: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return api(key, name.slice(0, name.indexOf(" ")), path, body, headers);
}

async function expectRefused(label: string, request: () => Promise<ApiResult>, status: ProblemStatus, type?: string) {
  const before = await tableSnapshot();
  const r = await request();
  expectStatus(r, status, label);
  expect(r.headers.get("content-type"), label).toBe("application/problem+json");
  if (type) expect(r.body.type, label).toBe(`urn:edgeref:problem:${type}`);
  expect(await tableSnapshot(), `${label} wrote something`).toEqual(before);
  return r;
}

/** Everything stored of one partner's submissions: the partner's leads, deals and their moves. */
async function partnerSubmissions(partnerId: string) {
  const rows = await env.DB.batch([
    env.DB.prepare("SELECT * FROM leads WHERE partner_id = ? ORDER BY id").bind(partnerId),
    env.DB.prepare("SELECT * FROM deals WHERE partner_id = ? ORDER BY id").bind(partnerId),
    env.DB.prepare(
      `SELECT * FROM stage_moves WHERE entry_id IN (SELECT id FROM leads WHERE partner_id = ?1
         UNION SELECT id FROM deals WHERE partner_id = ?1) ORDER BY id`,
    ).bind(partnerId),
  ]);
  return rows.map((r) => r.results);
}

let a: Company;
let b: Company;
/** Partners of A: `mine` is the one whose ids the attacks use; `sibling` another partner of A. */
let mine: Partner;
let sibling: Partner;
let stranger: Partner;
let revokedSecret: string;
let documented: Map<string, { hasBody: boolean }>;

beforeAll(async () => {
  [a, b] = [await company("A"), await company("B")];
  [mine, sibling, stranger] = [await partnerOf(a), await partnerOf(a), await partnerOf(b)];
  const revoked = bodyOf(await api(a.key, "POST", `/v1/partners/${mine.partnerId}/credentials`, { name: "old" }), 201);
  expectStatus(await api(a.key, "DELETE", `/v1/partners/${mine.partnerId}/credentials/${revoked.id}`), 200);
  revokedSecret = revoked.secret!;
  const doc = await api(null, "GET", "/openapi.json");
  documented = new Map(
    Object.entries(doc.body.paths as Record<string, Record<string, { requestBody?: unknown }>>)
      .filter(([path]) => path.startsWith("/partner/"))
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => [
          `${method.toUpperCase()} ${path}`,
          { hasBody: op.requestBody !== undefined },
        ]),
      ),
  );
});

describe("the table covers the partner operations of /openapi.json", () => {
  it("has an entry for every operation, and none for an operation that is gone", () => {
    expect(documented.size).toBeGreaterThan(0);
    for (const [name, { hasBody }] of documented) {
      expect(operations[name], `No security entry for \`${name}\`: add one to \`operations\``).toBeDefined();
      expect(operations[name]!.body !== undefined, `${name}: \`body\` exactly when it takes one`).toBe(hasBody);
    }
    for (const name of Object.keys(operations)) expect(documented.has(name), `${name} is gone`).toBe(true);
  });
});

for (const [name, operation] of Object.entries(operations)) {
  describe(name, () => {
    const body = (p: Partner) => operation.body?.(p);

    it("without a credential, with a revoked one, or with the company's API key: 401, nothing written", async () => {
      const path = pathFor(name, mine);
      const ip = { "cf-connecting-ip": clientIp() };
      await expectRefused(name, () => call(null, name, path, body(mine), ip), 401, "api-key-missing");
      await expectRefused(
        name,
        () => call(revokedSecret, name, path, body(mine), ip),
        401,
        "partner-credential-revoked",
      );
      await expectRefused(name, () => call(a.key, name, path, body(mine), ip), 401, "partner-credential-invalid");
    });

    if (OBJECT_PARAM.test(name)) {
      it("another partner, of the same company or another, with our ids: 404 not-found, nothing written", async () => {
        const path = pathFor(name, mine);
        for (const other of [sibling, stranger]) {
          const r = await expectRefused(
            `${name} as ${other.partnerId}`,
            () => call(other.secret, name, path, body(other)),
            404,
            "not-found",
          );
          expect(JSON.stringify(r.body)).not.toContain(mine.values.company_name);
        }
      });
    }

    if (operation.body) {
      it("a body that is not JSON: 400 bad-request (415 when not declared as JSON), nothing written", async () => {
        const path = pathFor(name, mine);
        for (const raw of ["{not json", '{"values":', ""]) {
          await expectRefused(
            `${name} ${JSON.stringify(raw)}`,
            () => call(mine.secret, name, path, raw),
            400,
            "bad-request",
          );
        }
        const textPlain = () =>
          call(mine.secret, name, path, JSON.stringify(body(mine)), { "content-type": "text/plain" });
        await expectRefused(`${name} as text/plain`, textPlain, 415);
      });
    }

    if (operation.refusals) {
      it("naming another partner's or company's objects in the body or query: refused on that field", async () => {
        for (const other of [sibling, stranger]) {
          for (const refusal of operation.refusals!(mine, other)) {
            const label = `${name} ${refusal.query ?? JSON.stringify(refusal.body)}`;
            const r = await expectRefused(
              label,
              () => call(mine.secret, name, pathFor(name, mine, refusal.query), refusal.body),
              refusal.status,
            );
            expect(
              r.body.errors?.map((e: { field: string }) => e.field),
              label,
            ).toEqual([refusal.field]);
          }
        }
      });
    }

    it("our own call succeeds and leaves other partners and companies as they were; shows none of theirs", async () => {
      // A fresh partner per operation: an earlier move or edit must not decide this one.
      const own = await partnerOf(a);
      const before = { sibling: await partnerSubmissions(sibling.partnerId), b: await companySnapshot(b.companyId) };
      const r = await call(own.secret, name, pathFor(name, own), body(own));
      const label = `${name}: ${JSON.stringify(r.body)}`;
      expect(r.status >= 200 && r.status < 300, label).toBe(true);
      expect(await partnerSubmissions(sibling.partnerId), `${name} changed another partner's`).toEqual(before.sibling);
      expect(await companySnapshot(b.companyId), `${name} changed the other company`).toEqual(before.b);
      const shown = JSON.stringify(r.body);
      for (const other of [sibling, stranger, mine]) {
        for (const id of [
          other.partnerId,
          other.ids.lead_id!,
          other.ids.deal_id!,
          other.values.company_name,
          other.secret,
        ])
          expect(shown.includes(id), `${name} shows another partner's ${id}`).toBe(false);
      }
      expect(shown.includes(b.companyId)).toBe(false);
    });
  });
}
