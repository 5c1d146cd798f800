// Property: on every write route, any body is answered with a 2xx or a 4xx problem — never a
// 5xx — and a 4xx writes nothing: every row of every D1 table and every KV entry is unchanged
// (so a PATCH that applied half of a refused body, or a published record, would be caught).
// 422s name the offending fields. For speed, each request costs one D1 snapshot (the one after it is
// the next one's before) and KV is read again only after a request wrote to it (see storageTracker);
// the control test at the end shows that writes to rows and to KV are caught that way.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import adminWorker from "../../workers/admin";
import {
  type ApiResult,
  api,
  apiVia,
  bodyOf,
  expectStatus,
  isProblem,
  kvSnapshot,
  newTenant,
  type StorageSnapshot,
  storageSnapshot,
  tableSnapshot,
} from "../helpers/admin";
import { recordClick } from "../helpers/clicks";

const validTransaction = {
  key: "inv_1",
  customer_key: "acct_1",
  amount: 4500,
  currency: "EUR",
  product_key: "pro",
  category_key: "plans",
  created_at: "2026-01-02T03:04:05.000Z",
};

const validOffer = {
  name: "O",
  description: "D",
  active: true,
  hold_days: 7,
  triggers: [
    { event: "signup", reward: { type: "flat", amount: 100, currency: "USD" } },
    {
      event: "transaction",
      conditions: { product_key: { in: ["pro"] }, min_amount_usd_cents: 100, within_months_of_signup: 3 },
      reward: { type: "percent", percent: 12.5, max_per_transaction_usd_cents: 1000, max_per_customer_usd_cents: 5000 },
    },
  ],
};

async function populated() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const link = bodyOf(
    await api(t.key, "POST", `/v1/groups/${group.id}/links`, {
      title: "P",
      destination_url: "https://acme.example/p",
      link_text: "p",
    }),
    201,
  );
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", { email: "p@example.com", first_name: "P", last_name: "Q" }),
    201,
  );
  expectStatus(await api(t.key, "PATCH", `/v1/groups/${group.id}/forms/deal`, { enabled: true }), 200);
  // An hour-old click and the customer it converted, for the ingest routes.
  const xid = await recordClick(
    { companyId: t.companyId, groupId: partner.group_id, partnerId: partner.id },
    Date.now() - 3_600_000,
  );
  const conversion = await api(t.key, "POST", "/v1/conversions", {
    xid,
    customer_key: "acct_1",
    email: "buyer@example.com",
  });
  expectStatus(conversion, 201);
  // The valid transaction body below is then a replay, and any valid variation of it a 409.
  const transaction = await api(t.key, "POST", "/v1/transactions", validTransaction);
  expectStatus(transaction, 201);
  const offer = bodyOf(await api(t.key, "POST", `/v1/groups/${group.id}/offers`, validOffer), 201);
  const bonus = { amount: 100, currency: "USD", reason: "B" };
  const reward = bodyOf(await api(t.key, "POST", `/v1/partners/${partner.id}/rewards`, bonus), 201);
  return { ...t, group, link, partner, xid, offer, reward };
}
type Tenant = Awaited<ReturnType<typeof populated>>;

interface WriteRoute {
  name: string;
  method: string;
  path: (t: Tenant) => string;
  /** Other paths to try the bodies on (bad path parameters), besides `path`. */
  badPaths?: string[];
  valid: (t: Tenant) => Record<string, unknown>;
}

