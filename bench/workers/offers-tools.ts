// Bench-only: the cost of offers at ingest. Two groups of one company, one with 20 active triggers
// (signup and sale triggers, percentages and flat amounts, product, category and amount
// conditions, first sale only, caps per sale and per customer, a flat reward in another currency)
// and one with none; transactions go through the real ingest service (`recordTransaction`), so
// each writes its rewards in its own batch exactly as in production.
import { createCompany } from "../../src/companies/service";
import type { Env } from "../../src/env";
import { createGroup } from "../../src/groups/service";
import { createCustomer, recordTransaction } from "../../src/ingest/service";
import type { TriggerInput } from "../../src/offers/model";
import { createOffer } from "../../src/offers/service";
import { createPartner } from "../../src/partners/service";

const CUSTOMERS = 200;
const PRODUCTS = ["pro_plan", "team_plan", "starter", "addon_a", "addon_b"];
const CATEGORIES = ["software", "services"];

let program: { companyId: string; customers: { with: string[]; without: string[] } } | undefined;
let sequence = 0;

/** 20 triggers in 4 offers; a sale matches about half of the sale triggers. */
function offers(): TriggerInput[][] {
  const sale = (conditions: TriggerInput["conditions"], reward: TriggerInput["reward"]): TriggerInput => ({
    event: "transaction",
    conditions,
    reward,
  });
  const pct = (percentBp: number, caps: { perSale?: number; perCustomer?: number } = {}) => ({
    type: "percent" as const,
    percentBp,
    maxPerTransactionUsdCents: caps.perSale,
    maxPerCustomerUsdCents: caps.perCustomer,
  });
  const flat = (amount: number, currency = "USD", perCustomer?: number) => ({
    type: "flat" as const,
    amount,
    currency,
    maxPerCustomerUsdCents: perCustomer,
  });
  return [
    [
      { event: "signup", conditions: {}, reward: flat(100) },
      sale({ productKey: { eq: "pro_plan" }, withinMonthsOfSignup: 12 }, pct(2000, { perCustomer: 50_000 })),
      sale({ productKey: { eq: "team_plan" } }, pct(1000)),
      sale({ firstTransactionOnly: true }, flat(5000)),
      sale({ categoryKey: { eq: "software" }, minAmountUsdCents: 2000 }, pct(500, { perSale: 1000 })),
    ],
    [
      sale({ productKey: { in: ["addon_a", "addon_b"] } }, flat(500, "EUR")),
      sale({}, pct(100)),
      sale({ minAmountUsdCents: 5000 }, flat(200, "USD", 2000)),
      sale({ categoryKey: { in: ["software", "services"] } }, pct(250, { perCustomer: 10_000 })),
      sale({ withinMonthsOfSignup: 1 }, pct(300)),
    ],
    [
      sale({ productKey: { eq: "starter" } }, flat(150)),
      sale({ productKey: { in: ["pro_plan", "team_plan"] }, categoryKey: { eq: "software" } }, pct(750)),
      sale({ minAmountUsdCents: 1_000_000 }, flat(10_000)),
      sale({ categoryKey: { eq: "services" } }, pct(1500, { perSale: 2500 })),
      sale({ productKey: { eq: "enterprise" } }, pct(3000)),
    ],
    [
      sale({}, flat(25, "USD", 500)),
      sale({ productKey: { in: ["pro_plan", "starter", "addon_a"] } }, pct(50)),
      sale({ firstTransactionOnly: true, productKey: { eq: "pro_plan" } }, pct(5000, { perSale: 20_000 })),
      sale({ minAmountUsdCents: 3000, withinMonthsOfSignup: 6 }, pct(200, { perCustomer: 5_000 })),
      sale({ categoryKey: { eq: "hardware" } }, flat(1000)),
    ],
  ];
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/migrate") {
      for (const statement of (await request.json()) as string[]) await env.DB.prepare(statement).run();
      return Response.json({ ok: true });
    }
    if (url.pathname === "/setup") {
      const company = await createCompany(env, { name: "Offers bench", plan: "enterprise" });
      const customers = { with: [] as string[], without: [] as string[] };
      for (const kind of ["without", "with"] as const) {
        const group = await createGroup(env, company.id, { name: kind, destinationUrl: "https://acme.example/" });
        if (kind === "with") {
          for (const [i, triggers] of offers().entries())
            await createOffer(env, company.id, group.id, { name: `Offer ${i}`, triggers }, "bench");
        }
        const partner = await createPartner(env, company.id, {
          email: `${kind}@example.com`,
          firstName: "P",
          lastName: kind,
          groupId: group.id,
        });
        for (let c = 0; c < CUSTOMERS; c++) {
          const customerKey = `${kind}-${c}`;
          await createCustomer(env, company.id, {
            customerKey,
            email: `${customerKey}@example.com`,
            partnerKey: partner.partnerKey,
          });
          customers[kind].push(customerKey);
        }
      }
      program = { companyId: company.id, customers };
      return Response.json({ ok: true });
    }
    if (url.pathname === "/ingest") {
      const p = program!;
      const kind = url.searchParams.get("group") === "with" ? "with" : "without";
      const count = Number(url.searchParams.get("transactions") ?? 200);
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const n = sequence++;
        const refund = n % 10 === 9;
        await recordTransaction(env, p.companyId, {
          key: `t-${kind}-${n}`,
          customerKey: p.customers[kind][n % CUSTOMERS]!,
          amount: refund ? -1000 : 1000 + (n % 7) * 1500,
          currency: n % 5 === 0 ? "EUR" : "USD",
          productKey: refund ? null : PRODUCTS[n % PRODUCTS.length]!,
          categoryKey: refund ? null : CATEGORIES[n % CATEGORIES.length]!,
        });
      }
      const ms = performance.now() - started;
      const rewards = await env.DB.prepare("SELECT count(*) AS n FROM rewards").first<{ n: number }>();
      return Response.json({ transactions: count, ms, rewards: rewards!.n });
    }
    return new Response("not found", { status: 404 });
  },
};
