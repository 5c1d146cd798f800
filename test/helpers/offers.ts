// Offers and rewards in tests: the product article's two examples as trigger bodies, a program to earn in.
import { env } from "cloudflare:workers";
import { HOUR_MS } from "../../src/lib/time";
import { api, bodyOf, newTenant } from "./admin";
import { recordClick } from "./clicks";

/** "Partner signs up a new customer and earns $1". */
export const SIGNUP_DOLLAR = { event: "signup", reward: { type: "flat", amount: 100, currency: "USD" } };

/** "Partner sells {product_key} to their customer and earns 20% of the sale" (12 months, $500 per customer). */
export const PRO_PLAN_20 = {
  event: "transaction",
  conditions: { product_key: { eq: "pro_plan" }, within_months_of_signup: 12 },
  reward: { type: "percent", percent: 20, max_per_customer_usd_cents: 50000 },
};

/** A company with a group, a partner in it, and helpers to convert customers and post sales. */
export async function rewardProgram() {
  const t = await newTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Launch", destination_url: "https://acme.example/" }),
    201,
  );
  const n = crypto.randomUUID().slice(0, 6);
  const partner = bodyOf(
    await api(t.key, "POST", "/v1/partners", {
      email: `p${n}@example.com`,
      first_name: "Pat",
      last_name: n,
      group_id: group.id,
    }),
    201,
  );
  const offer = async (body: unknown) => bodyOf(await api(t.key, "POST", `/v1/groups/${group.id}/offers`, body), 201);
  /** A new customer converted from a click of `partner` an hour ago. */
  const convert = async (customerKey: string, who: { id: string; group_id: string } = partner) => {
    const xid = await recordClick(
      { companyId: t.companyId, groupId: who.group_id, partnerId: who.id },
      Date.now() - HOUR_MS,
    );
    return bodyOf(await api(t.key, "POST", "/v1/conversions", { xid, customer_key: customerKey }), 201).customer;
  };
  const sale = (key: string, customerKey: string, amount: number, extra: object = {}) =>
    api(t.key, "POST", "/v1/transactions", { key, customer_key: customerKey, amount, currency: "USD", ...extra });
  return { ...t, group, partner, offer, convert, sale };
}

type RewardRow = Record<string, unknown> & {
  id: string;
  amount: number;
  status: string;
  reversed_amount: number;
  amount_usd_cents: number;
  reversed_usd_cents: number;
};

/** The company's reward rows, in creation order. */
export async function rewardRows(companyId: string): Promise<RewardRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM rewards WHERE company_id = ? ORDER BY id")
    .bind(companyId)
    .all<RewardRow>();
  return results;
}
