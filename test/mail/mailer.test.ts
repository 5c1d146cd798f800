// The mailers: the local outbox (a row and a log line with the text, links included), the HTTP
// mail API for production, and which one the environment configures.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { defaultMailer, HttpApiMailer, OutboxMailer, SendEmailMailer } from "../../src/mail/mailer";

const message = { to: "jane@example.com", subject: "Your link", text: "Open https://example.com/x\n" };

describe("mailers", () => {
  it("the outbox mailer stores the message in mail_outbox and logs it with its text", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const to = `o${crypto.randomUUID().slice(0, 6)}@example.com`;
    await new OutboxMailer(env).send({ ...message, to });
    const row = await env.DB.prepare("SELECT * FROM mail_outbox WHERE recipient = ?").bind(to).first();
    expect(row).toMatchObject({ recipient: to, subject: "Your link", text: message.text, company_id: null });
    expect(log.mock.calls.map((call) => String(call[0])).join("\n")).toContain("https://example.com/x");
    log.mockRestore();
  });

  it("the HTTP API mailer POSTs {from, to, subject, text} with its Bearer key, and fails on a refusal", async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    let status = 200;
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response("{}", { status });
    }) as unknown as typeof fetch;
    const mailer = new HttpApiMailer({
      url: "https://mail.example/emails",
      apiKey: "k",
      from: "Portal <portal@acme.example>",
      fetch: fakeFetch,
    });
    await mailer.send(message);
    expect(calls[0]!.url).toBe("https://mail.example/emails");
    expect(calls[0]!.init.headers).toMatchObject({ authorization: "Bearer k", "content-type": "application/json" });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ from: "Portal <portal@acme.example>", ...message });
    status = 422;
    await expect(mailer.send(message)).rejects.toThrow("mail API answered 422");
  });

  it("the Email Service mailer sends through the send_email binding, from MAIL_FROM", async () => {
    const sent: unknown[] = [];
    const binding = { send: async (builder: unknown) => void sent.push(builder) } as unknown as SendEmail;
    await new SendEmailMailer(binding, "partners@acme.example").send(message);
    expect(sent).toEqual([{ from: "partners@acme.example", ...message }]);
  });

  it("the environment picks: the EMAIL binding, else the HTTP API when configured, else the outbox", () => {
    expect(defaultMailer(env)).toBeInstanceOf(OutboxMailer);
    const api = { ...env, MAIL_API_URL: "https://mail.example/emails", MAIL_API_KEY: "k", MAIL_FROM: "a@b.c" };
    expect(defaultMailer(api)).toBeInstanceOf(HttpApiMailer);
    expect(defaultMailer({ ...api, MAIL_FROM: "" })).toBeInstanceOf(OutboxMailer);
    const binding = { send: async () => ({ messageId: "m" }) } as unknown as SendEmail;
    expect(defaultMailer({ ...api, EMAIL: binding })).toBeInstanceOf(SendEmailMailer);
    expect(defaultMailer({ ...env, EMAIL: binding })).toBeInstanceOf(OutboxMailer);
  });
});
