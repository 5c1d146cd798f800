// The demo company's activity, so every console tab and portal page shows real numbers on first
// sign-in: two weeks of clicks, conversions, sales in two currencies and a refund, an offer and the
// rewards those events earned, applications, leads, deals, social content, then one rollup.
// Everything goes through the code the API and the click consumer run (no row is hand-written), so
// the numbers agree with each other exactly as live traffic's would. Deterministic apart from times
// (relative to now) and ids, and offline.
import { approveApplication, submitApplication } from "../applications/service";
import { writeClicks } from "../clicks/consumer";
import { type ClickEvent, visitorHash } from "../clicks/event";
import type { Stores } from "../companies/service";
import { moveDeal, registerDealForPartner } from "../deals/service";
import { updateForm } from "../forms/service";
import { setRate } from "../fx/service";
import { createCustomer, recordConversion, recordTransaction } from "../ingest/service";
import { moveLead } from "../leads/service";
import type { ClickKind } from "../lib/constants";
import { sortableToken } from "../lib/ids";
import { DAY_MS, HOUR_MS } from "../lib/time";
import { parseInput } from "../lib/validation";
import { CreateOfferBody } from "../offers/offers.routes";
import { createOffer } from "../offers/service";
import { createEntry, listStages } from "../pipelines/service";
import { changeRewardStatus, payRewards } from "../rewards/lifecycle";
import { runRollup } from "../rollup/rollup";
import { updateSocialContent } from "../social/service";
import { UpdateSocialContentBody } from "../social/social.routes";

/** How far back the demo's clicks go. */
export const DEMO_DAYS = 14;
/** Only the visitor hashes depend on it; any fixed text makes them repeat for a returning visitor. */
const DEMO_VISITOR_SALT = "edgeref-demo";

export interface DemoProgram {
  companyId: string;
  /** The demo API key's id: what the API records as the actor of an admin's change. */
  actor: string;
  affiliatesId: string;
  resellersId: string;
  /** Affiliates' partners (Jane, Ravi, Amélie), then Resellers' (Tom). */
  partners: { id: string; groupId: string; partnerKey: string }[];
}

