// The console as a browser uses it, in-process: a cookie jar, the CSRF token of the last page read,
// form POSTs with the page's origin. Requests go through the admin worker's fetch, as a browser's would.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Plan, UserRole } from "../../src/db/schema";
import { createUser } from "../../src/users/service";
import adminWorker from "../../workers/admin";
import { ADMIN_ORIGIN, newTenant } from "./admin";

export const PASSWORD = "correct horse battery staple";

export interface PageAnswer {
  status: number;
  headers: Headers;
  html: string;
  /** `Location` of a redirect, as a path when it is on this origin. */
  location: string | null;
}

/**
 * A random client IP per browser, so the sign-in limits of one test never reach another (the
 * limiters' counts outlive a test file: a counter restarting in each file would share addresses).
 */
const nextIp = () => `10.${[...crypto.getRandomValues(new Uint8Array(3))].join(".")}`;

type AdminFetch = typeof adminWorker.fetch;

export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  /** Where requests go: the admin worker, or another admin app (e.g. `createAdminApp({ resolveTxt })`). */
  app: AdminFetch = adminWorker.fetch;
  /** The CSRF token of the last page that had a form. */
  csrf = "";

  constructor(
    readonly origin = ADMIN_ORIGIN,
    readonly ip = nextIp(),
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<PageAnswer> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    headers.set("cf-connecting-ip", this.ip);
    const ctx = createExecutionContext();
    const response = await this.app(new Request(`${this.origin}${path}`, { ...init, headers }), env, ctx);
    await waitOnExecutionContext(ctx);
    for (const cookie of response.headers.getAll("set-cookie")) this.keep(cookie);
    const html = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    const location = response.headers.get("location");
    return {
      status: response.status,
      headers: response.headers,
      html,
      location: location?.startsWith(this.origin) ? location.slice(this.origin.length) : location,
    };
  }

  get(path: string) {
    return this.request(path);
  }

  /** A form POST from this origin with the current CSRF token (unless `_csrf` is given). */
  post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.origin, ...headers },
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }).toString(),
    });
  }

  private keep(setCookie: string) {
    const [pair, ...attributes] = setCookie.split(";");
    const name = pair!.slice(0, pair!.indexOf("="));
    const value = pair!.slice(pair!.indexOf("=") + 1);
    const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
    if (expired || value === "") this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /**
   * Signs in with the sign-in form; answers the POST's response. Signed in, it opens the console as a
   * browser follows the redirect: the forms' CSRF token is then the new session's.
   */
  async signIn(email: string, password = PASSWORD): Promise<PageAnswer> {
    const page = await this.get("/console/sign-in");
    expect(page.status).toBe(200);
    const answer = await this.post("/console/sign-in", { email, password });
    if (answer.status === 303 && answer.location) expect((await this.get(answer.location)).status).toBe(200);
    return answer;
  }
}

/** A company (API key, verified link domain, no groups) with a signed-in console user of `role`. */
export async function consoleTenant(plan: Plan = "enterprise", role: UserRole = "owner") {
  const tenant = await newTenant(plan, "Console");
  const email = `${role}-${crypto.randomUUID().slice(0, 8)}@console.test`;
  const user = await createUser(env, tenant.companyId, { email, role, password: PASSWORD });
  const browser = new ConsoleBrowser();
  const signedIn = await browser.signIn(email);
  expect(signedIn.status, signedIn.html).toBe(303);
  return { ...tenant, user, email, browser };
}

/** Another user of the same company, signed in with its own browser. */
export async function addConsoleUser(companyId: string, role: UserRole) {
  const email = `${role}-${crypto.randomUUID().slice(0, 8)}@console.test`;
  const user = await createUser(env, companyId, { email, role, password: PASSWORD });
  const browser = new ConsoleBrowser();
  const signedIn = await browser.signIn(email);
  expect(signedIn.status, signedIn.html).toBe(303);
  return { user, email, browser };
}

/** The text of the page's field error for `name` (what is shown between label and control). */
export function fieldError(html: string, name: string): string | null {
  const match = new RegExp(
    `id="field-${name}-error" class="field-error"><span class="visually-hidden">Error: </span>([^<]*)<`,
  ).exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

export function decodeHtml(text: string): string {
  return text
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
