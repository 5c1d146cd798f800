// A group's Offers tab: its offers with their one-line summaries and active state ("Create offer"
// up front when there are none), and an offer's page to create or edit it with a trigger editor.
// Each trigger is a fieldset of the form, named as the API names its fields (`triggers.0.reward.amount`),
// so the API's errors land beside the field they name. Without JavaScript the form holds the
// existing triggers (each with a "remove" box) and one empty block to add a trigger. The body is
// checked by the API's own schemas (CreateOffer, UpdateOffer) and saved by the offers service: an
// edit is a new version from now. Money is typed in major units (10.50) and sent in minor units.
import type { z } from "@hono/zod-openapi";
import type { Context, Hono } from "hono";
import type { AdminContext } from "../../admin/context";
import type { groups } from "../../db/schema";
import { listRates } from "../../fx/service";
import { dollars } from "../../ingest/limits";
import { ApiError, type FieldError } from "../../lib/errors";
import { PROBLEMS } from "../../lib/problems";
import { zodFieldErrors } from "../../lib/validation";
import { DEFAULT_HOLD_DAYS, MAX_TRIGGERS_PER_OFFER, OFFER_EVENTS, type OfferTrigger } from "../../offers/model";
import { serializeOffer, serializeTrigger } from "../../offers/offers.handlers";
import { CreateOfferBody, UpdateOfferBody } from "../../offers/offers.routes";
import { createOffer, getOffer, listOffers, type OfferView, stageNamesFor, updateOffer } from "../../offers/service";
import { money } from "../../offers/summary";
import { listStages, type Stage } from "../../pipelines/service";
import { csrfToken } from "../../web/csrf";
import { CheckboxField, errorOf, fieldId, PostForm, SelectField, TextAreaField, TextField } from "../../web/form";
import { type FormValues, fieldValue, readForm } from "../../web/forms";
import { notFoundPage } from "../../web/pages";
import { userCanWrite } from "../auth";
import { formatDateTime } from "../format";
import { groupOf, groupPath, renderGroupTab } from "../group-page";
import { forbiddenPage, noticeOf } from "../pages";
import { firstPerField, isChecked, labelled, textareaValue } from "./field-words";

type Group = typeof groups.$inferSelect;
type Status = Parameters<typeof renderGroupTab>[2];

const offersPath = (groupId: string) => groupPath(groupId, "offers");
const offerPath = (groupId: string, offerId: string) => `${offersPath(groupId)}/${offerId}`;
/** A page of the list: offers are few (a group's active triggers are bounded), inactive ones may add up. */
const PAGE_SIZE = 100;

const EVENT_LABELS: Record<(typeof OFFER_EVENTS)[number], string> = {
  signup: "A new customer signs up",
  transaction: "A sale (transaction)",
  stage_entered: "A lead or deal enters a stage",
  deal_closed: "A deal closes",
};

/** A trigger's fields by their name inside `triggers.N.` (the API's names), with their labels. */
const TRIGGER_LABELS = {
  event: "Event",
  "conditions.stage_id": "Stage",
  "conditions.product_key": "Product keys",
  "conditions.category_key": "Category keys",
  "conditions.min_amount_usd_cents": "Minimum sale (USD)",
  "conditions.first_transaction_only": "First sale only",
  "conditions.within_months_of_signup": "Months after signup",
  "reward.type": "Kind of reward",
  "reward.amount": "Amount",
  "reward.currency": "Currency",
  "reward.percent": "Percentage",
  "reward.max_per_transaction_usd_cents": "Cap per sale (USD)",
  "reward.max_per_customer_usd_cents": "Cap per customer (USD)",
} as const;
type TriggerField = keyof typeof TRIGGER_LABELS;
const OFFER_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  active: "Active",
  hold_days: "Hold (days)",
  triggers: "Triggers",
};

const at = (index: number, field: TriggerField | "id" | "remove") => `triggers.${index}.${field}`;

function labelOf(field: string): string | undefined {
  const match = /^triggers\.\d+\.(.+)$/.exec(field);
  return match ? TRIGGER_LABELS[match[1] as TriggerField] : OFFER_LABELS[field];
}