// Each write route with a valid body; the arbitraries below break it in every way they can.
const writeRoutes: WriteRoute[] = [
  {
    name: "POST /v1/groups",
    method: "POST",
    path: () => "/v1/groups",
    valid: () => ({
      name: "G",
      destination_url: "https://acme.example/",
      utm: { utm_source: "x" },
      custom_params: { ref: "y" },
    }),
  },
  {
    name: "PATCH /v1/groups/{id}",
    method: "PATCH",
    path: (t) => `/v1/groups/${t.group.id}`,
    valid: () => ({
      name: "G2",
      terms_url: "https://acme.com/t",
      referral_links_enabled: true,
      features: { lead_submission: true },
    }),
  },
  {
    name: "POST /v1/groups/{id}/links",
    method: "POST",
    path: (t) => `/v1/groups/${t.group.id}/links`,
    valid: () => ({ title: "T", destination_url: "https://acme.example/x", link_text: "x", lock_utms: true }),
  },
  {
    name: "PATCH /v1/links/{id}",
    method: "PATCH",
    path: (t) => `/v1/links/${t.link.id}`,
    valid: () => ({
      title: "T",
      description: "D",
      destination_url: "https://acme.example/y",
      utm: { utm_medium: "m" },
    }),
  },
  {
    name: "POST /v1/partners",
    method: "POST",
    path: () => "/v1/partners",
    valid: () => ({ email: "n@example.com", first_name: "N", last_name: "M", partner_key: "nm" }),
  },
  {
    name: "PATCH /v1/partners/{id}",
    method: "PATCH",
    path: (t) => `/v1/partners/${t.partner.id}`,
    valid: () => ({ first_name: "Z", status: "active" }),
  },
  {
    name: "PATCH /v1/company",
    method: "PATCH",
    path: () => "/v1/company",
    valid: () => ({
      name: "C",
      fallback_url: "https://acme.example/f",
      attribution_window_days: 30,
      click_id_param: "xid",
    }),
  },
  {
    name: "POST /v1/link-domains",
    method: "POST",
    path: () => "/v1/link-domains",
    valid: (t) => ({ hostname: `go.${t.hostname.split(".")[0]}.acme-example.com`, cookie_domain: "acme-example.com" }),
  },
  { name: "POST /v1/api-keys", method: "POST", path: () => "/v1/api-keys", valid: () => ({ name: "K" }) },
  {
    name: "POST /v1/conversions",
    method: "POST",
    path: () => "/v1/conversions",
    valid: (t) => ({ xid: t.xid, customer_key: "acct_1", email: "buyer@example.com", name: "Ada Buyer" }),
  },
  {
    name: "POST /v1/customers",
    method: "POST",
    path: () => "/v1/customers",
    valid: (t) => ({ customer_key: "acct_2", email: "c@example.com", partner_key: t.partner.partner_key, name: "C" }),
  },
  {
    name: "POST /v1/transactions",
    method: "POST",
    path: () => "/v1/transactions",
    valid: () => validTransaction,
  },
  {
    name: "POST /v1/groups/{id}/offers",
    method: "POST",
    path: (t) => `/v1/groups/${t.group.id}/offers`,
    valid: () => validOffer,
  },
  {
    name: "PATCH /v1/offers/{id}",
    method: "PATCH",
    path: (t) => `/v1/offers/${t.offer.id}`,
    valid: () => ({ ...validOffer, name: "O2", active: false }),
  },
  {
    name: "POST /v1/partners/{id}/rewards",
    method: "POST",
    path: (t) => `/v1/partners/${t.partner.id}/rewards`,
    valid: () => ({ amount: 500, currency: "EUR", reason: "Bonus", hold_days: 3 }),
  },
  {
    name: "PATCH /v1/rewards/{id}",
    method: "PATCH",
    path: (t) => `/v1/rewards/${t.reward.id}`,
    valid: () => ({ status: "approved", reason: "ok" }),
  },
  {
    name: "POST /v1/rewards/payouts",
    method: "POST",
    path: () => "/v1/rewards/payouts",
    valid: (t) => ({ reward_ids: [t.reward.id], payout_reference: "PAY-1" }),
  },
  {
    name: "POST /v1/groups/{id}/offers/simulate",
    method: "POST",
    path: (t) => `/v1/groups/${t.group.id}/offers/simulate`,
    valid: () => ({ from: "2026-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z", offer: validOffer }),
  },
  {
    name: "PATCH /v1/groups/{id}/social-content",
    method: "PATCH",
    path: (t) => `/v1/groups/${t.group.id}/social-content`,
    valid: () => ({
      twitter: { message: "Try {company_name}: {link}" },
      linkedin: { title: "{group_name}", message: "Join me: {link}" },
      email: { subject: "{partner_first_name} recommends {company_name}", body: "{link}" },
    }),
  },
  {
    name: "POST /v1/groups/{id}/social-content/preview",
    method: "POST",
    path: (t) => `/v1/groups/${t.group.id}/social-content/preview`,
    valid: (t) => ({ partner_id: t.partner.id, twitter: { message: "{partner_first_name}: {link}" } }),
  },
  {
    name: "PUT /v1/fx-rates/{currency}",
    method: "PUT",
    path: () => "/v1/fx-rates/EUR",
    badPaths: [
      "/v1/fx-rates/eur",
      "/v1/fx-rates/EURO",
      "/v1/fx-rates/E",
      "/v1/fx-rates/%20EU",
      "/v1/fx-rates/%C3%84UR",
      "/v1/fx-rates/",
    ],
    valid: () => ({ usd_per_unit: 1.09, minor_unit_digits: 2, as_of: "2026-11-25" }),
  },
  {
    name: "PATCH /v1/groups/{id}/forms/{kind}",
    method: "PATCH",
    path: (t) => `/v1/groups/${t.group.id}/forms/lead`,
    badPaths: ["/v1/groups/grp_nope/forms/lead", "/v1/groups/x/forms/survey", "/v1/groups/x/forms/"],
    valid: () => ({
      title: "T",
      description: "D",
      enabled: true,
      fields: [
        { key: "size", label: "Size", type: "select", options: ["s", "m"], required: true },
        { label: "Notes", type: "textarea" },
      ],
    }),
  },
  {
    name: "POST /v1/applications",
    method: "POST",
    path: () => "/v1/applications",
    valid: (t) => ({ group_id: t.group.id, values: { first_name: "A", last_name: "B", email: "a@example.com" } }),
  },
  {
    name: "POST /v1/deals",
    method: "POST",
    path: () => "/v1/deals",
    valid: (t) => ({
      partner_id: t.partner.id,
      values: { company_name: "C", contact_name: "N", contact_email: "c@example.com", deal_value: 10 },
    }),
  },
];

