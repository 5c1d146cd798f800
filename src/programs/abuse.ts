// What keeps the program pages' application and join forms from being abused (README, "Limits"):
// rate limits per client IP and per company (Workers Rate Limiting bindings, wrangler.toml), and
// a honeypot field that people never see or reach but form-filling bots fill in.
import type { Context } from "hono";
import type { AdminContext } from "../admin/context";
import type { FormValues } from "../web/forms";

/** The honeypot's name: a hyphen, so it can never be a form field's key (`a-z0-9_`). */
export const HONEYPOT_FIELD = "home-page";

/** Whether a bot filled the honeypot: such a form is answered as if it went through, and nothing is written. */
export function honeypotFilled(values: FormValues): boolean {
  const value = values[HONEYPOT_FIELD];
  return value !== undefined && [value].flat().some((text) => text.trim() !== "");
}

/**
 * Counts a form sent from this client IP; false when the IP is over its limit. Checked before any
 * storage read. Requests without `CF-Connecting-IP` (only possible locally) are not counted.
 */
export async function withinIpLimit(c: Context<AdminContext>): Promise<boolean> {
  const clientIp = c.req.header("cf-connecting-ip");
  if (!clientIp) return true;
  return (await c.env.APPLY_IP_LIMITER.limit({ key: clientIp })).success;
}

/** Counts a form sent to this company, from anyone; false when the company is over its limit. */
export async function withinCompanyLimit(c: Context<AdminContext>, companyId: string): Promise<boolean> {
  return (await c.env.APPLY_COMPANY_LIMITER.limit({ key: companyId })).success;
}