export function registerOffersTab(router: Hono<AdminContext>) {
  router.get("/groups/:groupId/offers", async (c) => offersTab(c, await groupOf(c)));

  router.get("/groups/:groupId/offers/new", async (c) => {
    const group = await groupOf(c);
    if (!userCanWrite(c)) return forbiddenPage(c, "Your role (viewer) lets you see offers, not create them.");
    const values: FormValues = { active: "yes", hold_days: String(DEFAULT_HOLD_DAYS), ...emptyBlock(0) };
    return offerPage(c, group, null, values, 1, []);
  });

  router.post("/groups/:groupId/offers", async (c) => {
    const group = await groupOf(c);
    const values = await readForm(c);
    const context = await formContext(c, group, null);
    const form = readOfferForm(values, context);
    const checked = check(CreateOfferBody, form, values);
    const blocks = blocksToShow(values);
    if (!checked.ok) return offerPage(c, group, null, values, blocks, checked.errors, 422);
    try {
      const created = await createOffer(c.env, group.companyId, group.id, checked.data, actorOf(c));
      return c.redirect(`${offerPath(group.id, created.offer.id)}?notice=created`, 303);
    } catch (error) {
      const refused = refusal(error, form);
      return offerPage(c, group, null, values, blocks, refused.errors, refused.status);
    }
  });

  router.get("/groups/:groupId/offers/:offerId", async (c) => {
    const group = await groupOf(c);
    const view = await offerOf(c, group);
    if (!view) return notFoundPage(c);
    const triggers = view.version.triggers;
    const values: FormValues = {
      name: view.version.name,
      description: view.version.description,
      ...(view.version.active ? { active: "yes" } : {}),
      hold_days: String(view.version.holdDays),
      ...Object.assign({}, ...triggers.map((trigger, i) => blockValuesOf(trigger, i))),
      ...emptyBlock(triggers.length),
    };
    return offerPage(c, group, view, values, triggers.length + 1, []);
  });

  router.post("/groups/:groupId/offers/:offerId", async (c) => {
    const group = await groupOf(c);
    const view = await offerOf(c, group);
    if (!view) return notFoundPage(c);
    const values = await readForm(c);
    const context = await formContext(c, group, view);
    const form = readOfferForm(values, context);
    const checked = check(UpdateOfferBody, form, values);
    const blocks = blocksToShow(values);
    if (!checked.ok) return offerPage(c, group, view, values, blocks, checked.errors, 422);
    try {
      await updateOffer(c.env, group.companyId, view.offer.id, checked.data, actorOf(c));
    } catch (error) {
      const refused = refusal(error, form);
      return offerPage(c, group, view, values, blocks, refused.errors, refused.status);
    }
    return c.redirect(`${offerPath(group.id, view.offer.id)}?notice=saved`, 303);
  });
}

/** Who wrote a version (offer_versions.created_by): the console user, as the API records its key. */
const actorOf = (c: Context<AdminContext>) => c.get("consoleUser").user.id;

/** The path's offer, when it is an offer of this group (another group's or company's: none, the 404 page). */
async function offerOf(c: Context<AdminContext>, group: Group): Promise<OfferView | null> {
  const view = await getOffer(c.env, group.companyId, c.req.param("offerId") ?? "").catch((error) => {
    if (error instanceof ApiError && error.problem === PROBLEMS.notFound) return null;
    throw error;
  });
  return view && view.offer.groupId === group.id ? view : null;
}

// ---- Reading the form into the API's body -------------------------------------------------------

interface FormContext {
  /** Minor-unit digits by currency (the company's rates), to turn 10.50 into 1050. */
  digits: Map<string, number>;
  /** The offer's saved triggers by id: one sent back unchanged is sent exactly as saved. */
  saved: Map<string, OfferTrigger>;
}

async function formContext(c: Context<AdminContext>, group: Group, view: OfferView | null): Promise<FormContext> {
  const rates = await listRates(c.env, group.companyId);
  return {
    digits: new Map(rates.map((rate) => [rate.currency, rate.minorUnitDigits])),
    saved: new Map((view?.version.triggers ?? []).map((trigger) => [trigger.id, trigger])),
  };
}

interface OfferForm {
  body: Record<string, unknown>;
  /** Errors of the form itself: a number that is not one, an empty required field. */
  errors: FieldError[];
  /** For each trigger sent to the API, the index of its block in the form. */
  blockOf: number[];
  digits: FormContext["digits"];
}

/** How many trigger blocks the posted form had (each has an event select). */
function postedBlocks(values: FormValues): number {
  let count = 0;
  for (const name of Object.keys(values)) {
    const index = /^triggers\.(\d+)\.event$/.exec(name)?.[1];
    if (index !== undefined && Number(index) <= MAX_TRIGGERS_PER_OFFER) count = Math.max(count, Number(index) + 1);
  }
  return count;
}

