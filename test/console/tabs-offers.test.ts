// A group's Offers tab in the console: the offers with their one-line summaries and active state,
// "Create offer" when there are none, and the offer form with its trigger editor (events, the
// conditions of a sale, a stage of the group's live pipelines, flat or percentage rewards with caps)
// through the offers service and the API's schemas: errors beside the trigger's field, an edit a
// new version, existing triggers kept (or removed) and a new one added without JavaScript.
import { describe, expect, it } from "vitest";
import { fieldId } from "../../src/web/form";
import { api, bodyOf, tableSnapshot } from "../helpers/admin";
import { addConsoleUser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";

/** The page's error beside the field the API names (`triggers.0.reward.amount`). */
const errorBeside = (html: string, field: string) => fieldError(html, fieldId(field).slice("field-".length));

/** A trigger block's form fields, named as the API names the trigger's fields. */
const block = (index: number, fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([name, value]) => [`triggers.${index}.${name}`, value]));

const FIVE_USD = { "reward.type": "flat", "reward.amount": "5", "reward.currency": "USD" };
const SIGNUP_DOLLAR = { event: "signup", "reward.type": "flat", "reward.amount": "1", "reward.currency": "USD" };

async function withGroup() {
  const t = await consoleTenant();
  const group = bodyOf(
    await api(t.key, "POST", "/v1/groups", { name: "Affiliates", destination_url: "https://acme.example/" }),
    201,
  );
  const offers = `/console/groups/${group.id}/offers`;
  const apiOffers = async () => bodyOf(await api(t.key, "GET", `/v1/groups/${group.id}/offers`), 200).data;
  return { ...t, group, offers, apiOffers };
}

/** Creates an offer through the console; answers it as the API shows it. */
async function createThroughConsole(t: Awaited<ReturnType<typeof withGroup>>, fields: Record<string, string>) {
  await t.browser.get(`${t.offers}/new`);
  const r = await t.browser.post(t.offers, { name: "Launch offer", active: "yes", hold_days: "30", ...fields });
  expect(r.status, r.html.slice(0, 2000)).toBe(303);
  const offer = (await t.apiOffers()).at(-1)!;
  expect(r.location).toBe(`${t.offers}/${offer.id}?notice=created`);
  return offer;
}