export async function seedDemoActivity(env: Stores, demo: DemoProgram, now = Date.now()): Promise<void> {
  const { companyId, actor, affiliatesId, resellersId } = demo;
  const random = mulberry32(13);
  const admin = { kind: "company" as const, id: actor };

  // Exchange rates of the company (USD needs none): sales in euros are converted at this one.
  await setRate(env, companyId, { currency: "EUR", usdPerUnit: 1.08 });

  // The plan's gated features, on: Affiliates take leads, Resellers register deals and apply (gated).
  await updateForm(env, companyId, affiliatesId, "lead", { enabled: true }, actor);
  await updateForm(env, companyId, resellersId, "deal", { enabled: true }, actor);
  await updateForm(env, companyId, resellersId, "application", { enabled: true }, actor);

  // Applications to the gated Resellers group: one approved (a partner with a link), one waiting.
  const applied = await submitApplication(env, companyId, {
    groupId: resellersId,
    values: applicant("Mei", "Chen", "Chen Consulting", "I resell analytics to retail chains in Asia."),
  });
  await approveApplication(env, companyId, applied.id, {}, actor);
  await submitApplication(env, companyId, {
    groupId: resellersId,
    values: applicant("Lars", "Nilsson", "Nordic Data AB", "We implement dashboards for Nordic SaaS teams."),
  });

  // The offer of Affiliates: $5 per signup, 20% of each sale, $25 for a lead that is qualified.
  const leadStages = await listStages(env, companyId, affiliatesId, "lead");
  const stage = (name: string) => leadStages.find((s) => s.name === name)!;
  const offer = parseInput(CreateOfferBody, {
    name: "Affiliate launch offer",
    description: "$5 per signup, 20% of every sale for a year, $25 per qualified lead.",
    hold_days: 30,
    triggers: [
      { event: "signup", reward: { type: "flat", amount: 500, currency: "USD" } },
      {
        event: "transaction",
        conditions: { within_months_of_signup: 12 },
        reward: { type: "percent", percent: 20, max_per_customer_usd_cents: 50_000 },
      },
      {
        event: "stage_entered",
        conditions: { pipeline: "lead", stage_id: stage("Qualified").id },
        reward: { type: "flat", amount: 2500, currency: "USD" },
      },
    ],
  });
  await createOffer(env, companyId, affiliatesId, offer, actor);

  // Clicks, written by the click consumer's writer, in queue-sized batches.
  const events = await demoClicks(env, companyId, random, now);
  for (let i = 0; i < events.length; i += 100) await writeClicks(env.DB, events.slice(i, i + 100), now);

  // Signups: converted from human clicks (attributed by click), and two referred by partner key.
  const convertible = events.filter((e) => e.kind === "human" && e.ts < now - HOUR_MS);
  const byGroup = (groupId: string) => convertible.filter((e) => e.groupId === groupId);
  const customers: string[] = [];
  const picks = [...spread(byGroup(affiliatesId), 8), ...spread(byGroup(resellersId), 2)];
  for (const [i, click] of picks.entries()) {
    const customerKey = `demo_customer_${i + 1}`;
    const [name, email] = CUSTOMERS[i]!;
    await recordConversion(env, companyId, { xid: click.clickId, customerKey, name, email });
    customers.push(customerKey);
  }
  for (const [i, partner] of [demo.partners[1]!, demo.partners[3]!].entries()) {
    const customerKey = `demo_referred_${i + 1}`;
    const [name, email] = REFERRED[i]!;
    await createCustomer(env, companyId, { customerKey, email, name, partnerKey: partner.partnerKey });
    customers.push(customerKey);
  }

  // Sales in US dollars and euros (minor units), then one refunded in full: its reward is reversed.
  const sales: [customer: number, amount: number, currency: string, product: string][] = [
    [0, 4900, "USD", "pro_plan"],
    [0, 4900, "USD", "pro_plan"],
    [1, 19_900, "USD", "team_plan"],
    [2, 4500, "EUR", "pro_plan"],
    [3, 4500, "EUR", "pro_plan"],
    [4, 4900, "USD", "pro_plan"],
    [8, 99_000, "USD", "enterprise_plan"],
    [10, 4900, "USD", "pro_plan"],
    [11, 18_000, "EUR", "team_plan"],
  ];
  for (const [i, [customer, amount, currency, productKey]] of sales.entries()) {
    await recordTransaction(env, companyId, {
      key: `demo_sale_${i + 1}`,
      customerKey: customers[customer]!,
      amount,
      currency,
      productKey,
    });
  }
  await recordTransaction(env, companyId, {
    key: "demo_refund_1",
    customerKey: customers[4]!,
    amount: -4900,
    currency: "USD",
    refundOf: "demo_sale_6",
  });

  // Leads of Affiliates' partners, qualified and worked by the company; the qualified ones earn.
  // Submitted as the partner API's submitLead does (the pipeline's own entry), without a credential.
  const leadPlan: [partner: number, company: string, contact: string, stages: string[]][] = [
    [0, "Initech", "Bill Lumbergh", ["Contacted", "Qualified", "Converted"]],
    [1, "Umbrella Corp", "Alice Abernathy", ["Contacted", "Qualified"]],
    [2, "Soylent", "Sol Roth", ["Contacted"]],
    [0, "Vandelay Industries", "Art Vandelay", []],
    [1, "Hooli", "Gavin Belson", ["Contacted", "Disqualified"]],
  ];
  for (const [partner, company, contact, moves] of leadPlan) {
    const lead = await createEntry(
      env,
      "lead",
      companyId,
      { groupId: affiliatesId, partnerId: demo.partners[partner]!.id, values: contactValues(company, contact) },
      { kind: "partner", id: demo.partners[partner]!.id },
    );
    for (const name of moves) await moveLead(env, companyId, lead.id, stage(name).id, actor);
  }

  // Deals of Resellers' partner: one registered, one in progress, one closed won (creating its customer).
  const dealStages = await listStages(env, companyId, resellersId, "deal");
  const dealStage = (name: string) => dealStages.find((s) => s.name === name)!;
  const tom = demo.partners[3]!.id;
  const dealPlan: [company: string, contact: string, value: number, stages: string[]][] = [
    ["Globex", "Hank Scorpio", 24_000, ["In progress", "Closed won"]],
    ["Stark Industries", "Pepper Potts", 60_000, ["In progress"]],
    ["Wayne Enterprises", "Lucius Fox", 15_000, []],
  ];
  for (const [company, contact, value, moves] of dealPlan) {
    const values = { ...contactValues(company, contact), deal_value: value };
    const deal = await registerDealForPartner(env, companyId, { partnerId: tom, values }, actor);
    for (const name of moves) await moveDeal(env, companyId, deal.id, { stageId: dealStage(name).id }, admin);
  }

  // Social content Affiliates' partners share (the defaults until a company saves its own).
  await updateSocialContent(
    env,
    companyId,
    affiliatesId,
    parseInput(UpdateSocialContentBody, {
      twitter: { message: "I track every campaign with {company_name}. Try it free: {link}" },
      linkedin: { title: "The analytics tool I recommend to every client" },
    }),
  );

  // Rewards: the earliest signups' and the qualified lead's approved, and one of them paid out.
  const { results } = await env.DB.prepare(
    "SELECT id, source_type FROM rewards WHERE company_id = ?1 AND status = 'pending' ORDER BY id",
  )
    .bind(companyId)
    .all<{ id: string; source_type: string }>();
  const toApprove = [
    ...results.filter((r) => r.source_type === "signup").slice(0, 4),
    ...results.filter((r) => r.source_type === "stage_entered").slice(0, 1),
  ];
  for (const reward of toApprove) {
    await changeRewardStatus(env, companyId, reward.id, { status: "approved", reason: "Demo: checked" }, actor);
  }
  await payRewards(env, companyId, { rewardIds: [toApprove[0]!.id], payoutReference: "DEMO-PAYOUT-001" }, actor);

  // The hourly rollup, once: the Groups tab's stats and their "updated" time.
  await runRollup(env, now);
}

