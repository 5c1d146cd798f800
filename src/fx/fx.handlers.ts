import type { AdminHandler } from "../admin/context";
import { listBody } from "../admin/schemas";
import type * as routes from "./fx.routes";
import { type FxRate, listRates, setRate } from "./service";

function serializeRate(rate: FxRate) {
  return {
    object: "fx_rate" as const,
    currency: rate.currency,
    usd_per_unit: rate.usdPerUnit,
    minor_unit_digits: rate.minorUnitDigits,
    as_of: rate.asOf,
    source: rate.source,
  };
}

export const list: AdminHandler<typeof routes.list> = async (c) => {
  return c.json(listBody((await listRates(c.env, c.get("caller").companyId)).map(serializeRate)), 200);
};

export const set: AdminHandler<typeof routes.set> = async (c) => {
  const rate = await setRate(c.env, c.get("caller").companyId, {
    currency: c.req.valid("param").currency,
    ...c.req.valid("json"),
  });
  return c.json(serializeRate(rate), 200);
};