describe("Offers tab", () => {
  it("with no offers says so and puts 'Create offer' first; a viewer sees no such button", async () => {
    const t = await withGroup();
    const page = await t.browser.get(t.offers);
    expect(page.status).toBe(200);
    expect(decodeHtml(page.html)).toContain("No offers yet:");
    expect(page.html).toMatch(/<div class="empty-state">[\s\S]*<a href="[^"]+\/offers\/new" class="button-link">/);
    const viewer = await addConsoleUser(t.companyId, "viewer");
    const seen = await viewer.browser.get(t.offers);
    expect(seen.html).toContain("No offers yet:");
    expect(seen.html).not.toContain("Create offer");
    expect((await viewer.browser.get(`${t.offers}/new`)).status).toBe(403);
  });

  it("creates an offer with a signup trigger; the tab lists it with its summary and active state", async () => {
    const t = await withGroup();
    const form = await t.browser.get(`${t.offers}/new`);
    expect(form.html).toContain('name="triggers.0.event"');
    expect(form.html).toContain('<option value="">Choose an event (leave empty to add no trigger)</option>');
    const offer = await createThroughConsole(t, { description: "For everyone", ...block(0, SIGNUP_DOLLAR) });
    expect(offer).toMatchObject({
      name: "Launch offer",
      description: "For everyone",
      active: true,
      hold_days: 30,
      version: 1,
      summary: "Earn $1.00 for every new customer you sign up",
    });
    expect(offer.triggers[0]).toMatchObject({
      event: "signup",
      reward: { type: "flat", amount: 100, currency: "USD" },
    });
    const page = await t.browser.get(`${t.offers}/${offer.id}?notice=created`);
    expect(page.html).toContain("Created.");
    expect(page.html).toContain("Version 1, in effect since");
    const tab = decodeHtml((await t.browser.get(t.offers)).html);
    expect(tab).toContain(`<a href="${t.offers}/${offer.id}">Launch offer</a>`);
    expect(tab).toContain('<td data-label="Earns">Earn $1.00 for every new customer you sign up</td>');
    expect(tab).toContain('<span class="badge">Active</span>');
    expect(tab).toContain("Create offer");
  });

  it("a sale trigger: product and category keys, minimum, first sale, months, percent with caps, as sent", async () => {
    const t = await withGroup();
    const offer = await createThroughConsole(t, {
      ...block(0, {
        event: "transaction",
        "conditions.product_key": "pro_plan, team_plan",
        "conditions.category_key": "software",
        "conditions.min_amount_usd_cents": "1,000.50",
        "conditions.first_transaction_only": "yes",
        "conditions.within_months_of_signup": "12",
        "reward.type": "percent",
        "reward.percent": "12.5",
        "reward.max_per_transaction_usd_cents": "50",
        "reward.max_per_customer_usd_cents": "500",
        "reward.currency": "USD",
      }),
    });
    expect(offer.triggers[0]).toMatchObject({
      event: "transaction",
      conditions: {
        product_key: { in: ["pro_plan", "team_plan"] },
        category_key: { eq: "software" },
        min_amount_usd_cents: 100050,
        first_transaction_only: true,
        within_months_of_signup: 12,
      },
      reward: {
        type: "percent",
        percent: 12.5,
        max_per_transaction_usd_cents: 5000,
        max_per_customer_usd_cents: 50000,
      },
    });
    expect(offer.triggers[0]!.reward).not.toHaveProperty("currency");
    expect(offer.summary).toBe(
      "Earn 12.5% of each customer's first sale when it is a Pro Plan or Team Plan sale in the Software category " +
        "of at least $1,000.50 for 12 months, up to $50 per sale and $500 per customer",
    );
  });

  it("a stage trigger picks a live stage of the group's lead or deal pipeline; a flat amount in yen", async () => {
    const t = await withGroup();
    const [, , qualified] = bodyOf(await api(t.key, "GET", `/v1/groups/${t.group.id}/pipelines/lead`), 200).stages;
    const form = await t.browser.get(`${t.offers}/new`);
    expect(form.html).toContain('<optgroup label="Lead pipeline">');
    expect(form.html).toContain(`<option value="lead:${qualified!.id}">${qualified!.name}</option>`);
    const offer = await createThroughConsole(t, {
      ...block(0, {
        event: "stage_entered",
        "conditions.stage_id": `lead:${qualified!.id}`,
        "reward.type": "flat",
        "reward.amount": "5,000",
        "reward.currency": "JPY",
      }),
      ...block(1, { event: "deal_closed", "reward.amount": "100", "reward.currency": "USD" }),
    });
    expect(offer.triggers.map((trigger) => [trigger.event, trigger.conditions, trigger.reward])).toEqual([
      ["stage_entered", { pipeline: "lead", stage_id: qualified!.id }, { type: "flat", amount: 5000, currency: "JPY" }],
      ["deal_closed", {}, { type: "flat", amount: 10000, currency: "USD" }],
    ]);
    expect(offer.summary).toBe(`Earn ¥5,000 when a lead enters ${qualified!.name}; earn $100.00 when a deal closes`);
  });

  it("errors land beside the trigger's field, in the API's words (amounts as typed); nothing written", async () => {
    const t = await withGroup();
    await t.browser.get(`${t.offers}/new`);
    const before = await tableSnapshot();
    const r = await t.browser.post(t.offers, {
      name: "",
      hold_days: "400",
      ...block(0, { ...SIGNUP_DOLLAR, "reward.amount": "0" }),
      ...block(1, { event: "signup", "reward.type": "percent", "reward.percent": "10", "conditions.product_key": "x" }),
      ...block(2, { event: "transaction", "reward.type": "percent", "reward.percent": "101" }),
      ...block(3, { event: "stage_entered", "reward.amount": "1.234", "reward.currency": "USD" }),
      ...block(4, { event: "", "reward.amount": "5" }),
      ...block(5, { event: "stage_entered", "reward.amount": "5", "reward.currency": "USD" }),
    });
    expect(r.status).toBe(422);
    expect(errorBeside(r.html, "name")).toBe("Enter a name for the offer");
    expect(errorBeside(r.html, "hold_days")).toBe("Hold (days) must be at most 365");
    expect(errorBeside(r.html, "triggers.0.reward.amount")).toBe("Amount must be at least $0.01");
    expect(errorBeside(r.html, "triggers.1.reward.type")).toBe(
      "Kind of reward: a signup has no sale amount: use `flat`",
    );
    expect(errorBeside(r.html, "triggers.1.conditions.product_key")).toBe(
      "Product keys: a signup trigger cannot use it",
    );
    expect(errorBeside(r.html, "triggers.2.reward.percent")).toBe("Percentage must be at most 100");
    expect(errorBeside(r.html, "triggers.3.reward.amount")).toBe("Amount must have at most 2 decimals");
    expect(errorBeside(r.html, "triggers.5.conditions.stage_id")).toBe("Stage: a stage_entered trigger needs it");
    expect(errorBeside(r.html, "triggers.4.event")).toBe("Choose the event that earns the reward");
    // The summary links to each field; what was typed is kept.
    expect(r.html).toContain('<a href="#field-triggers-0-reward-amount">Amount must be at least $0.01</a>');
    expect(r.html).toContain('name="triggers.2.reward.percent" type="text" value="101"');
    expect(await tableSnapshot()).toEqual(before);
    // A currency without a rate (a crafted form) is the service's 422, beside the currency.
    const noRate = await t.browser.post(t.offers, {
      name: "X",
      hold_days: "30",
      ...block(0, { ...SIGNUP_DOLLAR, "reward.currency": "XYZ" }),
    });
    expect(noRate.status).toBe(422);
    expect(errorBeside(noRate.html, "triggers.0.reward.currency")).toBe(
      "Currency: no exchange rate for 'XYZ'; add one with PUT /v1/fx-rates/XYZ",
    );
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an edit is a new version: the page says so; triggers keep their ids; saving nothing adds none", async () => {
    const t = await withGroup();
    const offer = await createThroughConsole(t, {
      ...block(0, SIGNUP_DOLLAR),
      ...block(1, { event: "transaction", "reward.type": "percent", "reward.percent": "20" }),
    });
    const page = await t.browser.get(`${t.offers}/${offer.id}`);
    expect(decodeHtml(page.html)).toContain("Saving makes version 2 of this offer, in effect from now.");
    expect(page.html).toContain(`name="triggers.0.id" value="${offer.triggers[0]!.id}"`);
    expect(page.html).toContain('name="triggers.2.event"');
    expect(page.html).not.toContain('name="triggers.3.event"');
    // Sent back as shown: no new version.
    const shown = formOf(page.html);
    const unchanged = await t.browser.post(`${t.offers}/${offer.id}`, shown);
    expect(unchanged.status, unchanged.html.slice(0, 1500)).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}/versions`), 200).data).toHaveLength(1);
    // A changed hold and percentage: version 2, same trigger ids.
    const changed = await t.browser.post(`${t.offers}/${offer.id}`, {
      ...shown,
      hold_days: "14",
      "triggers.1.reward.percent": "25",
    });
    expect(changed.location).toBe(`${t.offers}/${offer.id}?notice=saved`);
    const after = bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}`), 200);
    expect(after).toMatchObject({ version: 2, hold_days: 14 });
    expect(after.triggers.map((trigger) => trigger.id)).toEqual(offer.triggers.map((trigger) => trigger.id));
    expect(after.triggers[1]!.reward).toMatchObject({ percent: 25 });
    expect(after.triggers[0]).toEqual(offer.triggers[0]);
    const saved = await t.browser.get(changed.location!);
    expect(saved.html).toContain("Saved.");
    expect(saved.html).toContain("Version 2, in effect since");
  });

  it("an offer the API wrote in a form the console does not write (one-key `in`) saves back unchanged", async () => {
    const t = await withGroup();
    const offer = bodyOf(
      await api(t.key, "POST", `/v1/groups/${t.group.id}/offers`, {
        name: "API offer",
        description: "Line one\nline two",
        triggers: [
          {
            event: "transaction",
            conditions: { product_key: { in: ["pro_plan"] }, first_transaction_only: false },
            reward: { type: "flat", amount: 1234, currency: "KWD" },
          },
        ],
      }),
      201,
    );
    const page = await t.browser.get(`${t.offers}/${offer.id}`);
    expect(page.html).toContain('name="triggers.0.reward.amount" type="text" value="1.234"');
    const shown = formOf(page.html);
    // Browsers send a textarea's line breaks as CRLF.
    shown.description = shown.description!.replace(/\n/g, "\r\n");
    const r = await t.browser.post(`${t.offers}/${offer.id}`, shown);
    expect(r.status, r.html.slice(0, 1500)).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}/versions`), 200).data).toHaveLength(1);
  });

  it("a trigger whose stage was removed since shows 'A removed stage' and saves back unchanged", async () => {
    const t = await withGroup();
    const pipeline = `/v1/groups/${t.group.id}/pipelines/lead` as const;
    const [, contacted] = bodyOf(await api(t.key, "GET", pipeline), 200).stages;
    const offer = await createThroughConsole(t, {
      ...block(0, { event: "stage_entered", "conditions.stage_id": `lead:${contacted!.id}`, ...FIVE_USD }),
    });
    expect(bodyOf(await api(t.key, "DELETE", `${pipeline}/stages/${contacted!.id}`), 200)).toBeTruthy();
    const page = await t.browser.get(`${t.offers}/${offer.id}`);
    expect(page.html).toContain(`<option value="lead:${contacted!.id}" selected="">A removed stage</option>`);
    expect(decodeHtml(page.html)).toContain("Earn $5.00 when a lead enters a removed stage");
    const r = await t.browser.post(`${t.offers}/${offer.id}`, formOf(page.html));
    expect(r.status, r.html.slice(0, 1500)).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}/versions`), 200).data).toHaveLength(1);
  });

  it("removes a trigger and adds one in the same save; errors after a removal land on the right block", async () => {
    const t = await withGroup();
    const offer = await createThroughConsole(t, {
      ...block(0, SIGNUP_DOLLAR),
      ...block(1, { event: "deal_closed", "reward.amount": "50", "reward.currency": "USD" }),
    });
    const shown = formOf((await t.browser.get(`${t.offers}/${offer.id}`)).html);
    // Trigger 0 removed: the API sees trigger 1 as its first; its error still lands on block 1.
    const before = await tableSnapshot();
    const bad = await t.browser.post(`${t.offers}/${offer.id}`, {
      ...shown,
      "triggers.0.remove": "yes",
      "triggers.1.reward.type": "percent",
      "triggers.1.reward.percent": "5",
    });
    expect(bad.status).toBe(422);
    expect(errorBeside(bad.html, "triggers.1.reward.type")).toBe(
      "Kind of reward: a lead or deal has no sale amount: use `flat`",
    );
    expect(errorBeside(bad.html, "triggers.0.reward.type")).toBeNull();
    expect(bad.html).toContain('name="triggers.0.remove" type="checkbox" value="yes" checked=""');
    expect(await tableSnapshot()).toEqual(before);
    const r = await t.browser.post(`${t.offers}/${offer.id}`, {
      ...shown,
      "triggers.0.remove": "yes",
      ...block(2, { event: "transaction", "reward.type": "flat", "reward.amount": "7.5", "reward.currency": "EUR" }),
    });
    expect(r.status, r.html.slice(0, 1500)).toBe(303);
    const after = bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}`), 200);
    expect(after.triggers.map((trigger) => trigger.event)).toEqual(["deal_closed", "transaction"]);
    expect(after.triggers[0]!.id).toBe(offer.triggers[1]!.id);
    expect(after.triggers[1]!.reward).toMatchObject({ type: "flat", amount: 750, currency: "EUR" });
    // Every trigger removed and none added: the API's minimum, said for people.
    const shownNow = formOf((await t.browser.get(`${t.offers}/${offer.id}`)).html);
    const none = await t.browser.post(`${t.offers}/${offer.id}`, {
      ...shownNow,
      "triggers.0.remove": "yes",
      "triggers.1.remove": "yes",
    });
    expect(none.status).toBe(422);
    expect(errorBeside(none.html, "triggers")).toBe(
      "An offer needs at least one trigger: fill in the new trigger, or keep one you marked for removal",
    );
  });

  it("deactivates an offer: the tab shows it inactive", async () => {
    const t = await withGroup();
    const offer = await createThroughConsole(t, block(0, SIGNUP_DOLLAR));
    const shown = formOf((await t.browser.get(`${t.offers}/${offer.id}`)).html);
    delete shown.active;
    expect((await t.browser.post(`${t.offers}/${offer.id}`, shown)).status).toBe(303);
    expect(bodyOf(await api(t.key, "GET", `/v1/offers/${offer.id}`), 200).active).toBe(false);
    expect((await t.browser.get(t.offers)).html).toContain('<span class="badge muted">Inactive</span>');
  });

  it("a viewer reads an offer (summary, triggers) without a form; their POST is refused", async () => {
    const t = await withGroup();
    const offer = await createThroughConsole(t, block(0, SIGNUP_DOLLAR));
    const viewer = await addConsoleUser(t.companyId, "viewer");
    const page = await viewer.browser.get(`${t.offers}/${offer.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("<li>Earn $1.00 for every new customer you sign up</li>");
    expect(page.html).not.toContain('name="triggers.0.event"');
    expect([...page.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/console/sign-out",
    ]);
    const before = await tableSnapshot();
    expect((await viewer.browser.post(`${t.offers}/${offer.id}`, { name: "Mine", hold_days: "1" })).status).toBe(403);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("another company's offer, or another group's, in the URL is the 404 page; nothing changes", async () => {
    const a = await withGroup();
    const b = await withGroup();
    const theirs = await createThroughConsole(b, block(0, SIGNUP_DOLLAR));
    const sibling = bodyOf(
      await api(a.key, "POST", "/v1/groups", { name: "Resellers", destination_url: "https://acme.example/r" }),
      201,
    );
    const siblings = bodyOf(
      await api(a.key, "POST", `/v1/groups/${sibling.id}/offers`, {
        name: "Sibling",
        triggers: [{ event: "signup", reward: { type: "flat", amount: 100, currency: "USD" } }],
      }),
      201,
    );
    await a.browser.get(a.offers);
    const before = await tableSnapshot();
    for (const id of [theirs.id, siblings.id, "ofr_nonsense"]) {
      const path = `${a.offers}/${id}`;
      const page = await a.browser.get(path);
      expect(page.status, path).toBe(404);
      expect(page.html).toContain("<h1>Page not found</h1>");
      const post = await a.browser.post(path, { name: "Taken", hold_days: "1", ...block(0, SIGNUP_DOLLAR) });
      expect(post.status, path).toBe(404);
    }
    expect((await a.browser.get(b.offers)).status).toBe(404);
    expect((await a.browser.post(b.offers, { name: "X", hold_days: "1", ...block(0, SIGNUP_DOLLAR) })).status).toBe(
      404,
    );
    expect(await tableSnapshot()).toEqual(before);
  });
});

/** The form's fields as a browser would send them: inputs with their values, checked boxes, selected options. */
function formOf(html: string): Record<string, string> {
  const form = /<form method="post" action="\/console\/groups[^"]*"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
  const fields: Record<string, string> = {};
  for (const input of form.matchAll(/<input ([^>]*)>/g)) {
    const attributes = input[1]!;
    const name = /name="([^"]+)"/.exec(attributes)?.[1];
    if (!name || name === "_csrf") continue;
    const value = decodeHtml(/value="([^"]*)"/.exec(attributes)?.[1] ?? "");
    if (/type="checkbox"/.test(attributes) && !/checked=""/.test(attributes)) continue;
    fields[name] = value;
  }
  for (const select of form.matchAll(/<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected="">/.exec(select[2]!);
    fields[select[1]!] = decodeHtml(selected?.[1] ?? /<option value="([^"]*)"/.exec(select[2]!)?.[1] ?? "");
  }
  for (const textarea of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    fields[textarea[1]!] = decodeHtml(textarea[2]!);
  }
  return fields;
}