/** A form shown again with its errors keeps the blocks it had (at least one). */
function blocksToShow(values: FormValues): number {
  return Math.max(postedBlocks(values), 1);
}

function readOfferForm(values: FormValues, context: FormContext): OfferForm {
  const errors: FieldError[] = [];
  if (fieldValue(values, "name").trim() === "") errors.push({ field: "name", message: "Enter a name for the offer" });
  if (fieldValue(values, "hold_days").trim() === "") {
    errors.push({ field: "hold_days", message: "Enter the hold in days (0 for none)" });
  }
  const holdDays = wholeNumber(values, "hold_days", errors);
  const triggers: unknown[] = [];
  const blockOf: number[] = [];
  const blocks = postedBlocks(values);
  for (let index = 0; index < blocks; index++) {
    const block = readBlock(values, index, context, errors);
    if (block === null) continue;
    if (block === "removed") continue;
    triggers.push(block);
    blockOf.push(index);
  }
  const body = {
    name: fieldValue(values, "name"),
    description: textareaValue(values, "description"),
    active: isChecked(values, "active"),
    ...(holdDays === undefined ? {} : { hold_days: holdDays }),
    triggers,
  };
  return { body, errors, blockOf, digits: context.digits };
}

/** Fields of a block that say it is being filled in (the defaults of type and currency do not). */
const FILLED_FIELDS: TriggerField[] = [
  "event",
  "conditions.stage_id",
  "conditions.product_key",
  "conditions.category_key",
  "conditions.min_amount_usd_cents",
  "conditions.first_transaction_only",
  "conditions.within_months_of_signup",
  "reward.amount",
  "reward.percent",
  "reward.max_per_transaction_usd_cents",
  "reward.max_per_customer_usd_cents",
];

/**
 * One block as an API trigger; null for an empty new block, "removed" for a trigger to remove. A
 * saved trigger whose fields read back unchanged is sent exactly as saved, so an edit of other
 * fields never rewrites it (and an edit of nothing adds no version).
 */
function readBlock(
  values: FormValues,
  index: number,
  context: FormContext,
  errors: FieldError[],
): Record<string, unknown> | "removed" | null {
  const value = (field: TriggerField) => fieldValue(values, at(index, field)).trim();
  const id = fieldValue(values, at(index, "id")) || undefined;
  if (id !== undefined && isChecked(values, at(index, "remove"))) return "removed";
  if (id === undefined && FILLED_FIELDS.every((field) => value(field) === "")) return null;
  const saved = id !== undefined ? context.saved.get(id) : undefined;
  if (saved && sameBlock(values, index, saved)) return apiTrigger(saved);

  const event = value("event");
  if (event === "") errors.push({ field: at(index, "event"), message: "Choose the event that earns the reward" });
  const conditions: Record<string, unknown> = {};
  const [pipeline, stageId] = splitStage(value("conditions.stage_id"));
  if (pipeline !== undefined) conditions.pipeline = pipeline;
  if (stageId !== undefined) conditions.stage_id = stageId;
  for (const key of ["product_key", "category_key"] as const) {
    const keys = value(`conditions.${key}`)
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    if (keys.length > 0) conditions[key] = keys.length === 1 ? { eq: keys[0] } : { in: keys };
  }
  const number = (field: TriggerField, read: (text: string) => number | string) => {
    const text = value(field);
    if (text === "") return undefined;
    const result = read(text);
    if (typeof result === "number") return result;
    errors.push({ field: at(index, field), message: result });
    return undefined;
  };
  const usdCents = (text: string) => minorUnits(text, 2);
  conditions.min_amount_usd_cents = number("conditions.min_amount_usd_cents", usdCents);
  if (isChecked(values, at(index, "conditions.first_transaction_only"))) conditions.first_transaction_only = true;
  conditions.within_months_of_signup = number("conditions.within_months_of_signup", whole);

  const type = value("reward.type") || "flat";
  const reward: Record<string, unknown> = { type };
  const required = (field: TriggerField, message: string) => {
    if (value(field) === "") errors.push({ field: at(index, field), message });
  };
  if (type === "percent") {
    required("reward.percent", "Enter the percentage of the sale");
    reward.percent = number("reward.percent", decimal);
    reward.max_per_transaction_usd_cents = number("reward.max_per_transaction_usd_cents", usdCents);
  } else {
    const currency = value("reward.currency");
    required("reward.amount", "Enter the amount");
    reward.amount = number("reward.amount", (text) => minorUnits(text, context.digits.get(currency) ?? 2));
    reward.currency = currency;
  }
  reward.max_per_customer_usd_cents = number("reward.max_per_customer_usd_cents", usdCents);
  return { ...(id !== undefined ? { id } : {}), event, conditions: defined(conditions), reward: defined(reward) };
}

