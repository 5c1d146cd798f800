// The offer model as the services use it (camelCase). The API's zod schemas (offers.routes.ts)
// validate requests and transform them into these types; the database stores triggers as JSON of
// these types (offer_versions.triggers). Imports no values, so src/db/schema.ts can use it.
import type { PipelineKind } from "../lib/constants";

/**
 * What can fire a trigger: a new customer, a sale, a lead or deal entering a chosen stage of the
 * group's pipeline, or a deal closing (entering the deal pipeline's final stage).
 */
export const OFFER_EVENTS = ["signup", "transaction", "stage_entered", "deal_closed"] as const;
/** Events of leads and deals: they have no customer of their own and no amount, so only flat rewards. */
export const ENTRY_EVENTS = ["stage_entered", "deal_closed"] as const;
export const REWARD_TYPES = ["flat", "percent"] as const;
export const REWARD_STATUSES = ["pending", "approved", "paid", "reversed"] as const;
/** What earned a reward; the trigger events, and `manual` for an admin's grant. */
export const REWARD_SOURCES = ["signup", "transaction", "manual", "stage_entered", "deal_closed"] as const;
/** How the customer was tied to the partner: a click (`xid`), a partner key, or a closed deal. */
export const ATTRIBUTIONS = ["click", "partner_key", "deal"] as const;

export type OfferEvent = (typeof OFFER_EVENTS)[number];
export type EntryEvent = (typeof ENTRY_EVENTS)[number];
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
  /** `stage_entered` only (both required): which pipeline of the offer's group, and which of its stages. */
  pipeline?: PipelineKind;
  stageId?: string;
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