/** About ten clicks a day on each partner link, more on recent days, with some bots and prefetches. */
async function demoClicks(env: Stores, companyId: string, random: () => number, now: number) {
  const { results: links } = await env.DB.prepare(
    `SELECT pl.id, pl.partner_id, p.group_id, d.id AS default_link_id
     FROM partner_links pl JOIN partners p ON p.id = pl.partner_id
     JOIN default_links d ON d.group_id = p.group_id AND d.link_text = pl.link_text AND d.deleted_at IS NULL
     WHERE pl.company_id = ?1 ORDER BY pl.slug`,
  )
    .bind(companyId)
    .all<{ id: string; partner_id: string; group_id: string; default_link_id: string }>();
  const events: ClickEvent[] = [];
  for (const [l, link] of links.entries()) {
    // Each link has its own audience, some of whom come back.
    const visitors = Array.from({ length: 25 + l * 3 }, (_, v) => `198.51.100.${(l * 31 + v) % 250}`);
    const weight = 1 + ((l * 7) % 5) / 2;
    for (let day = DEMO_DAYS - 1; day >= 0; day--) {
      const perDay = Math.round(weight * (2 + random() * 3) * (1 + (DEMO_DAYS - day) / DEMO_DAYS));
      for (let c = 0; c < perDay; c++) {
        // Within the day, never in the last minutes (as if the queue had delivered them all).
        const ts = Math.floor(now - day * DAY_MS - 10 * 60_000 - random() * (DAY_MS - 10 * 60_000));
        const kind = pickKind(random());
        const agent = kind === "bot" ? BOT_AGENT : pick(AGENTS, random());
        events.push({
          v: 1,
          clickId: sortableToken(ts),
          ts,
          companyId,
          groupId: link.group_id,
          partnerId: link.partner_id,
          partnerLinkId: link.id,
          defaultLinkId: link.default_link_id,
          kind,
          country: pick(COUNTRIES, random()),
          refererHost: pick(REFERERS, random()),
          visitorHash: visitorHash(DEMO_VISITOR_SALT, ts, pick(visitors, random()), agent),
        });
      }
    }
  }
  return events.sort((a, b) => a.ts - b.ts);
}

function pickKind(roll: number): ClickKind {
  if (roll < 0.07) return "bot";
  if (roll < 0.1) return "prefetch";
  if (roll < 0.11) return "head";
  return "human";
}

/** `count` items spread evenly over `items` (oldest to newest). */
function spread<T>(items: T[], count: number): T[] {
  return Array.from({ length: count }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / count)]!);
}

const pick = <T>(items: readonly T[], roll: number): T => items[Math.floor(roll * items.length)]!;

/** A small seeded generator: the same demo on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function applicant(firstName: string, lastName: string, company: string, promotion: string) {
  return {
    first_name: firstName,
    last_name: lastName,
    email: `${lastName.toLowerCase()}@applicants.example`,
    company,
    website: `https://${company.toLowerCase().replaceAll(" ", "-")}.example`,
    promotion,
  };
}

function contactValues(company: string, contact: string) {
  const domain = `${company.toLowerCase().replaceAll(" ", "-")}.example`;
  return {
    company_name: company,
    contact_name: contact,
    contact_email: `${contact.split(" ")[0]!.toLowerCase()}@${domain}`,
  };
}

const CUSTOMERS: [name: string, email: string][] = [
  ["Olivia Smith", "olivia@customers.example"],
  ["Noah Johnson", "noah@customers.example"],
  ["Emma Müller", "emma@customers.example"],
  ["Lucas Martin", "lucas@customers.example"],
  ["Sofia Rossi", "sofia@customers.example"],
  ["Liam Brown", "liam@customers.example"],
  ["Mia García", "mia@customers.example"],
  ["Ethan Wilson", "ethan@customers.example"],
  ["Ava Taylor", "ava@customers.example"],
  ["Henry Clark", "henry@customers.example"],
];
const REFERRED: [name: string, email: string][] = [
  ["Chloé Dubois", "chloe@customers.example"],
  ["Jonas Weber", "jonas@customers.example"],
];
const COUNTRIES = ["US", "US", "US", "GB", "DE", "FR", "CA", "IN", "NL", "AU"] as const;
const REFERERS = [null, null, "www.google.com", "t.co", "www.linkedin.com", "news.ycombinator.com", "blog.example"];
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
] as const;
const BOT_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
