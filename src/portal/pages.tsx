// The signed-in partner's pages: its links (copy, QR code, share), stats, rewards and profile. Each
// reads only the signed-in partner's own data, through the same services as the admin API.
import { z } from "@hono/zod-openapi";
import { raw } from "hono/html";
import { renderSVG } from "uqr";
import type { FieldError } from "../lib/errors";
import { listLinkDomains } from "../link-domains/service";
import { listOffers } from "../offers/service";
import { money, offerSummary } from "../offers/summary";
import { linkOrigin } from "../partners/partners.handlers";
import { listPartnerLinks, updatePartner } from "../partners/service";
import { listPartnerRewards, partnerRewardTotals, type Reward } from "../rewards/service";
import { shareContentFor } from "../social/service";
import { X_MAX_LENGTH } from "../social/templates";
import { partnerStatsOf } from "../stats/service";
import { CopyField } from "../web/copy";
import { errorOf, PostForm, TextField } from "../web/form";
import { type FormValues, fieldValue, formErrorsOf, readForm, validateForm } from "../web/forms";
import { renderPage } from "../web/layout";
import { type Company, type PortalCtx, pageUrl } from "./access";
import { day, moment, Notice, PortalPage, usd } from "./layout";

// ---- My links --------------------------------------------------------------------------------

interface ShownLink {
  slug: string;
  title: string;
  description: string;
  url: string;
  share: Awaited<ReturnType<typeof shareContentFor>>;
}

/** The partner's links on the company's verified link domain (null: none verified yet, nothing to share). */
async function partnerLinks(c: PortalCtx): Promise<ShownLink[] | null> {
  const company = c.get("company");
  const { partner } = c.get("signedIn");
  const [rows, domains] = await Promise.all([
    listPartnerLinks(c.env, company.id, partner.id),
    listLinkDomains(c.env, company.id),
  ]);
  const served = domains.find((domain) => domain.status === "verified");
  if (!served) return null;
  const origin = linkOrigin(c.env, served.hostname);
  return Promise.all(
    rows.map(async ({ defaultLink, slug }) => {
      const url = `${origin}/${slug}`;
      return {
        slug,
        title: defaultLink.title,
        description: defaultLink.description ?? "",
        url,
        share: await shareContentFor(c.env, company.id, partner, url),
      };
    }),
  );
}

export async function linksPage(c: PortalCtx) {
  const company = c.get("company");
  const signedIn = c.get("signedIn");
  const links = await partnerLinks(c);
  return renderPage(
    c,
    <PortalPage company={company} signedIn={signedIn} section="links" title="My links">
      <p class="eyebrow">Hello {signedIn.partner.firstName}</p>
      <h1>My links</h1>
      {links?.length ? (
        <p>
          Share these links. Every visit through them is counted for you in the {signedIn.group.name} program of{" "}
          {company.name}, and so are the customers they bring.
        </p>
      ) : null}
      {signedIn.group.referralLinksEnabled ? null : (
        <p class="notice">{company.name} has paused referral links for your group: they do not redirect for now.</p>
      )}
      {links === null ? (
        <p>Your links appear here as soon as {company.name} has set up the web address they are served on.</p>
      ) : links.length === 0 ? (
        <p>You have no links yet.</p>
      ) : (
        links.map((link, index) => <LinkCard company={company} link={link} index={index} />)
      )}
    </PortalPage>,
  );
}

function LinkCard({ company, link, index }: { company: Company; link: ShownLink; index: number }) {
  const id = `link-${index + 1}`;
  const { rendered, shareUrls, xLength } = link.share;
  return (
    <article class="link-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{link.title}</h2>
      {link.description ? <p>{link.description}</p> : null}
      <CopyField name={id} label="Your link" value={link.url} buttonLabel="Copy link" />
      <div class="link-tools">
        <figure class="qr">
          <div role="img" aria-label={`QR code of ${link.url}`}>
            {raw(renderSVG(link.url, { ecc: "M", border: 4, pixelSize: 4 }))}
          </div>
          <figcaption>
            Scan it to open your link.{" "}
            <a href={pageUrl(company, `/links/${link.slug}/qr.svg`)} download={`${link.slug}-qr.svg`}>
              Download the QR code<span class="visually-hidden"> of {link.title}</span> (SVG)
            </a>
          </figcaption>
        </figure>
        <section class="share" aria-labelledby={`${id}-share`}>
          <h3 id={`${id}-share`}>Share</h3>
          <ul class="share-buttons">
            <li>
              <a href={shareUrls.twitter} class="button-link" rel="noopener">
                Post on X<span class="visually-hidden"> ({link.title})</span>
              </a>
            </li>
            {shareUrls.linkedin ? (
              <li>
                <a href={shareUrls.linkedin} class="button-link" rel="noopener">
                  Share on LinkedIn<span class="visually-hidden"> ({link.title})</span>
                </a>
              </li>
            ) : null}
            <li>
              <a href={shareUrls.email} class="button-link">
                Send by email<span class="visually-hidden"> ({link.title})</span>
              </a>
            </li>
          </ul>
          <details class="share-preview">
            <summary>
              Preview what you share<span class="visually-hidden"> ({link.title})</span>
            </summary>
            <h4>X post</h4>
            <p class="share-text">{rendered.twitterMessage}</p>
            <p>
              <small>
                {xLength} of {X_MAX_LENGTH} characters as X counts them
                {xLength > X_MAX_LENGTH ? ": too long for one post, shorten it on X before posting." : "."}
              </small>
            </p>
            <h4>LinkedIn post</h4>
            <p>
              <strong>{rendered.linkedinTitle}</strong>
            </p>
            <p class="share-text">{rendered.linkedinMessage}</p>
            <p>
              <small>LinkedIn's share page takes only the link: paste the title and message there.</small>
            </p>
            <h4>Email</h4>
            <p>
              <strong>{rendered.emailSubject}</strong>
            </p>
            <p class="share-text">{rendered.emailBody}</p>
          </details>
        </section>
      </div>
    </article>
  );
}