/** "lead:stg_…" → the pipeline and the stage; a value without a pipeline is sent as a stage alone. */
function splitStage(value: string): [string | undefined, string | undefined] {
  if (value === "") return [undefined, undefined];
  const colon = value.indexOf(":");
  return colon < 0 ? [undefined, value] : [value.slice(0, colon), value.slice(colon + 1)];
}

function defined(object: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function whole(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : "must be a whole number, like 12";
}

function decimal(text: string): number | string {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : "must be a number, like 20 or 12.5";
}

/** "1,050.5" with 2 digits → 105050 minor units; in words when it is not an amount. */
function minorUnits(text: string, digits: number): number | string {
  const plain = text.replace(/[,\s$€£¥]/g, "");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(plain);
  if (!match) return "must be an amount, like 10 or 10.50";
  const fraction = match[2] ?? "";
  if (fraction.length > digits) {
    return digits === 0 ? "must be a whole amount in this currency" : `must have at most ${digits} decimals`;
  }
  return Number(`${match[1]}${fraction.padEnd(digits, "0")}`);
}

function wholeNumber(values: FormValues, name: string, errors: FieldError[]): number | undefined {
  const text = fieldValue(values, name).trim();
  if (text === "") return undefined;
  const result = whole(text);
  if (typeof result === "number") return result;
  errors.push({ field: name, message: result });
  return undefined;
}

// ---- A saved trigger as the form's fields, and back -------------------------------------------------

/** A saved trigger's fields as the form shows them (money in major units). */
function blockValuesOf(trigger: OfferTrigger, index: number): FormValues {
  const api = serializeTrigger(trigger);
  const { conditions: c, reward: r } = api;
  const keys = (condition: { eq?: string; in?: string[] } | undefined) =>
    condition === undefined ? "" : (condition.in ?? [condition.eq ?? ""]).join(", ");
  const major = (amount: number | undefined, digits: number) =>
    amount === undefined ? "" : (amount / 10 ** digits).toFixed(digits);
  const fields: Record<TriggerField | "id", string> = {
    id: trigger.id,
    event: api.event,
    "conditions.stage_id": c.stage_id ? `${c.pipeline}:${c.stage_id}` : "",
    "conditions.product_key": keys(c.product_key),
    "conditions.category_key": keys(c.category_key),
    "conditions.min_amount_usd_cents": major(c.min_amount_usd_cents, 2),
    "conditions.first_transaction_only": c.first_transaction_only ? "yes" : "",
    "conditions.within_months_of_signup": c.within_months_of_signup?.toString() ?? "",
    "reward.type": r.type,
    "reward.amount": major(r.amount, trigger.reward.type === "flat" ? trigger.reward.minorUnitDigits : 2),
    "reward.currency": r.currency ?? "USD",
    "reward.percent": r.percent?.toString() ?? "",
    "reward.max_per_transaction_usd_cents": major(r.max_per_transaction_usd_cents, 2),
    "reward.max_per_customer_usd_cents": major(r.max_per_customer_usd_cents, 2),
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, value]) => value !== "")
      .map(([field, value]) => [at(index, field as TriggerField), value]),
  );
}

function emptyBlock(index: number): FormValues {
  return { [at(index, "event")]: "", [at(index, "reward.type")]: "flat", [at(index, "reward.currency")]: "USD" };
}

/** Whether a saved trigger's block was posted back as the form showed it. */
function sameBlock(values: FormValues, index: number, saved: OfferTrigger): boolean {
  const shown = blockValuesOf(saved, index);
  const names = new Set([...Object.keys(shown), ...FILLED_FIELDS.map((field) => at(index, field))]);
  for (const field of ["reward.type", "reward.currency"] as const) names.add(at(index, field));
  return [...names].every((name) => {
    const posted = fieldValue(values, name).trim();
    const expected = fieldValue(shown, name);
    // The currency field is posted for a percentage too; it means nothing there.
    if (name === at(index, "reward.currency") && saved.reward.type === "percent") return true;
    if (name === at(index, "reward.type")) return (posted || "flat") === expected;
    return posted === expected;
  });
}

/** A saved trigger as the API takes it back (its id keeps its identity and caps). */
function apiTrigger(trigger: OfferTrigger): Record<string, unknown> {
  const { summary: _summary, ...api } = serializeTrigger(trigger);
  return JSON.parse(JSON.stringify(api));
}

