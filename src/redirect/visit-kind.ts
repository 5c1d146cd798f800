import { isbot } from "isbot";
import type { ClickKind } from "../lib/constants";

// Every redirect is recorded, but only `human` visits are counted. `isbot` is a maintained
// detector that also knows link-preview fetchers (Slack, Twitter, Facebook, iMessage, …).
export function visitKind(request: Request, userAgent: string | null): ClickKind {
  if (request.method === "HEAD") return "head";
  if (isPrefetch(request.headers)) return "prefetch";
  if (!userAgent || isBotCached(userAgent)) return "bot";
  return "human";
}

// isbot tests one large regular expression; most traffic repeats a few hundred user agents.
const MAX_REMEMBERED_AGENTS = 1000;
const botByAgent = new Map<string, boolean>();

function isBotCached(userAgent: string): boolean {
  let bot = botByAgent.get(userAgent);
  if (bot === undefined) {
    bot = isbot(userAgent);
    if (botByAgent.size >= MAX_REMEMBERED_AGENTS) botByAgent.clear();
    botByAgent.set(userAgent, bot);
  }
  return bot;
}

function isPrefetch(headers: Headers): boolean {
  const purpose =
    headers.get("sec-purpose") ?? headers.get("purpose") ?? headers.get("x-purpose") ?? headers.get("x-moz");
  return purpose !== null && /prefetch|prerender|preview/i.test(purpose);
}
