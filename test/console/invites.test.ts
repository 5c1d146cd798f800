// Invites: an owner invites by email and role; the one-time link (256-bit, stored as SHA-256, 7 days)
// opens a page where the invitee chooses a password; only its POST consumes it, once. Removing users.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import { acceptInvite, createInvite, removeUser } from "../../src/users/service";
import { tableSnapshot } from "../helpers/admin";
import { addConsoleUser, ConsoleBrowser, consoleTenant, decodeHtml, fieldError } from "../helpers/console";

const newEmail = () => `invitee-${crypto.randomUUID().slice(0, 8)}@console.test`;

/** An owner's invite through the users page: the link shown once. */
async function invite(owner: Awaited<ReturnType<typeof consoleTenant>>, email: string, role = "admin") {
  await owner.browser.get("/console/settings/users");
  const r = await owner.browser.post("/console/settings/users/invites", { email, role });
  expect(r.status, r.html).toBe(200);
  const url = /value="(https:\/\/admin\.edgeref\.test\/console\/invites\/[A-Za-z0-9_-]{43})" readonly/.exec(
    r.html,
  )?.[1];
  expect(url).toBeTruthy();
  return { page: r, path: url!.slice("https://admin.edgeref.test".length), token: url!.split("/").at(-1)! };
}

