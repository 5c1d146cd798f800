import { CLICK_KINDS, type ClickKind } from "../lib/constants";
import { sha256Hex } from "../lib/hash";
import { DAY_MS } from "../lib/time";

/** One redirect, as sent through the `CLICKS` queue. Carries no raw IP. */
export interface ClickEvent {
  v: 1;
  clickId: string;
  ts: number;
  companyId: string;
  groupId: string;
  partnerId: string;
  partnerLinkId: string;
  defaultLinkId: string;
  kind: ClickKind;
  country: string | null;
  refererHost: string | null;
  visitorHash: string;
}

/**
 * Salted hash of IP + user agent. The day is part of the input, so the same visitor cannot be
 * linked across days and a leaked hash cannot be reversed without the salt.
 */
export async function visitorHash(salt: string, ts: number, ip: string, userAgent: string): Promise<string> {
  const day = Math.floor(ts / DAY_MS);
  return sha256Hex(`${salt}|${day}|${ip}|${userAgent}`, 16);
}

export function refererHost(referer: string | null): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).hostname || null;
  } catch {
    return null;
  }
}

const KINDS = new Set<string>(CLICK_KINDS);
const isText = (value: unknown, max = 200) => typeof value === "string" && value.length > 0 && value.length <= max;
const isOptionalText = (value: unknown) => value === null || isText(value);

/** Queue messages are ours, but a malformed one must be dropped, not retried forever. */
export function isClickEvent(body: unknown): body is ClickEvent {
  if (typeof body !== "object" || body === null) return false;
  const event = body as Record<string, unknown>;
  return (
    event.v === 1 &&
    isText(event.clickId, 64) &&
    Number.isSafeInteger(event.ts) &&
    isText(event.companyId) &&
    isText(event.groupId) &&
    isText(event.partnerId) &&
    isText(event.partnerLinkId) &&
    isText(event.defaultLinkId) &&
    KINDS.has(event.kind as string) &&
    isOptionalText(event.country) &&
    isOptionalText(event.refererHost) &&
    isText(event.visitorHash, 64)
  );
}
