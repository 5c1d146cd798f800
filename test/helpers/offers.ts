// Offers and rewards in tests: the product article's two examples as trigger bodies.

/** "Partner signs up a new customer and earns $1". */
export const SIGNUP_DOLLAR = { event: "signup", reward: { type: "flat", amount: 100, currency: "USD" } };

/** "Partner sells {product_key} to their customer and earns 20% of the sale" (12 months, $500 per customer). */
export const PRO_PLAN_20 = {
  event: "transaction",
  conditions: { product_key: { eq: "pro_plan" }, within_months_of_signup: 12 },
  reward: { type: "percent", percent: 20, max_per_customer_usd_cents: 50000 },
};