describe("invites", () => {
  it("an owner invites by email and role: the link is shown once, mailed, and stored only as its SHA-256", async () => {
    const owner = await consoleTenant();
    const email = newEmail();
    const { page, token } = await invite(owner, email, "viewer");
    expect(decodeHtml(page.html)).toContain(`We emailed this link to ${email}.`);
    const row = await env.DB.prepare("SELECT * FROM user_invites WHERE email = ?").bind(email).first();
    expect(row).toMatchObject({ company_id: owner.companyId, role: "viewer", token_hash: await sha256Hex(token) });
    expect(JSON.stringify(row)).not.toContain(token);
    const mail = await env.DB.prepare("SELECT * FROM mail_outbox WHERE recipient = ?")
      .bind(email)
      .first<{ text: string }>();
    expect(mail!.text).toContain(`/console/invites/${token}`);
    // The users page lists the waiting invite, never its link.
    const users = await owner.browser.get("/console/settings/users");
    expect(decodeHtml(users.html)).toContain(`${email} (viewer)`);
    expect(users.html).not.toContain(token);
  });

  it("opening the link changes nothing; a chosen password creates the user, signed in with their role", async () => {
    const owner = await consoleTenant();
    const email = newEmail();
    const { path } = await invite(owner, email, "viewer");
    const invitee = new ConsoleBrowser();
    const before = await tableSnapshot();
    const form = await invitee.get(path);
    expect(form.status).toBe(200);
    expect(decodeHtml(form.html)).toContain(`as <strong>viewer</strong>, with the email <strong>${email}`);
    expect(await invitee.get(path)).toMatchObject({ status: 200 });
    expect(await tableSnapshot()).toEqual(before);

    const short = await invitee.post(path, { password: "too short" });
    expect(short.status).toBe(422);
    expect(fieldError(short.html, "password")).toBe("Your password must be at least 12 characters");
    const r = await invitee.post(path, { password: "a long enough passphrase" });
    expect(r.status).toBe(303);
    expect(r.location).toBe("/console?notice=welcome");
    const home = await invitee.get(r.location!);
    expect(home.html).toContain("Your account is ready. Welcome!");
    expect(decodeHtml(home.html)).toContain(`${email} (viewer)`);
    // A viewer: no "Create group".
    expect(home.html).not.toContain("Create group");
    // The password works for signing in.
    expect((await new ConsoleBrowser().signIn(email, "a long enough passphrase")).status).toBe(303);
  });

  it("is single use: a second submission of the same link (or a replayed one) creates nothing", async () => {
    const owner = await consoleTenant();
    const email = newEmail();
    const { path, token } = await invite(owner, email);
    const first = new ConsoleBrowser();
    await first.get(path);
    const second = new ConsoleBrowser();
    await second.get(path);
    expect((await first.post(path, { password: "first passphrase here" })).status).toBe(303);
    const again = await second.post(path, { password: "second passphrase here" });
    expect(again.status).toBe(404);
    expect(again.html).toContain("<h1>This invite link cannot be used</h1>");
    expect((await second.get(path)).status).toBe(404);
    // Straight through the service, too: the consumed token creates no second user.
    expect(await acceptInvite(env, token, "third passphrase here")).toBeNull();
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first();
    expect(count!.n).toBe(1);
  });

  it("two submissions racing for one link create one user", async () => {
    const owner = await consoleTenant();
    const email = newEmail();
    const { token } = await createInvite(env, owner.companyId, owner.user.id, { email, role: "admin" });
    const results = await Promise.all([
      acceptInvite(env, token, "racing passphrase one"),
      acceptInvite(env, token, "racing passphrase two"),
    ]);
    expect(results.filter((user) => user !== null)).toHaveLength(1);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?").bind(email).first();
    expect(count!.n).toBe(1);
  });

  it("an expired, withdrawn or unknown link cannot be used", async () => {
    const owner = await consoleTenant();
    const expired = await invite(owner, newEmail());
    await env.DB.prepare("UPDATE user_invites SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1, await sha256Hex(expired.token))
      .run();
    const withdrawnEmail = newEmail();
    const withdrawn = await invite(owner, withdrawnEmail);
    const inviteId = (await env.DB.prepare("SELECT id FROM user_invites WHERE email = ?").bind(withdrawnEmail).first())!
      .id as string;
    await owner.browser.get("/console/settings/users");
    const revoke = await owner.browser.post(`/console/settings/users/invites/${inviteId}/revoke`);
    expect(revoke.location).toBe("/console/settings/users?notice=revoked");
    const visitor = new ConsoleBrowser();
    for (const path of [expired.path, withdrawn.path, `/console/invites/${"x".repeat(43)}`, "/console/invites/short"]) {
      expect((await visitor.get(path)).status, path).toBe(404);
    }
    await visitor.get("/console/sign-in");
    const before = await tableSnapshot();
    expect((await visitor.post(expired.path, { password: "a long enough passphrase" })).status).toBe(404);
    expect(await tableSnapshot()).toEqual(before);
  });

  it("an email that already has an account is not invited (the field says why)", async () => {
    const owner = await consoleTenant();
    await owner.browser.get("/console/settings/users");
    const r = await owner.browser.post("/console/settings/users/invites", { email: owner.email, role: "admin" });
    expect(r.status).toBe(422);
    expect(fieldError(r.html, "email")).toBe("Email address already has a console account");
    const bad = await owner.browser.post("/console/settings/users/invites", { email: "not an email", role: "boss" });
    expect(bad.status).toBe(422);
    expect(fieldError(bad.html, "email")).toBeTruthy();
    expect(fieldError(bad.html, "role")).toBeTruthy();
  });
});

describe("removing users", () => {
  it("an owner removes another user (their sessions end); never themselves, never the last owner", async () => {
    const owner = await consoleTenant();
    const admin = await addConsoleUser(owner.companyId, "admin");
    await owner.browser.get("/console/settings/users");
    const r = await owner.browser.post(`/console/settings/users/${admin.user.id}/remove`);
    expect(r.location).toBe("/console/settings/users?notice=removed");
    expect((await admin.browser.get("/console")).location).toBe("/console/sign-in");
    const sessions = await env.DB.prepare("SELECT revoked_at FROM web_sessions WHERE subject_id = ?")
      .bind(admin.user.id)
      .all();
    expect(sessions.results.every((row) => row.revoked_at !== null)).toBe(true);

    const self = await owner.browser.post(`/console/settings/users/${owner.user.id}/remove`);
    expect(self.status).toBe(422);
    expect(decodeHtml(self.html)).toContain("you cannot remove yourself");
    // A second owner may remove the first, but then not the last one left.
    const second = await addConsoleUser(owner.companyId, "owner");
    await second.browser.get("/console/settings/users");
    expect((await second.browser.post(`/console/settings/users/${owner.user.id}/remove`)).status).toBe(303);
    // The service keeps the last owner whoever asks (checked inside the delete).
    await expect(removeUser(env, owner.companyId, second.user.id, "usr_someone_else")).rejects.toMatchObject({
      errors: [{ field: "user_id", message: "the company's last owner cannot be removed" }],
    });
  });
});
