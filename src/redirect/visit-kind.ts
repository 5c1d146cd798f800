import { isbot } from "isbot";
import type { ClickKind } from "../db/schema";

// Every redirect is recorded, but only `human` visits are counted. `isbot` is a maintained
// detector that also knows link-preview fetchers (Slack, Twitter, Facebook, iMessage, …).
export function visitKind(request: Request): ClickKind {
  if (request.method === "HEAD") return "head";
  if (isPrefetch(request.headers)) return "prefetch";
  const userAgent = request.headers.get("user-agent");
  if (!userAgent || isbot(userAgent)) return "bot";
  return "human";
}

function isPrefetch(headers: Headers): boolean {
  const purpose = headers.get("sec-purpose") ?? headers.get("purpose") ?? headers.get("x-purpose") ?? headers.get("x-moz");
  return purpose !== null && /prefetch|prerender|preview/i.test(purpose);
}