/** One of the partner's links as a QR code file (SVG), to print or put in a slide. */
export async function qrFile(c: PortalCtx) {
  const links = (await partnerLinks(c)) ?? [];
  const link = links.find((candidate) => candidate.slug === c.req.param("slug"));
  if (!link) return c.notFound();
  return c.body(renderSVG(link.url, { ecc: "M", border: 4, pixelSize: 8 }), 200, {
    "content-type": "image/svg+xml",
    "content-disposition": `attachment; filename="${link.slug}-qr.svg"`,
    "cache-control": "no-store",
  });
}

// ---- Stats -------------------------------------------------------------------------------------

export async function statsPage(c: PortalCtx) {
  const company = c.get("company");
  const signedIn = c.get("signedIn");
  const stats = await partnerStatsOf(c.env, company.id, signedIn.partner.id);
  const signups = stats.signupsPaid + stats.signupsUnpaid;
  return renderPage(
    c,
    <PortalPage company={company} signedIn={signedIn} section="stats" title="Stats">
      <h1>Stats</h1>
      <dl class="figures">
        <div>
          <dt>Clicks</dt>
          <dd>{stats.clicks.toLocaleString("en-US")}</dd>
        </div>
        <div>
          <dt>Signups</dt>
          <dd>{signups.toLocaleString("en-US")}</dd>
          <dd class="figure-detail">
            {stats.signupsPaid.toLocaleString("en-US")} paying, {stats.signupsUnpaid.toLocaleString("en-US")} not paying
            yet
          </dd>
        </div>
        <div>
          <dt>Revenue</dt>
          <dd>{usd(stats.revenueUsdCents)}</dd>
          <dd class="figure-detail">what your customers paid, in US dollars</dd>
        </div>
      </dl>
      <p>
        {stats.refreshedAt === null
          ? "Your numbers are counted every hour; they have not been counted yet."
          : `Counted every hour; last counted ${moment(stats.refreshedAt)}.`}
      </p>
    </PortalPage>,
  );
}

// ---- Rewards -----------------------------------------------------------------------------------

const REWARDS_SHOWN = 100;

const STATUS_WORDS: Record<Reward["status"], string> = {
  pending: "Pending",
  approved: "Approved",
  paid: "Paid",
  reversed: "Reversed",
};

function rewardReason(reward: Reward): string {
  if (reward.sourceType === "signup") return "A new customer";
  if (reward.sourceType === "manual") return reward.reason ? `Bonus: ${reward.reason}` : "Bonus";
  // The sale's amount is shown when it is in the reward's currency (whose minor-unit digits the reward keeps).
  const sale =
    reward.eventAmount !== null && reward.eventCurrency === reward.currency
      ? ` of ${money(reward.eventAmount, reward.currency, reward.minorUnitDigits)}`
      : "";
  return `A sale${sale}`;
}

