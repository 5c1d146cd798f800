import type { ClickEvent } from "./clicks/event";

/** Bindings both workers have (see wrangler.toml). */
export interface StorageEnv {
  DB: D1Database;
  /** Read-through cache of the records the redirect needs (src/redirect/records.ts). */
  LINKS_KV: KVNamespace;
}

/** The edge worker's bindings. */
export interface Env extends StorageEnv {
  /** One message per click. */
  CLICKS: Queue<ClickEvent>;
  VISITOR_HASH_SALT: string;
  /** Per client IP: requests that needed storage and found no link (README, "Limits"). */
  EDGE_MISS_LIMITER?: RateLimit;
}

/** The admin worker's bindings. */
export interface AdminEnv extends StorageEnv {
  /** Workers Rate Limiting binding, keyed by API key. */
  ADMIN_RATE_LIMITER: RateLimit;
  /** Keyed by company: all its keys together. */
  ADMIN_COMPANY_RATE_LIMITER: RateLimit;
  /** Keyed by client IP, counted only when authentication fails. */
  AUTH_FAILURE_LIMITER: RateLimit;
  /** Program pages: applications (and joins) sent per client IP. */
  APPLY_IP_LIMITER: RateLimit;
  /** Program pages: applications (and joins) sent to one company, from everyone together. */
  APPLY_COMPANY_LIMITER: RateLimit;
  /** Console sign-in attempts per client IP, and per email (src/console/sign-in.tsx). */
  CONSOLE_SIGN_IN_IP_LIMITER: RateLimit;
  CONSOLE_SIGN_IN_ACCOUNT_LIMITER: RateLimit;
  /** Origin used for partner-link URLs on `localhost` link domains (dev only). */
  LOCAL_EDGE_ORIGIN?: string;
  /** DNS-over-HTTPS (JSON API) endpoint for link domain verification; default Cloudflare's. */
  DOH_RESOLVER_URL?: string;
  /**
   * "true" only in local development (npm start passes it to `wrangler dev`; tests set it):
   * `localhost` and `*.localhost` link domains verify themselves. Never set in production.
   */
  ALLOW_LOCAL_HOST_VERIFICATION?: string;
  /** Partner portal: "email me a sign-in link" requests per client IP. */
  PORTAL_IP_LIMITER: RateLimit;
  /** Partner portal: sign-in links mailed per company and email address. */
  PORTAL_EMAIL_LIMITER: RateLimit;
  /**
   * Production mail (src/mail/mailer.ts), one of: Cloudflare Email Service's `send_email` binding
   * (EMAIL) with MAIL_FROM; or an HTTP mail API taking `{from, to, subject, text}` with a Bearer
   * key (MAIL_API_URL, MAIL_API_KEY, MAIL_FROM). Neither → mail goes to the local outbox table.
   */
  EMAIL?: SendEmail;
  /** The sender, e.g. `Acme partners <partners@acme.com>`, on a domain the mail service accepts. */
  MAIL_FROM?: string;
  MAIL_API_URL?: string;
  /** Set it as a secret: `wrangler secret put MAIL_API_KEY --env admin`. */
  MAIL_API_KEY?: string;
}
