import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, listOf, security } from "../admin/schemas";
import { MAX_MINOR_UNIT_DIGITS, MAX_USD_PER_UNIT } from "../ingest/limits";
import { currencyCode } from "../lib/validation";
import type { RateInput } from "./service";

const tags = ["FX rates"];
const rateExample = {
  object: "fx_rate",
  currency: "EUR",
  usd_per_unit: 1.08,
  minor_unit_digits: 2,
  as_of: "2026-11-01",
  source: "default",
} as const;

export const FxRateSchema = z
  .object({
    object: z.literal("fx_rate"),
    currency: z.string(),
    usd_per_unit: z.number().openapi({ description: "US dollars for one major unit" }),
    minor_unit_digits: z.number().int().openapi({ description: "2 for EUR (cents), 0 for JPY, 3 for KWD" }),
    as_of: z.string().openapi({ description: "The date the rate is from" }),
    source: z.enum(["default", "company"]),
  })
  .openapi("FxRate", { example: rateExample });

const CurrencyParam = z.object({
  currency: currencyCode.openapi({ param: { name: "currency", in: "path" }, example: "EUR" }),
});

export const SetRateBody = z
  .object({
    usd_per_unit: z
      .number()
      .positive()
      .max(MAX_USD_PER_UNIT)
      .openapi({ description: `US dollars for one major unit: more than 0, at most ${MAX_USD_PER_UNIT}` }),
    minor_unit_digits: z.number().int().min(0).max(MAX_MINOR_UNIT_DIGITS).optional(),
    as_of: z.iso.date().optional(),
  })
  .strict()
  .openapi("SetFxRate", { example: { usd_per_unit: 1.09, as_of: "2026-11-25" } })
  .transform(
    (body): Omit<RateInput, "currency"> => ({
      usdPerUnit: body.usd_per_unit,
      minorUnitDigits: body.minor_unit_digits,
      asOf: body.as_of,
    }),
  );

export const list = createRoute({
  method: "get",
  operationId: "listFxRates",
  path: "/v1/fx-rates",
  tags,
  security,
  summary: "Exchange rates used to convert transactions to USD",
  responses: {
    200: jsonResponse(listOf(FxRateSchema, "FxRate", rateExample), "The defaults, with your overrides"),
    ...errorResponses,
  },
});

export const set = createRoute({
  method: "put",
  operationId: "setFxRate",
  path: "/v1/fx-rates/{currency}",
  tags,
  security,
  summary: "Set your company's rate for a currency (applies to transactions recorded from now on)",
  request: { params: CurrencyParam, body: jsonBody(SetRateBody) },
  responses: { 200: jsonResponse(FxRateSchema, "The rate now in effect"), ...errorResponses },
});