// Near misses of the ingest and fx fields: dates, amounts, currencies, keys, ids.
const nearMisses = fc.constantFrom(
  "2026-11-25T08:00:00Z",
  "2026-11-25",
  "2026-02-30",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "2026-11-25T08:00:00+14:00",
  "eur",
  "EURO",
  "XXX",
  "USD",
  "JPY",
  "acct_1",
  "acct_2",
  "inv_1",
  "nm",
  "p-q",
  "buyer@example.com",
  "\ud800",
  "01jd3k5qv0r8t2x7m9c4b6n1pz",
);
const numbers = fc.constantFrom(
  0,
  -0,
  1e12,
  -1e12,
  1e12 + 1,
  Number.MAX_SAFE_INTEGER,
  1e300,
  1e-300,
  -1,
  0.5,
  4500,
  4501,
  Number.MIN_VALUE,
);

const nasty = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom(
    "",
    " ",
    "javascript:alert(1)",
    "http://",
    "https://",
    "\u0000",
    "a".repeat(5000),
    "--",
    "💥",
    "https://10.0.0.1/",
    "{partner_key}",
  ),
  nearMisses,
  numbers,
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

/** A value of the same JSON type as `value`: well-formed, but likely wrong for the service. */
function sameType(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === "string")
    return fc.oneof(
      fc.string({ maxLength: 30 }),
      nearMisses.filter((v) => typeof v === "string"),
    );
  if (typeof value === "number") return fc.oneof(fc.integer(), fc.double({ noNaN: true }), numbers);
  if (typeof value === "boolean") return fc.boolean();
  return fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), { maxKeys: 2 });
}

/**
 * A valid body with one or two values changed to others of the same type: it passes the schema
 * more often, so the service's own refusals (unknown references, conflicts, reused keys) are hit.
 */
function nudged(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc
    .uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: Math.min(2, keys.length) })
    .chain((changed) => fc.tuple(...changed.map((key) => sameType(valid[key]).map((value) => [key, value] as const))))
    .map((changes) => ({ ...valid, ...Object.fromEntries(changes) }));
}

/** LINKS_KV as the admin worker is handed it: every call other than a read is noted in `writes`. */
function kvNotingWrites(kv: KVNamespace, writes: string[]): KVNamespace {
  const reads = new Set<PropertyKey>(["get", "getWithMetadata", "list"]);
  return new Proxy(kv, {
    get(target, name) {
      const member: unknown = Reflect.get(target, name, target);
      if (typeof member !== "function") return member;
      return (...args: unknown[]) => {
        if (!reads.has(name)) writes.push(`${String(name)} ${String(args[0])}`);
        return member.apply(target, args);
      };
    },
  });
}

/**
 * Sends admin requests one after another and gives, with each result, storage before and after it.
 * The snapshot after a request is the one before the next (nothing else writes in between here), so
 * a request costs one D1 snapshot, not two. KV (the slow part: a bulk get per 100 keys) is read again
 * only after the request put or deleted something through its LINKS_KV binding — the only way the
 * admin worker reaches KV (src/ takes every binding from the env it is handed); `expectNoStrayWrite`
 * checks that assumption at the end with a full read.
 */
function storageTracker(key: string) {
  const kvWrites: string[] = [];
  const send = apiVia(adminWorker.fetch, { LINKS_KV: kvNotingWrites(env.LINKS_KV, kvWrites) });
  let latest: StorageSnapshot | undefined;
  return {
    async send(method: string, path: string, body: unknown) {
      const before = latest ?? (await storageSnapshot());
      // Forgotten until the request is done: should it throw, the next request takes a fresh snapshot.
      latest = undefined;
      kvWrites.length = 0;
      const result = await send(key, method, path, body);
      const [rows, kv] = await Promise.all([tableSnapshot(), kvWrites.length > 0 ? kvSnapshot() : before.kv]);
      latest = { rows, kv };
      return { result, before, after: latest, kvWrites: [...kvWrites] };
    },
    /** Storage is as the last request left it: no write went around the tracker (e.g. around the KV proxy). */
    async expectNoStrayWrite() {
      if (latest) expect(await storageSnapshot(), "a write the tracker did not see").toEqual(latest);
    },
  };
}

