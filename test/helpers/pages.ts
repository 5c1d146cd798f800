// A minimal browser for the pages' tests inside workerd: it calls the admin worker in-process (with
// its execution context, so work after the response runs), keeps cookies by name and path as a
// browser would, sends the page's Origin with every form and reads the CSRF token from the HTML.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createAdminApp } from "../../src/admin/app";
import type { Mailer, MailMessage } from "../../src/mail/mailer";
import { ADMIN_ORIGIN } from "./admin";
import { clientIp } from "./tenancy";

/** A mailer that keeps what it was asked to send. */
export class FakeMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
  /** The links in the mail sent to `to`, newest last. */
  linksTo(to: string): string[] {
    return this.sent.filter((m) => m.to === to).flatMap((m) => m.text.match(/https?:\/\/\S+/g) ?? []);
  }
}

export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
  /** Every Set-Cookie line of the response. */
  setCookies: string[];
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Cookie path-match (RFC 6265 5.1.4). */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

export class TestBrowser {
  readonly cookies: StoredCookie[] = [];
  private readonly app;

  constructor(
    readonly mailer = new FakeMailer(),
    readonly origin = ADMIN_ORIGIN,
    /** Each browser its own client IP, so per-IP limits never decide another test. */
    readonly ip = clientIp(),
  ) {
    this.app = createAdminApp({ mailer });
  }

  cookieHeader(path: string): string {
    return this.cookies
      .filter((cookie) => pathMatches(cookie.path, path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join("; ");
  }

  /** The cookie of this name, whatever its path. */
  cookie(name: string): StoredCookie | undefined {
    return this.cookies.find((cookie) => cookie.name === name);
  }

  async request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const url = new URL(path, this.origin);
    const headers: Record<string, string> = { "cf-connecting-ip": this.ip, ...init.headers };
    const cookie = this.cookieHeader(url.pathname);
    if (cookie && headers.cookie === undefined) headers.cookie = cookie;
    const ctx = createExecutionContext();
    const response = await this.app.fetch(new Request(url, { ...init, headers, redirect: "manual" }), env, ctx);
    const html = await response.text();
    await waitOnExecutionContext(ctx);
    // workerd has it; @cloudflare/workers-types does not declare it yet.
    const setCookies = (response.headers as Headers & { getSetCookie(): string[] }).getSetCookie();
    for (const line of setCookies) this.store(line, url.pathname);
    return { status: response.status, headers: response.headers, html, setCookies };
  }

  get(path: string) {
    return this.request(path);
  }

  /** A form POST as the page would send it: its Origin, and the CSRF token `csrf` (from the page). */
  post(path: string, fields: Record<string, string | string[]>, csrf?: string, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
    if (csrf !== undefined) body.append("_csrf", csrf);
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.origin, ...headers },
      body: body.toString(),
    });
  }

  /** GETs the page, then POSTs `fields` with the CSRF token of its form. */
  async submit(pagePath: string, fields: Record<string, string | string[]>, action = pagePath) {
    const page = await this.get(pagePath);
    return this.post(action, fields, csrfOf(page.html));
  }

  private store(line: string, requestPath: string) {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const name = pair.slice(0, pair.indexOf("="));
    const value = pair.slice(pair.indexOf("=") + 1);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attribute("path") ?? requestPath.slice(0, requestPath.lastIndexOf("/")) ?? "/";
    const index = this.cookies.findIndex((cookie) => cookie.name === name && cookie.path === path);
    if (index !== -1) this.cookies.splice(index, 1);
    if (attribute("max-age") !== "0") this.cookies.push({ name, value, path });
  }
}

/** The CSRF token of the (first) form of a page. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token in the page:\n${html.slice(0, 500)}`);
  return token;
}

/** The text of a page without its tags (for `toContain` on what a visitor reads). */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}
