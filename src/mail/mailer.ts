// Sending email, behind one small interface so that the pages never know how mail leaves:
//   - OutboxMailer (the default, for local development): writes the message to the `mail_outbox`
//     table and logs it, links included, so `npm start` users can click them;
//   - production, either Cloudflare Email Service (a `send_email` binding named EMAIL, with
//     MAIL_FROM) or an HTTP mail API (MAIL_API_URL, MAIL_API_KEY and MAIL_FROM: POSTs
//     `{from, to, subject, text}` as JSON with a Bearer key, the shape of Resend's `/emails`);
//   - tests pass their own fake to createAdminApp({ mailer }).
// README "Partner portal" says how to configure each.
import type { AdminEnv, StorageEnv } from "../env";
import { newId } from "../lib/ids";

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text. */
  text: string;
  /** The company the message is sent for, when there is one (kept with the outbox row). */
  companyId?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Local development: the outbox table plus a log line. Nothing leaves the machine. */
export class OutboxMailer implements Mailer {
  constructor(private readonly env: StorageEnv) {}

  async send(message: MailMessage): Promise<void> {
    const id = newId("mail");
    await this.env.DB.prepare(
      "INSERT INTO mail_outbox (id, company_id, recipient, subject, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
      .bind(id, message.companyId ?? null, message.to, message.subject, message.text, Date.now())
      .run();
    console.log(
      JSON.stringify({ msg: "mail (local outbox, not sent)", id, to: message.to, subject: message.subject }) +
        `\n${message.text}`,
    );
  }
}

export interface HttpApiMailerOptions {
  url: string;
  apiKey: string;
  from: string;
  fetch?: typeof fetch;
}

/** An HTTP mail API that takes `{from, to, subject, text}` with `Authorization: Bearer <key>`. */
export class HttpApiMailer implements Mailer {
  constructor(private readonly options: HttpApiMailerOptions) {}

  async send(message: MailMessage): Promise<void> {
    const send = this.options.fetch ?? fetch;
    const response = await send(this.options.url, {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ from: this.options.from, to: message.to, subject: message.subject, text: message.text }),
    });
    // The body is read in every case so the connection is released; its text explains a refusal.
    const answer = await response.text();
    if (!response.ok) throw new Error(`mail API answered ${response.status}: ${answer.slice(0, 200)}`);
  }
}

/** Cloudflare Email Service: the Worker's `send_email` binding, from an address of an onboarded domain. */
export class SendEmailMailer implements Mailer {
  constructor(
    private readonly binding: SendEmail,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    await this.binding.send({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }
}

/**
 * The mailer the environment configures: the EMAIL binding (with MAIL_FROM), else the HTTP API
 * (when its three settings are there), else the local outbox.
 */
export function defaultMailer(env: AdminEnv): Mailer {
  if (env.EMAIL && env.MAIL_FROM) return new SendEmailMailer(env.EMAIL, env.MAIL_FROM);
  if (env.MAIL_API_URL && env.MAIL_API_KEY && env.MAIL_FROM) {
    return new HttpApiMailer({ url: env.MAIL_API_URL, apiKey: env.MAIL_API_KEY, from: env.MAIL_FROM });
  }
  return new OutboxMailer(env);
}
