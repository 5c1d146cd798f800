// Signing in to the console: the session cookie's flags, sessions stored hashed, the same answer for
// an unknown email and a wrong password, the attempt limits per IP and per email, sign-out.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS } from "../../src/console/sign-in";
import { sha256Hex } from "../../src/lib/hash";
import { createUser } from "../../src/users/service";
import { newTenant } from "../helpers/admin";
import { ConsoleBrowser, consoleTenant, decodeHtml, fieldError, PASSWORD } from "../helpers/console";

async function newUser(role: "owner" | "admin" | "viewer" = "owner") {
  const tenant = await newTenant();
  const email = `signin-${crypto.randomUUID().slice(0, 8)}@console.test`;
  const user = await createUser(env, tenant.companyId, { email, role, password: PASSWORD });
  return { ...tenant, email, user };
}

describe("sign-in", () => {
  it("signs in: 303 to /console, a session cookie HttpOnly, Secure, SameSite=Lax, Path=/console", async () => {
    const { email, company } = await newUser();
    const browser = new ConsoleBrowser();
    const r = await browser.signIn(email);
    expect(r.status).toBe(303);
    expect(r.location).toBe("/console");
    const cookie = r.headers.getAll("set-cookie").find((c) => c.includes("edgeref_console="))!;
    expect(cookie).toMatch(/^__Secure-edgeref_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/; Path=\/console(;|$)/);
    expect(cookie).toMatch(/; HttpOnly(;|$)/);
    expect(cookie).toMatch(/; Secure(;|$)/);
    expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
    const home = await browser.get("/console");
    expect(home.status).toBe(200);
    expect(home.html).toContain(`<h1>Groups</h1>`);
    expect(decodeHtml(home.html)).toContain(company.name);
  });

  it("on plain-http localhost (local development) the cookie is not Secure and has no __Secure- prefix", async () => {
    const { email } = await newUser();
    const browser = new ConsoleBrowser("http://localhost:8788");
    const r = await browser.signIn(email);
    expect(r.status).toBe(303);
    const cookie = r.headers.getAll("set-cookie").find((c) => c.includes("edgeref_console="))!;
    expect(cookie).toMatch(/^edgeref_console=[A-Za-z0-9_-]{43}; /);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
  });

  it("stores only the SHA-256 of the session token, as a 'user' session of the user's company", async () => {
    const { email, user, companyId } = await newUser();
    const browser = new ConsoleBrowser();
    await browser.signIn(email);
    const token = browser.cookies.get("__Secure-edgeref_console")!;
    const row = await env.DB.prepare("SELECT * FROM web_sessions WHERE subject_id = ?").bind(user.id).first();
    expect(row).toMatchObject({ kind: "user", company_id: companyId, token_hash: await sha256Hex(token) });
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("an unknown email and a wrong password get the same page, the same status, and no cookie", async () => {
    const { email } = await newUser();
    const wrong = await new ConsoleBrowser().signIn(email, "not the password at all");
    const unknown = await new ConsoleBrowser().signIn(`nobody-${email}`, "not the password at all");
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(422);
      expect(fieldError(r.html, "email")).toBe(WRONG_CREDENTIALS);
      expect(r.headers.getAll("set-cookie").some((c) => c.includes("edgeref_console="))).toBe(false);
    }
    // Word for word the same page, but for the email typed back into the form.
    const strip = (html: string) =>
      html.replace(/value="[^"]*@console\.test"/, "").replace(/name="_csrf" value="[^"]+"/, "");
    expect(strip(unknown.html)).toBe(strip(wrong.html));
  });

  it("empty fields are named ('Enter your email address', 'Enter your password'), nothing is counted", async () => {
    const browser = new ConsoleBrowser();
    await browser.get("/console/sign-in");
    const r = await browser.post("/console/sign-in", { email: "", password: "" });
    expect(r.status).toBe(422);
    expect(fieldError(r.html, "email")).toBe("Enter your email address");
    expect(fieldError(r.html, "password")).toBe("Enter your password");
    expect(r.html).toContain("<title>Error: Sign in to the partner console</title>");
  });

  it("without a session every console page sends the visitor to sign in, GET and POST alike", async () => {
    const browser = new ConsoleBrowser();
    for (const path of ["/console", "/console/partners", "/console/settings", "/console/groups/grp_x/settings"]) {
      const r = await browser.get(path);
      expect(r.status, path).toBe(303);
      expect(r.location, path).toBe("/console/sign-in");
    }
    await browser.get("/console/sign-in");
    const post = await browser.post("/console/groups", { name: "Sneaky", destination_url: "https://acme.com/" });
    expect(post.status).toBe(303);
    expect(post.location).toBe("/console/sign-in");
    // A made-up session cookie is no session either.
    browser.cookies.set("__Secure-edgeref_console", "A".repeat(43));
    expect((await browser.get("/console")).location).toBe("/console/sign-in");
  });

  it("the sign-in page of a signed-in user goes straight to the console", async () => {
    const { browser } = await consoleTenant();
    const r = await browser.get("/console/sign-in");
    expect(r.status).toBe(303);
    expect(r.location).toBe("/console");
  });

  it("sign-out revokes the session: the old cookie no longer opens the console, even replayed", async () => {
    const { browser, user } = await consoleTenant();
    const token = browser.cookies.get("__Secure-edgeref_console")!;
    const out = await browser.post("/console/sign-out");
    expect(out.status).toBe(303);
    expect(out.location).toBe("/console/sign-in?notice=signed-out");
    expect(browser.cookies.has("__Secure-edgeref_console")).toBe(false);
    const row = await env.DB.prepare("SELECT revoked_at FROM web_sessions WHERE subject_id = ?").bind(user.id).first();
    expect(row!.revoked_at).not.toBeNull();
    const replay = new ConsoleBrowser();
    replay.cookies.set("__Secure-edgeref_console", token);
    const r = await replay.get("/console");
    expect(r.status).toBe(303);
    expect(r.location).toBe("/console/sign-in");
    const after = await browser.get("/console/sign-in?notice=signed-out");
    expect(after.html).toContain("You have signed out.");
  });

  it("a removed user's session stops at once", async () => {
    const owner = await consoleTenant();
    const email = `gone-${crypto.randomUUID().slice(0, 8)}@console.test`;
    await createUser(env, owner.companyId, { email, role: "admin", password: PASSWORD });
    const other = new ConsoleBrowser();
    await other.signIn(email);
    expect((await other.get("/console")).status).toBe(200);
    await env.DB.prepare("DELETE FROM users WHERE email = ?").bind(email).run();
    expect((await other.get("/console")).location).toBe("/console/sign-in");
  });
});

describe("sign-in limits", () => {
  it("per email: the 6th attempt in a minute is refused (429, Retry-After) even with the right password", async () => {
    const { email } = await newUser();
    for (let i = 0; i < 5; i++) {
      // A new IP each time: only the email's limit applies.
      const r = await new ConsoleBrowser().signIn(email, `wrong password ${i}`);
      expect(r.status, `attempt ${i + 1}`).toBe(422);
    }
    const sixth = await new ConsoleBrowser().signIn(email.toUpperCase());
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toBe("60");
    expect(fieldError(sixth.html, "email")).toBe(TOO_MANY_ATTEMPTS);
    expect(sixth.headers.getAll("set-cookie").some((c) => c.includes("edgeref_console="))).toBe(false);
    // Another user is not affected.
    const { email: other } = await newUser();
    expect((await new ConsoleBrowser().signIn(other)).status).toBe(303);
  });

  it("per IP: the 11th attempt from one address within a minute is refused, whatever the email", async () => {
    const browser = new ConsoleBrowser();
    for (let i = 0; i < 10; i++) {
      const r = await browser.signIn(`guess-${i}-${crypto.randomUUID().slice(0, 6)}@console.test`, "guess");
      expect(r.status, `attempt ${i + 1}`).toBe(422);
    }
    const { email } = await newUser();
    const r = await browser.signIn(email);
    expect(r.status).toBe(429);
    expect(fieldError(r.html, "email")).toBe(TOO_MANY_ATTEMPTS);
    // The same user from another address is let in.
    expect((await new ConsoleBrowser().signIn(email)).status).toBe(303);
  });
});