export async function rewardsPage(c: PortalCtx) {
  const company = c.get("company");
  const signedIn = c.get("signedIn");
  const { partner, group } = signedIn;
  const [totals, page, offers] = await Promise.all([
    partnerRewardTotals(c.env, company.id, partner.id),
    listPartnerRewards(c.env, company.id, partner.id, { limit: REWARDS_SHOWN, newestFirst: true }),
    listOffers(c.env, company.id, group.id, { limit: 100 }),
  ]);
  const active = offers.rows.filter(({ version }) => version.active);
  return renderPage(
    c,
    <PortalPage company={company} signedIn={signedIn} section="rewards" title="Rewards">
      <h1>Rewards</h1>
      <section aria-labelledby="earn-title">
        <h2 id="earn-title">What you can earn</h2>
        {active.length === 0 ? (
          <p>The {group.name} program has no offer at the moment.</p>
        ) : (
          <ul>
            {active.map(({ version }) => (
              <li>
                <strong>{version.name}</strong>: {offerSummary(version.triggers)}
                {version.description ? <p class="offer-description">{version.description}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="totals-title">
        <h2 id="totals-title">Your rewards</h2>
        <dl class="figures">
          <div>
            <dt>Earned</dt>
            <dd>{usd(totals.earnedUsdCents)}</dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd>{usd(totals.pending.usdCents)}</dd>
            <dd class="figure-detail">held until the offer's waiting period is over</dd>
          </div>
          <div>
            <dt>Approved</dt>
            <dd>{usd(totals.approved.usdCents)}</dd>
            <dd class="figure-detail">to be paid</dd>
          </div>
          <div>
            <dt>Paid</dt>
            <dd>{usd(totals.paid.usdCents)}</dd>
          </div>
          <div>
            <dt>Reversed</dt>
            <dd>{usd(totals.reversed.usdCents)}</dd>
            <dd class="figure-detail">taken back after refunds</dd>
          </div>
        </dl>
        <p>
          <small>In US dollars at the rate of each reward's day.</small>
        </p>
      </section>
      <section aria-labelledby="list-title">
        <h2 id="list-title">{page.hasMore ? `Your latest ${REWARDS_SHOWN} rewards` : "Every reward"}</h2>
        {page.rows.length === 0 ? (
          <p>No rewards yet: they appear here when the customers you bring sign up or buy.</p>
        ) : (
          <ul class="entries">
            {page.rows.map((reward) => (
              <li>
                <span class="entry-main">
                  <strong>
                    {money(reward.amount - reward.reversedAmount, reward.currency, reward.minorUnitDigits)}
                  </strong>{" "}
                  — {rewardReason(reward)}
                </span>
                <span class={`badge badge-${reward.status}`}>{STATUS_WORDS[reward.status]}</span>
                <small>
                  {day(reward.eventAt)}
                  {reward.status === "pending" ? `; pending until ${day(reward.holdUntil)}` : ""}
                  {reward.reversedAmount > 0 && reward.status !== "reversed"
                    ? `; ${money(reward.reversedAmount, reward.currency, reward.minorUnitDigits)} taken back`
                    : ""}
                </small>
              </li>
            ))}
          </ul>
        )}
      </section>
    </PortalPage>,
  );
}

// ---- Profile -----------------------------------------------------------------------------------

const personName = (what: string) =>
  z.string().trim().min(1, `Enter your ${what}`).max(100, `Your ${what} must be 100 characters or fewer`);

const ProfileForm = z.object({ first_name: personName("first name"), last_name: personName("last name") });

export function profilePage(c: PortalCtx) {
  const { partner } = c.get("signedIn");
  const values = { first_name: partner.firstName, last_name: partner.lastName };
  return renderProfile(c, values, [], c.req.query("saved") !== undefined);
}

async function renderProfile(c: PortalCtx, values: FormValues, errors: FieldError[], saved = false, status = 200) {
  const company = c.get("company");
  const signedIn = c.get("signedIn");
  const { partner, group } = signedIn;
  return renderPage(
    c,
    <PortalPage company={company} signedIn={signedIn} section="profile" title="Profile" errors={errors}>
      {saved ? <Notice>Your profile is saved.</Notice> : null}
      <h1>Profile</h1>
      <dl class="facts">
        <dt>Email address</dt>
        <dd>
          {partner.email}
          <br />
          <small>You sign in with it. To change it, ask {company.name}.</small>
        </dd>
        <dt>Program</dt>
        <dd>{group.name}</dd>
        <dt>Partner key</dt>
        <dd>
          <code>{partner.partnerKey}</code>
        </dd>
        <dt>Partner since</dt>
        <dd>{day(partner.createdAt)}</dd>
      </dl>
      <h2>Your name</h2>
      <PostForm action={pageUrl(company, "/profile")} csrf={signedIn.csrf}>
        <TextField
          name="first_name"
          label="First name"
          required
          autocomplete="given-name"
          value={fieldValue(values, "first_name")}
          error={errorOf(errors, "first_name")}
        />
        <TextField
          name="last_name"
          label="Last name"
          required
          autocomplete="family-name"
          value={fieldValue(values, "last_name")}
          error={errorOf(errors, "last_name")}
        />
        <button type="submit">Save</button>
      </PostForm>
    </PortalPage>,
    status as 200 | 422,
  );
}

export async function saveProfile(c: PortalCtx) {
  const company = c.get("company");
  const { partner } = c.get("signedIn");
  const values = await readForm(c);
  const result = validateForm(ProfileForm, values);
  if (!result.ok) return renderProfile(c, values, result.errors, false, 422);
  try {
    await updatePartner(c.env, company.id, partner.id, {
      firstName: result.data.first_name,
      lastName: result.data.last_name,
    });
  } catch (error) {
    const errors = formErrorsOf(error);
    if (errors) return renderProfile(c, values, errors, false, 422);
    throw error;
  }
  return c.redirect(pageUrl(company, "/profile?saved"), 303);
}
