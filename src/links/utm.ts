// The API shows a link's parameters as `utm` (the five standard UTMs) plus `custom_params`;
// the database keeps one ordered list of [name, value] pairs (UTMs first, in the standard order).
import { z } from "@hono/zod-openapi";
import type { UtmParams } from "../db/schema";
import { isWellFormed } from "../lib/unicode";

export const UTM_NAMES = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

// Text that goes into URLs: a lone surrogate is refused here rather than mangled at the edge.
const paramValue = z.string().max(500).refine(isWellFormed, "must be valid Unicode text");

export const UtmInput = z
  .object(
    Object.fromEntries(UTM_NAMES.map((name) => [name, paramValue.optional()])) as Record<
      (typeof UTM_NAMES)[number],
      z.ZodOptional<typeof paramValue>
    >,
  )
  .strict()
  .openapi("Utm", {
    description: "Values may contain `{partner_key}`, replaced by the partner's key on every click.",
    example: { utm_source: "partner", utm_medium: "affiliate", utm_campaign: "{partner_key}" },
  });

export const CustomParamsInput = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9_.\-[\]]{1,50}$/, "parameter names use letters, digits and _ . - [ ]")
      .refine((name) => !name.toLowerCase().startsWith("utm_"), "put utm_* parameters in `utm`"),
    paramValue,
  )
  .refine((params) => Object.keys(params).length <= 15, "at most 15 custom parameters")
  .openapi("CustomParams", { example: { ref: "{partner_key}", via: "partners" } });

export function toUtmParams(
  utm: Partial<Record<string, string>> | undefined,
  custom: Record<string, string> | undefined,
): UtmParams {
  const pairs: UtmParams = [];
  for (const name of UTM_NAMES) {
    const value = utm?.[name];
    if (value !== undefined && value !== "") pairs.push([name, value]);
  }
  for (const [name, value] of Object.entries(custom ?? {})) pairs.push([name, value]);
  return pairs;
}

export function fromUtmParams(pairs: UtmParams) {
  const utm: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const [name, value] of pairs) ((UTM_NAMES as readonly string[]).includes(name) ? utm : custom)[name] = value;
  return { utm, custom_params: custom };
}