const rawBodies = fc.oneof(fc.json(), fc.string(), fc.constantFrom("{", "[]", "null", '"text"', '{"name":', "\u0000"));

describe("bad input on every write route", () => {
  for (const route of writeRoutes) {
    it(`${route.name}: never a 5xx; a 4xx is a problem and writes nothing`, async () => {
      const t = await populated();
      const valid = route.valid(t);
      const body = fc.oneof(
        mutated(valid),
        nudged(valid),
        nudged(valid),
        nasty,
        rawBodies.map((raw) => ({ __raw: raw })),
      );
      const path = route.badPaths
        ? fc.oneof(fc.constant(route.path(t)), fc.constantFrom(...route.badPaths))
        : fc.constant(route.path(t));
      const tracker = storageTracker(t.key);
      await fc.assert(
        fc.asyncProperty(body, path, async (input, path) => {
          const body =
            input && typeof input === "object" && "__raw" in input
              ? String((input as { __raw: unknown }).__raw)
              : (input ?? null);
          const label = `${route.method} ${path} ${JSON.stringify(body)}`;
          const { result: r, before, after } = await tracker.send(route.method, path, body === null ? "null" : body);
          expect(r.status, label).toBeLessThan(500);
          if (isProblem(r)) {
            expect(r.headers.get("content-type"), label).toBe("application/problem+json");
            expect(r.body.status, label).toBe(r.status);
            if (r.status === 422 && r.body.type === "urn:edgeref:problem:validation-failed") {
              expect(r.body.errors?.length, label).toBeGreaterThan(0);
              for (const error of r.body.errors ?? []) expect(typeof error.field, label).toBe("string");
            }
            expect(after.rows, label).toEqual(before.rows);
            expect(after.kv, label).toEqual(before.kv);
          }
        }),
        { numRuns: 60 },
      );
      await tracker.expectNoStrayWrite();
    });
  }

  it("the valid bodies are accepted (so the refusals above come from the breakage)", async () => {
    const t = await populated();
    for (const route of writeRoutes) {
      const r = await api(t.key, route.method, route.path(t), route.valid(t));
      expect(r.status, `${route.name} ${JSON.stringify(r.body)}`).toBeLessThan(300);
    }
  });

  it("control: the tracker catches a request that writes rows or KV, and a write around it", async () => {
    const t = await populated();
    const tracker = storageTracker(t.key);
    const expectNoWrite = ({ before, after }: { before: StorageSnapshot; after: StorageSnapshot }) => {
      expect(after.rows).toEqual(before.rows);
      expect(after.kv).toEqual(before.kv);
    };
    const status = ({ result }: { result: ApiResult }) => result.status;

    const refused = await tracker.send("POST", "/v1/groups", { name: 5 });
    expect(status(refused)).toBe(422);
    expectNoWrite(refused);

    // New rows (with the companies.slugs_version a trigger bumps) and published KV entries.
    const created = await tracker.send("POST", "/v1/partners", {
      email: "c@example.com",
      first_name: "C",
      last_name: "D",
    });
    expect(status(created)).toBe(201);
    expect(created.after.rows.partners!.length).toBe(created.before.rows.partners!.length + 1);
    expect(created.kvWrites.length).toBeGreaterThan(0);
    expect(created.after.kv).not.toEqual(created.before.kv);

    // One column of one existing row, nothing else.
    const renamed = await tracker.send("PATCH", "/v1/company", { name: "Renamed" });
    expect(status(renamed)).toBe(200);
    expect(renamed.after.rows).not.toEqual(renamed.before.rows);
    expect(renamed.before).toBe(created.after);

    // After writes, the baseline is the written state: a refusal next compares against it.
    const refusedAgain = await tracker.send("PATCH", "/v1/company", { name: "" });
    expect(status(refusedAgain)).toBe(422);
    expect(refusedAgain.before).toBe(renamed.after);
    expectNoWrite(refusedAgain);

    // A KV write the proxy does not see is still caught, by the full read at the end.
    await env.LINKS_KV.put("control:stray", "x");
    await expect(tracker.expectNoStrayWrite()).rejects.toThrow("a write the tracker did not see");
  });
});
