// The offer model as the services use it (camelCase). The API's zod schemas (offers.routes.ts)
// validate requests and transform them into these types; the database stores triggers as JSON of
// these types (offer_versions.triggers). Imports nothing, so src/db/schema.ts can use it.

/** What can fire a trigger. Lead and deal events join when forms record them. */
export const OFFER_EVENTS = ["signup", "transaction"] as const;
export const REWARD_TYPES = ["flat", "percent"] as const;
export const REWARD_STATUSES = ["pending", "approved", "paid", "reversed"] as const;
export const REWARD_SOURCES = ["signup", "transaction", "manual"] as const;
/** How the customer was tied to the partner: a click (`xid`), a partner key, or (later) a deal. */
export const ATTRIBUTIONS = ["click", "partner_key", "deal"] as const;

export type OfferEvent = (typeof OFFER_EVENTS)[number];
export type RewardStatus = (typeof REWARD_STATUSES)[number];
export type RewardSource = (typeof REWARD_SOURCES)[number];
export type Attribution = (typeof ATTRIBUTIONS)[number];

/** Equals one key, or is one of a set. */
export type KeyCondition = { eq: string } | { in: string[] };

export interface TriggerConditions {
  productKey?: KeyCondition;
  categoryKey?: KeyCondition;
  /** The sale's value in US cents is at least this. */
  minAmountUsdCents?: number;
  /** Only the customer's first sale (the first recorded with a positive amount). */
  firstTransactionOnly?: boolean;
  /** Only sales dated before the customer's signup plus this many calendar months. */
  withinMonthsOfSignup?: number;
}

export type TriggerReward =
  | {
      type: "flat";
      /** Minor units of `currency`. */
      amount: number;
      currency: string;
      /** The currency's minor-unit digits when the offer was saved (for summaries). */
      minorUnitDigits: number;
      maxPerCustomerUsdCents?: number;
    }
  | {
      type: "percent";
      /** Of the sale's amount, in basis points: 2000 = 20%, 1 = 0.01%. */
      percentBp: number;
      maxPerTransactionUsdCents?: number;
      maxPerCustomerUsdCents?: number;
    };

export interface OfferTrigger {
  /** Stable across versions when an edit keeps it (lifetime caps count per trigger). */
  id: string;
  event: OfferEvent;
  conditions: TriggerConditions;
  reward: TriggerReward;
}

/** A trigger as sent, before it has an id (or naming the id of a trigger it keeps). */
export type TriggerInput = Omit<OfferTrigger, "id" | "reward"> & {
  id?: string;
  reward: DistributiveOmit<TriggerReward, "minorUnitDigits">;
};
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface OfferInput {
  name: string;
  description?: string;
  active?: boolean;
  holdDays?: number;
  triggers: TriggerInput[];
}

export type OfferChanges = Partial<OfferInput>;

export const DEFAULT_HOLD_DAYS = 30;
export const MAX_HOLD_DAYS = 365;
export const MAX_TRIGGERS_PER_OFFER = 20;
/** Active triggers over all active offers of a group: what one event is evaluated against at most. */
export const MAX_ACTIVE_TRIGGERS_PER_GROUP = 50;
export const MAX_KEYS_PER_CONDITION = 50;
export const MAX_WITHIN_MONTHS = 120;
