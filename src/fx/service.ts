// Exchange rates to USD. Defaults (company_id '') ship with the migrations, dated; a company can
// override any currency. Amounts are converted once, when a transaction is recorded.
import { and, asc, eq, inArray } from "drizzle-orm";
import { database } from "../db/client";
import { fxRates } from "../db/schema";
import type { StorageEnv as Stores } from "../env";

export const DEFAULTS = "";

export interface FxRate {
  currency: string;
  usdPerUnit: number;
  minorUnitDigits: number;
  asOf: string;
  source: "default" | "company";
}

export async function effectiveRate(env: Stores, companyId: string, currency: string): Promise<FxRate | null> {
  const rows = await database(env.DB)
    .select()
    .from(fxRates)
    .where(and(inArray(fxRates.companyId, [companyId, DEFAULTS]), eq(fxRates.currency, currency)));
  const row = rows.find((r) => r.companyId === companyId) ?? rows.find((r) => r.companyId === DEFAULTS);
  return row ? toRate(row) : null;
}

export async function listRates(env: Stores, companyId: string): Promise<FxRate[]> {
  const rows = await database(env.DB)
    .select()
    .from(fxRates)
    .where(inArray(fxRates.companyId, [companyId, DEFAULTS]))
    .orderBy(asc(fxRates.currency));
  const byCurrency = new Map<string, FxRate>();
  for (const row of rows) {
    if (row.companyId === companyId || !byCurrency.has(row.currency)) byCurrency.set(row.currency, toRate(row));
  }
  return [...byCurrency.values()];
}

/** The company's rates and the defaults, for a caller that batches the read with others (one round trip). */
export function ratesStatement(db: D1Database, companyId: string) {
  return db.prepare("SELECT * FROM fx_rates WHERE company_id IN (?1, '')").bind(companyId);
}

/** The rows of `ratesStatement` by currency, a company's own rate before the default. */
export function ratesFromRows(rows: Record<string, unknown>[], companyId: string): Map<string, FxRate> {
  const rates = new Map<string, FxRate>();
  for (const row of rows) {
    const currency = row.currency as string;
    if (rates.has(currency) && row.company_id !== companyId) continue;
    rates.set(currency, {
      currency,
      usdPerUnit: row.usd_per_unit as number,
      minorUnitDigits: row.minor_unit_digits as number,
      asOf: row.as_of as string,
      source: row.company_id === DEFAULTS ? "default" : "company",
    });
  }
  return rates;
}

/** A company's rate for a currency, as validated by the API's SetFxRate schema and currency path parameter. */
export interface RateInput {
  currency: string;
  usdPerUnit: number;
  minorUnitDigits?: number;
  asOf?: string;
}

export async function setRate(env: Stores, companyId: string, input: RateInput): Promise<FxRate> {
  const current = await effectiveRate(env, companyId, input.currency);
  const row = {
    companyId,
    currency: input.currency,
    usdPerUnit: input.usdPerUnit,
    minorUnitDigits: input.minorUnitDigits ?? current?.minorUnitDigits ?? 2,
    asOf: input.asOf ?? new Date().toISOString().slice(0, 10),
    updatedAt: Date.now(),
  };
  await database(env.DB)
    .insert(fxRates)
    .values(row)
    .onConflictDoUpdate({ target: [fxRates.companyId, fxRates.currency], set: row });
  return toRate(row);
}

/** Minor units of `rate.currency` → US cents, rounded half away from zero (refunds mirror sales). */
export function toUsdCents(amountMinor: number, rate: Pick<FxRate, "usdPerUnit" | "minorUnitDigits">): number {
  const cents = amountMinor * rate.usdPerUnit * 10 ** (2 - rate.minorUnitDigits);
  return Math.sign(cents) * Math.round(Math.abs(cents) + 1e-9);
}

function toRate(row: typeof fxRates.$inferSelect): FxRate {
  return {
    currency: row.currency,
    usdPerUnit: row.usdPerUnit,
    minorUnitDigits: row.minorUnitDigits,
    asOf: row.asOf,
    source: row.companyId === DEFAULTS ? "default" : "company",
  };
}
