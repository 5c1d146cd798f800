// Bounds on money, so that no company's input can overflow a 64-bit integer anywhere: not in a
// row, not in a running total, not in the rollup's SQLite `sum()` (which fails the whole statement
// on overflow). README, "Limits", gives the arithmetic.

/** |amount| of one transaction, in minor units of its currency (≈ 10 billion major units). */
export const MAX_AMOUNT_MINOR = 1e12;

/** A rate's US dollars per major unit (the dearest currency today is worth a few US dollars). */
export const MAX_USD_PER_UNIT = 100_000;

/** Digits of a currency's minor unit: 0 (JPY) to 4 (CLF). */
export const MAX_MINOR_UNIT_DIGITS = 4;

/** |US value| of one transaction, in US cents: $100 million. */
export const MAX_TRANSACTION_USD_CENTS = 1e10;

/** |customers.net_usd_cents|, a customer's running net, in US cents: $1 billion. */
export const MAX_CUSTOMER_NET_USD_CENTS = 1e11;

/** |groups.net_revenue_usd_cents|, a group's running net, in US cents: $100 billion. */
export const MAX_GROUP_NET_USD_CENTS = 1e13;

/** A transaction's `created_at`: from 2000-01-01 to one day ahead of now (clock skew, time zones). */
export const MIN_OCCURRED_AT = Date.UTC(2000, 0, 1);
export const MAX_OCCURRED_AHEAD_MS = 86_400_000;

/** An amount in US cents as dollars for messages: 1e10 → "$100,000,000", -12345 → "-$123.45". */
export function dollars(cents: number): string {
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+$)/g, ",");
  const rest = Math.round(abs % 100);
  return `${cents < 0 ? "-" : ""}$${whole}${rest === 0 ? "" : `.${String(rest).padStart(2, "0")}`}`;
}
