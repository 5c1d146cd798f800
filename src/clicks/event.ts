import { sha256 } from "@noble/hashes/sha2.js";
import { CLICK_KINDS, type ClickKind } from "../lib/constants";
import { DAY_MS } from "../lib/time";
import { sipHash128Hex } from "./siphash";

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

const encoder = new TextEncoder();

/**
 * The visitor hash: a keyed pseudo-random function (SipHash128) of IP + user agent, under a key
 * derived from the salt and the day. Without the salt a hash cannot be reversed, and a new key each
 * day means the same visitor cannot be linked across days. Synchronous on purpose: the async
 * WebCrypto SHA-256 it replaces cost about 30 µs of a redirect's CPU (bench/RESULTS.md). The user
 * agent, the long part, is hashed once per agent per day (a few hundred agents make most traffic);
 * the IP is hashed with that digest.
 */
export function visitorHash(salt: string, ts: number, ip: string, userAgent: string): string {
  const day = dayKeys(salt, Math.floor(ts / DAY_MS));
  let agent = day.agents.get(userAgent);
  if (agent === undefined) {
    agent = sipHash128Hex(day.key, encoder.encode(userAgent));
    if (day.agents.size >= MAX_REMEMBERED_AGENTS) day.agents.clear();
    day.agents.set(userAgent, agent);
  }
  const visitor = `${ip}|${agent}`;
  const length = asciiInto(visitor, visitorBytes);
  // Anything else (a forged IP header: too long, or not ASCII) is UTF-8 encoded anew.
  if (length < 0) return sipHash128Hex(day.key, encoder.encode(visitor));
  return sipHash128Hex(day.key, visitorBytes, length);
}

/**
 * An ASCII string's bytes (its UTF-8 encoding) written into `bytes`: its length, or -1 when it does
 * not fit or is not ASCII. A visitor is an IP and hex digits: this loop costs less than a call into
 * the runtime's encoder.
 */
function asciiInto(text: string, bytes: Uint8Array): number {
  if (text.length > bytes.length) return -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    bytes[i] = code;
  }
  return text.length;
}

const MAX_REMEMBERED_AGENTS = 1000;
const visitorBytes = new Uint8Array(256);
let today: { salt: string; day: number; key: Uint32Array; agents: Map<string, string> } | undefined;

/** 128 bits of SHA-256(salt | day), and the user agents hashed under it, remembered for the day. */
function dayKeys(salt: string, day: number) {
  if (today?.salt !== salt || today.day !== day) {
    const digest = sha256(encoder.encode(`${salt}|${day}`));
    const key = new Uint32Array(digest.buffer.slice(digest.byteOffset, digest.byteOffset + 16));
    today = { salt, day, key, agents: new Map() };
  }
  return today;
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
