// One human line per trigger, generated from its rule, for partners ("Earn $1.00 for every new
// customer you sign up"). Product and category keys are shown as words: `pro_plan` → "Pro Plan"; a
// stage by its current name, which the caller looks up (a stage may be renamed after the offer is saved).
import { dollars } from "../ingest/limits";
import type { KeyCondition, OfferTrigger, TriggerReward } from "./model";

/** A stage's current name by id (offers/service.ts `stageNamesFor`); undefined when it was removed. */
export type StageNames = (stageId: string) => string | undefined;

/** One line for a trigger; without `stageNames`, a stage trigger names no stage ("a chosen stage"). */
export function triggerSummary(trigger: OfferTrigger, stageNames?: StageNames): string {
  const { conditions: c, reward } = trigger;
  if (trigger.event === "signup") return `Earn ${rewardText(reward)} for every new customer you sign up`;
  if (trigger.event === "deal_closed") return `Earn ${rewardText(reward)} when a deal closes`;
  if (trigger.event === "stage_entered") {
    const name = !stageNames ? "a chosen stage" : (c.stageId && stageNames(c.stageId)) || "a removed stage";
    return `Earn ${rewardText(reward)} when a ${c.pipeline ?? "lead"} enters ${name}`;
  }
  const product = c.productKey ? `${keyWords(c.productKey)} ` : "";
  const sale = c.firstTransactionOnly
    ? `each customer's first sale${c.productKey ? ` when it is a ${keyWords(c.productKey)} sale` : ""}`
    : `every ${product}sale`;
  const parts = [`Earn ${rewardText(reward)} ${reward.type === "percent" ? "of" : "for"} ${sale}`];
  if (c.categoryKey) {
    const many = "in" in c.categoryKey && c.categoryKey.in.length > 1;
    parts.push(` in the ${keyWords(c.categoryKey)} ${many ? "categories" : "category"}`);
  }
  if (c.minAmountUsdCents !== undefined) parts.push(` of at least ${dollars(c.minAmountUsdCents)}`);
  if (c.withinMonthsOfSignup !== undefined) {
    parts.push(` for ${c.withinMonthsOfSignup} ${c.withinMonthsOfSignup === 1 ? "month" : "months"}`);
  }
  const caps = [
    reward.type === "percent" && reward.maxPerTransactionUsdCents !== undefined
      ? `${dollars(reward.maxPerTransactionUsdCents)} per sale`
      : null,
    reward.maxPerCustomerUsdCents !== undefined ? `${dollars(reward.maxPerCustomerUsdCents)} per customer` : null,
  ].filter((cap) => cap !== null);
  if (caps.length) parts.push(`, up to ${caps.join(" and ")}`);
  return parts.join("");
}

/** The offer in one line: its triggers' lines, joined. */
export function offerSummary(triggers: OfferTrigger[], stageNames?: StageNames): string {
  return triggers
    .map((trigger, i) => {
      const line = triggerSummary(trigger, stageNames);
      return i === 0 ? line : line.charAt(0).toLowerCase() + line.slice(1);
    })
    .join("; ");
}

function rewardText(reward: TriggerReward): string {
  if (reward.type === "percent") return `${reward.percentBp / 100}%`;
  return money(reward.amount, reward.currency, reward.minorUnitDigits);
}

/** Minor units as money with all its digits: 100 USD → "$1.00", 500 JPY → "¥500". */
export function money(amountMinor: number, currency: string, digits: number): string {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amountMinor / 10 ** digits);
}

function keyWords(condition: KeyCondition): string {
  const keys = "in" in condition ? condition.in : [condition.eq];
  const words = keys.map((key) =>
    key
      .split(/[_\-\s]+/)
      .filter(Boolean)
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(" "),
  );
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}