// ---- Errors: the API's words beside the form's fields -------------------------------------------

/**
 * Checks the form's body with the API's schema. The form's own errors (not a number, empty) come
 * first; the schema's follow, its number bounds said as amounts where the field is money.
 */
function check<Schema extends typeof CreateOfferBody | typeof UpdateOfferBody>(
  schema: Schema,
  form: OfferForm,
  values: FormValues,
): { ok: true; data: z.output<Schema> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(form.body);
  if (result.success && form.errors.length === 0) return { ok: true, data: result.data as z.output<Schema> };
  const rules = result.success ? [] : zodFieldErrors(readable(result.error, values, form));
  return { ok: false, errors: toForm([...form.errors, ...rules.map((e) => toBlock(e, form))]) };
}

/** A service's refusal (a currency without a rate, a stage not the group's, too many triggers), on its field. */
function refusal(error: unknown, form: OfferForm): { errors: FieldError[]; status: Status } {
  if (error instanceof ApiError && error.problem === PROBLEMS.validationFailed) {
    const fields = error.toProblem().errors ?? [];
    return { errors: toForm(fields.map((e) => toBlock(e, form))), status: 422 };
  }
  throw error;
}

function toForm(errors: FieldError[]): FieldError[] {
  return labelled(firstPerField(errors), labelOf);
}

/**
 * An API error's field as the form's: its trigger index is the block's (removed triggers shift
 * the API's indexes), and a part of a field is the field (`conditions.product_key.in.2`,
 * `conditions.pipeline` — chosen with the stage —, `reward` itself: its type).
 */
function toBlock(error: FieldError, form: OfferForm): FieldError {
  const match = /^triggers\.(\d+)(?:\.(.*))?$/.exec(error.field);
  if (!match) return error;
  const index = form.blockOf[Number(match[1])] ?? Number(match[1]);
  const rest = match[2] ?? "";
  const field =
    (Object.keys(TRIGGER_LABELS) as TriggerField[]).find((name) => rest === name || rest.startsWith(`${name}.`)) ??
    (rest.startsWith("conditions.pipeline")
      ? "conditions.stage_id"
      : rest.startsWith("reward")
        ? "reward.type"
        : "event");
  return { field: at(index, field), message: error.message };
}

/** zod's bounds ("Too small: expected number to be >=1") said for people, in money where the field is money. */
function readable(error: z.ZodError, values: FormValues, form: OfferForm): z.ZodError {
  for (const issue of error.issues) {
    // This error is the form's own, made just now: rewording its issues in place harms no one.
    const reworded = issue as { message: string };
    const path = issue.path.map(String);
    if (path.length === 1 && path[0] === "triggers" && (issue.code === "too_small" || issue.code === "too_big")) {
      reworded.message =
        issue.code === "too_small"
          ? "An offer needs at least one trigger: fill in the new trigger, or keep one you marked for removal"
          : `An offer has at most ${MAX_TRIGGERS_PER_OFFER} triggers`;
      continue;
    }
    // Only zod's own words: a rule's message of its own is the API's, kept.
    if (!issue.message.startsWith("Too ")) continue;
    if (issue.code === "too_big" && issue.origin === "string") {
      reworded.message = `must be ${issue.maximum} characters or fewer`;
    }
    if ((issue.code === "too_small" || issue.code === "too_big") && issue.origin === "number") {
      const bound = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const word =
        issue.code === "too_small"
          ? issue.inclusive
            ? "at least"
            : "more than"
          : issue.inclusive
            ? "at most"
            : "less than";
      reworded.message = `must be ${word} ${amountText(bound, path, values, form)}`;
    }
  }
  return error;
}

/** A bound of a field as it is typed: US cents as dollars, a reward's minor units in its currency. */
function amountText(bound: number, path: string[], values: FormValues, form: OfferForm): string {
  const field = path.at(-1) ?? "";
  if (field.endsWith("_usd_cents")) return dollars(bound);
  if (field === "amount" && path[0] === "triggers") {
    const block = form.blockOf[Number(path[1])] ?? 0;
    const currency = fieldValue(values, at(block, "reward.currency")) || "USD";
    try {
      return money(bound, currency, form.digits.get(currency) ?? 2);
    } catch {
      return String(bound);
    }
  }
  return bound.toLocaleString("en-US");
}

// ---- Pages -----------------------------------------------------------------------------------

