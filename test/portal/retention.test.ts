// The hourly cron's retention removes what the portal no longer needs: sessions (revoked or idle past
// their expiry) and sign-in links a day after they ended, the local mail outbox after a day; live ones stay.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../src/lib/time";
import { OutboxMailer } from "../../src/mail/mailer";
import { purgeExpired } from "../../src/rollup/purge";
import { csrfOf } from "../helpers/pages";
import { addPortalPartner, portalProgram, signIn, signInLink } from "../helpers/portal";

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;

describe("retention of sessions, sign-in links and mail", () => {
  it("a day after they expired or were revoked they are deleted; live ones are kept", async () => {
    const t = await portalProgram();
    const partner = await addPortalPartner(t);
    const live = await signIn(t, partner.id);
    const signedOut = await signIn(t, partner.id);
    await signedOut.post(`${t.base}/sign-out`, {}, csrfOf((await signedOut.get(`${t.base}/profile`)).html));
    await signInLink(t, partner.id);
    await new OutboxMailer(env).send({ to: partner.email, subject: "s", text: "t", companyId: t.companyId });
    const sessions = () => count("SELECT count(*) AS n FROM web_sessions WHERE subject_id = ?", partner.id);
    const links = () => count("SELECT count(*) AS n FROM portal_sign_in_links WHERE partner_id = ?", partner.id);
    const mail = () => count("SELECT count(*) AS n FROM mail_outbox WHERE recipient = ?", partner.email);
    expect([await sessions(), await links(), await mail()]).toEqual([2, 3, 1]);

    // An hour later nothing has gone: not a day past expiry or revocation yet.
    await purgeExpired(env, Date.now() + 60 * 60_000);
    expect([await sessions(), await links(), await mail()]).toEqual([2, 3, 1]);
    expect((await live.get(t.base)).status).toBe(200);

    // A day and 16 minutes on: the revoked session, every link (all expired) and the mail are gone.
    await purgeExpired(env, Date.now() + DAY_MS + 16 * 60_000);
    expect([await sessions(), await links(), await mail()]).toEqual([1, 0, 0]);
    expect((await live.get(t.base)).status).toBe(200);

    // The live session, left unused: 7 days idle end it, and a day later it is gone too.
    await purgeExpired(env, Date.now() + 7 * DAY_MS + 60 * 60_000);
    expect(await sessions()).toBe(1);
    await purgeExpired(env, Date.now() + 8 * DAY_MS + 60 * 60_000);
    expect(await sessions()).toBe(0);
  });
});