async function offersTab(c: Context<AdminContext>, group: Group) {
  const startingAfter = c.req.query("starting_after") || undefined;
  const page = await listOffers(c.env, group.companyId, group.id, { limit: PAGE_SIZE, startingAfter }).catch(
    (error) => {
      // A cursor that is not one of the group's offers: the API's 422; here, no such page.
      if (error instanceof ApiError && error.problem === PROBLEMS.validationFailed) return null;
      throw error;
    },
  );
  if (!page) return notFoundPage(c);
  const names = await stageNamesFor(
    c.env,
    group.companyId,
    page.rows.flatMap((view) => view.version.triggers),
  );
  const canWrite = userCanWrite(c);
  const create = canWrite ? (
    <a href={`${offersPath(group.id)}/new`} class="button-link">
      Create offer
    </a>
  ) : null;
  const last = page.rows.at(-1);
  return renderGroupTab(c, {
    group,
    tab: "offers",
    notice: noticeOf(c),
    children:
      page.rows.length === 0 && !startingAfter ? (
        <div class="empty-state">
          <p>
            <strong>No offers yet:</strong> partners of this group have nothing to earn. An offer is built from
            triggers: an event (a signup, a sale, a lead or deal reaching a stage), conditions, and the reward it earns.
          </p>
          {create}
        </div>
      ) : (
        <>
          <div class="section-heading">
            <p>What partners of this group earn. Only active offers reward events.</p>
            {create}
          </div>
          <table class="stack-table offers-table">
            <caption class="visually-hidden">Offers of {group.name}</caption>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">What partners earn</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((view) => {
                const offer = serializeOffer(view, names);
                return (
                  <tr>
                    <th scope="row">
                      <a href={offerPath(group.id, view.offer.id)}>{offer.name}</a>
                    </th>
                    <td data-label="Earns">{offer.summary}</td>
                    <td data-label="State">
                      {offer.active ? <span class="badge">Active</span> : <span class="badge muted">Inactive</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {page.hasMore && last ? (
            <p>
              <a href={`${offersPath(group.id)}?starting_after=${last.offer.id}`}>Next {PAGE_SIZE} offers</a>
            </p>
          ) : null}
        </>
      ),
  });
}

async function offerPage(
  c: Context<AdminContext>,
  group: Group,
  view: OfferView | null,
  values: FormValues,
  blocks: number,
  errors: FieldError[],
  status: Status = 200,
) {
  const canWrite = userCanWrite(c);
  const [leadStages, dealStages, rates, names] = await Promise.all([
    listStages(c.env, group.companyId, group.id, "lead"),
    listStages(c.env, group.companyId, group.id, "deal"),
    listRates(c.env, group.companyId),
    stageNamesFor(c.env, group.companyId, view?.version.triggers ?? []),
  ]);
  const offer = view ? serializeOffer(view, names) : null;
  const summaries = new Map(offer?.triggers.map((trigger) => [trigger.id, trigger.summary]) ?? []);
  const title = offer ? offer.name : "Create offer";
  const blockProps = { values, errors, leadStages, dealStages, currencies: rates.map((rate) => rate.currency) };
  return renderGroupTab(
    c,
    {
      group,
      tab: "offers",
      errors,
      notice: noticeOf(c),
      children: (
        <>
          <p class="breadcrumbs">
            <a href={offersPath(group.id)}>Offers</a>
          </p>
          <h3>
            {title}
            {offer ? (
              offer.active ? (
                <span class="badge">Active</span>
              ) : (
                <span class="badge muted">Inactive</span>
              )
            ) : null}
          </h3>
          {offer ? (
            <>
              <p class="offer-summary">{offer.summary}</p>
              <p class="muted">
                Version {offer.version}, in effect since {formatDateTime(view!.version.effectiveFrom)}.
              </p>
            </>
          ) : null}
          {!canWrite && view ? (
            <ReadOnlyOffer view={view} summaries={summaries} />
          ) : (
            <PostForm
              action={view ? offerPath(group.id, view.offer.id) : `${offersPath(group.id)}`}
              csrf={await csrfToken(c)}
            >
              <TextField
                name="name"
                label="Name"
                hint="For you and your partners, e.g. Launch offer."
                required
                maxlength={100}
                value={fieldValue(values, "name")}
                error={errorOf(errors, "name")}
              />
              <TextAreaField
                name="description"
                label="Description"
                hint="Shown to the group's partners."
                rows={2}
                maxlength={1000}
                value={fieldValue(values, "description")}
                error={errorOf(errors, "description")}
              />
              <CheckboxField
                name="active"
                label="Active: the offer rewards events"
                checked={isChecked(values, "active")}
                error={errorOf(errors, "active")}
              />
              <TextField
                name="hold_days"
                label="Hold (days)"
                hint="How long a reward stays pending before it is approved: time for refunds. 0 to 365."
                inputmode="numeric"
                required
                value={fieldValue(values, "hold_days")}
                error={errorOf(errors, "hold_days")}
              />
              <fieldset
                class="triggers"
                id={fieldId("triggers")}
                aria-describedby={errorOf(errors, "triggers") ? `${fieldId("triggers")}-error` : undefined}
              >
                <legend>Triggers</legend>
                <small class="field-hint">
                  Each trigger is an event, the conditions it must meet and the reward a partner earns for it.
                  {view ? " Tick “Remove this trigger” to take one out." : ""} To add a trigger, fill in the empty one
                  at the end; save to get another.
                </small>
                {errorOf(errors, "triggers") ? (
                  <p id={`${fieldId("triggers")}-error`} class="field-error">
                    <span class="visually-hidden">Error: </span>
                    {errorOf(errors, "triggers")}
                  </p>
                ) : null}
                {Array.from({ length: blocks }, (_, index) => {
                  const id = fieldValue(values, at(index, "id"));
                  return (
                    <TriggerBlock
                      index={index}
                      legend={
                        id
                          ? `Trigger ${index + 1}`
                          : index === blocks - 1
                            ? "New trigger"
                            : `Trigger ${index + 1} (new)`
                      }
                      summary={id ? summaries.get(id) : undefined}
                      saved={id !== ""}
                      {...blockProps}
                    />
                  );
                })}
              </fieldset>
              {view ? (
                <p class="version-note">
                  Saving makes version {view.version.version + 1} of this offer, in effect from now. Events before now
                  keep the version they were rewarded under; nothing already earned changes.
                </p>
              ) : null}
              <button type="submit">{view ? "Save offer" : "Create offer"}</button>
            </PostForm>
          )}
        </>
      ),
    },
    status,
  );
}

function ReadOnlyOffer({ view, summaries }: { view: OfferView; summaries: Map<string, string> }) {
  return (
    <>
      <dl class="details">
        <dt>Description</dt>
        <dd>{view.version.description || "None"}</dd>
        <dt>Hold</dt>
        <dd>{view.version.holdDays} days</dd>
      </dl>
      <h4>Triggers</h4>
      <ul>
        {view.version.triggers.map((trigger) => (
          <li>{summaries.get(trigger.id)}</li>
        ))}
      </ul>
    </>
  );
}

interface TriggerBlockProps {
  index: number;
  legend: string;
  summary?: string;
  saved: boolean;
  values: FormValues;
  errors: FieldError[];
  leadStages: Stage[];
  dealStages: Stage[];
  currencies: string[];
}

function TriggerBlock(props: TriggerBlockProps) {
  const { index, values, errors } = props;
  const name = (field: TriggerField) => at(index, field);
  const value = (field: TriggerField) => fieldValue(values, name(field));
  const error = (field: TriggerField) => errorOf(errors, name(field));
  const currency = value("reward.currency") || "USD";
  const currencies = props.currencies.includes(currency) ? props.currencies : [currency, ...props.currencies];
  return (
    <fieldset class="trigger">
      <legend>
        {props.legend}
        {props.summary ? <span class="trigger-summary">: {props.summary}</span> : null}
      </legend>
      {props.saved ? <input type="hidden" name={at(index, "id")} value={fieldValue(values, at(index, "id"))} /> : null}
      <SelectField
        name={name("event")}
        label="Event"
        required
        placeholder={props.saved ? undefined : "Choose an event (leave empty to add no trigger)"}
        options={OFFER_EVENTS.map((event) => ({ value: event, label: EVENT_LABELS[event] }))}
        value={value("event")}
        error={error("event")}
      />
      <StageSelect
        name={name("conditions.stage_id")}
        value={value("conditions.stage_id")}
        error={error("conditions.stage_id")}
        leadStages={props.leadStages}
        dealStages={props.dealStages}
      />
      <fieldset class="trigger-part">
        <legend>Sale conditions (for a sale only; all optional)</legend>
        <TextField
          name={name("conditions.product_key")}
          label="Product keys"
          hint="The sale's product key is one of these (commas between keys), e.g. pro_plan."
          value={value("conditions.product_key")}
          error={error("conditions.product_key")}
        />
        <TextField
          name={name("conditions.category_key")}
          label="Category keys"
          hint="The sale's category key is one of these."
          value={value("conditions.category_key")}
          error={error("conditions.category_key")}
        />
        <TextField
          name={name("conditions.min_amount_usd_cents")}
          label="Minimum sale (USD)"
          hint="The sale is worth at least this many US dollars, e.g. 100."
          inputmode="decimal"
          value={value("conditions.min_amount_usd_cents")}
          error={error("conditions.min_amount_usd_cents")}
        />
        <CheckboxField
          name={name("conditions.first_transaction_only")}
          label="Only the customer's first sale"
          checked={value("conditions.first_transaction_only") !== ""}
          error={error("conditions.first_transaction_only")}
        />
        <TextField
          name={name("conditions.within_months_of_signup")}
          label="Months after signup"
          hint="Only sales within this many months of the customer's signup, e.g. 12."
          inputmode="numeric"
          value={value("conditions.within_months_of_signup")}
          error={error("conditions.within_months_of_signup")}
        />
      </fieldset>
      <fieldset class="trigger-part">
        <legend>Reward</legend>
        <SelectField
          name={name("reward.type")}
          label="Kind of reward"
          required
          options={[
            { value: "flat", label: "A flat amount" },
            { value: "percent", label: "A percentage of the sale" },
          ]}
          value={value("reward.type") || "flat"}
          error={error("reward.type")}
        />
        <div class="field-row">
          <TextField
            name={name("reward.amount")}
            label="Amount"
            hint="For a flat amount, e.g. 10 or 10.50."
            inputmode="decimal"
            value={value("reward.amount")}
            error={error("reward.amount")}
          />
          <SelectField
            name={name("reward.currency")}
            label="Currency"
            hint="For a flat amount."
            options={currencies.map((code) => ({ value: code, label: code }))}
            value={currency}
            error={error("reward.currency")}
          />
        </div>
        <div class="field-row">
          <TextField
            name={name("reward.percent")}
            label="Percentage"
            hint="For a percentage: of the sale, more than 0, at most 100, e.g. 20."
            inputmode="decimal"
            value={value("reward.percent")}
            error={error("reward.percent")}
          />
          <TextField
            name={name("reward.max_per_transaction_usd_cents")}
            label="Cap per sale (USD)"
            hint="For a percentage: at most this per sale."
            inputmode="decimal"
            value={value("reward.max_per_transaction_usd_cents")}
            error={error("reward.max_per_transaction_usd_cents")}
          />
        </div>
        <TextField
          name={name("reward.max_per_customer_usd_cents")}
          label="Cap per customer (USD)"
          hint="For a sale: what one customer can earn the partner from this trigger, all time."
          inputmode="decimal"
          value={value("reward.max_per_customer_usd_cents")}
          error={error("reward.max_per_customer_usd_cents")}
        />
      </fieldset>
      {props.saved ? (
        <CheckboxField
          name={at(index, "remove")}
          label="Remove this trigger"
          checked={fieldValue(values, at(index, "remove")) !== ""}
        />
      ) : null}
    </fieldset>
  );
}

/**
 * The stage of a `stage_entered` trigger: the group's live lead and deal stages, by pipeline. Its
 * value carries both (`lead:stg_…`), the API's `pipeline` and `stage_id`; a saved trigger's removed
 * stage stays choosable as it was.
 */
function StageSelect({
  name,
  value,
  error,
  leadStages,
  dealStages,
}: {
  name: string;
  value: string;
  error?: string;
  leadStages: Stage[];
  dealStages: Stage[];
}) {
  const id = fieldId(name);
  const hint = "For “A lead or deal enters a stage” only: the stage, in the lead or the deal pipeline.";
  const known = [...leadStages, ...dealStages].some((stage) => `${stage.kind}:${stage.id}` === value);
  return (
    <div class="field">
      <label for={id}>
        Stage<span class="field-hint-inline"> (optional)</span>
      </label>
      <small id={`${id}-hint`} class="field-hint">
        {hint}
      </small>
      {error ? (
        <p id={`${id}-error`} class="field-error">
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <select
        id={id}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      >
        <option value="">No stage</option>
        {(
          [
            ["Lead pipeline", leadStages],
            ["Deal pipeline", dealStages],
          ] as const
        ).map(([label, stages]) => (
          <optgroup label={label}>
            {stages.map((stage) => (
              <option value={`${stage.kind}:${stage.id}`} selected={`${stage.kind}:${stage.id}` === value}>
                {stage.name}
              </option>
            ))}
          </optgroup>
        ))}
        {value !== "" && !known ? (
          <option value={value} selected>
            A removed stage
          </option>
        ) : null}
      </select>
    </div>
  );
}
