// Builds the URL a click is redirected to. Precedence, lowest first:
//   1. the destination's own query
//   2. the link's UTM/custom params (`{partner_key}` substituted)
//   3. the visitor's query (marketers' UTMs win, unless the link locks its UTMs: then the link's
//      own names, in any letter case, are dropped from the visitor's query)
//   4. the tracking params (click id, partner key), which nothing can override
// A higher layer replaces every occurrence of a name from a lower layer; repeated names within one
// layer are all kept, in order. Only the query changes: scheme, host, path and `#fragment` are the
// destination's own. Parameters arriving from the visitor keep their original percent-encoding.

import { toWellFormed } from "../lib/unicode";

/** One `name=value` (or bare `name`) piece of a query string, already percent-encoded. */
interface QueryPair {
  /** Decoded name, used for comparisons. */
  name: string;
  encoded: string;
}

export interface DestinationInput {
  destinationUrl: string;
  utmParams: readonly (readonly [string, string])[];
  lockUtms: boolean;
  partnerKey: string;
  /** The visitor's query string, as in `URL.search` (with or without the leading `?`). */
  incomingSearch: string;
  tracking: TrackingParams & { clickId: string };
}

/** The names of the company's tracking parameters. */
export interface TrackingParams {
  clickIdParam: string;
  partnerKeyParam: string;
}

/** A destination without its click id (what is the same for every click of a link). */
export type DestinationShape = Omit<DestinationInput, "tracking"> & { tracking: TrackingParams };

export const PARTNER_KEY_PLACEHOLDER = "{partner_key}";

/** A destination split once per isolate: the URL up to its path, its query pairs, its fragment. */
interface ParsedDestination {
  base: string;
  pairs: QueryPair[];
  hash: string;
}

const MAX_PARSED_DESTINATIONS = 1000;
const parsedDestinations = new Map<string, ParsedDestination>();

function parseDestination(destinationUrl: string): ParsedDestination {
  let parsed = parsedDestinations.get(destinationUrl);
  if (!parsed) {
    const url = new URL(destinationUrl);
    const hash = url.hash;
    const pairs = parseQuery(url.search);
    url.search = "";
    url.hash = "";
    parsed = { base: url.href, pairs, hash };
    if (parsedDestinations.size >= MAX_PARSED_DESTINATIONS) parsedDestinations.clear();
    parsedDestinations.set(destinationUrl, parsed);
  }
  return parsed;
}

export function buildDestination(input: DestinationInput): string {
  const parts = destinationParts(input);
  return parts.head + encodeComponent(input.tracking.clickId) + parts.tail;
}

/** The destination around its click id's value: `head + encoded click id + tail`. */
export interface DestinationParts {
  head: string;
  tail: string;
}

export function isEmptyQuery(search: string): boolean {
  return search === "" || search === "?";
}

/** The parts of a destination around its click id. */
export function destinationParts(input: DestinationShape): DestinationParts {
  const destination = parseDestination(input.destinationUrl);
  const { clickIdParam, partnerKeyParam } = input.tracking;

  const trackingNames = new Set([clickIdParam.toLowerCase(), partnerKeyParam.toLowerCase()]);
  // Compared case-insensitively so that `PS_XID=…` cannot smuggle a second click id past a
  // destination that reads names without regard to case. Every lower layer loses these names —
  // the link's own parameters too, should a company rename its params to one a link uses.
  const isTracking = (pair: QueryPair) => trackingNames.has(pair.name.toLowerCase());
  const linkParams = input.utmParams
    .map(([name, value]) => encodedPair(name, value.replaceAll(PARTNER_KEY_PLACEHOLDER, input.partnerKey)))
    .filter((pair) => !isTracking(pair));
  // Locked names are matched case-insensitively too: `UTM_SOURCE=x` must not reach a destination
  // that reads names without regard to case as a second, visitor-chosen `utm_source`.
  const lockedNames = new Set(input.lockUtms ? linkParams.map((pair) => pair.name.toLowerCase()) : []);

  const visitorParams = parseQuery(input.incomingSearch).filter(
    (pair) => !isTracking(pair) && !lockedNames.has(pair.name.toLowerCase()),
  );

  let pairs = destination.pairs.filter((pair) => !isTracking(pair));
  pairs = overlay(pairs, linkParams);
  pairs = overlay(pairs, visitorParams);
  const before = pairs.map((pair) => `${pair.encoded}&`).join("");
  return {
    head: `${destination.base}?${before}${encodeComponent(clickIdParam)}=`,
    tail: `&${encodedPair(partnerKeyParam, input.partnerKey).encoded}${destination.hash}`,
  };
}

/** Drops from `base` every name that `top` sets, then appends `top`. */
function overlay(base: QueryPair[], top: QueryPair[]): QueryPair[] {
  if (top.length === 0) return base;
  const names = new Set(top.map((pair) => pair.name));
  return base.filter((pair) => !names.has(pair.name)).concat(top);
}

function parseQuery(search: string): QueryPair[] {
  const query = search.startsWith("?") ? search.slice(1) : search;
  if (query === "") return [];
  const pairs: QueryPair[] = [];
  for (const piece of query.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const rawName = eq === -1 ? piece : piece.slice(0, eq);
    pairs.push({ name: decodeQueryComponent(rawName), encoded: piece });
  }
  return pairs;
}

function encodedPair(name: string, value: string): QueryPair {
  return { name, encoded: `${encodeComponent(name)}=${encodeComponent(value)}` };
}

/** encodeURIComponent that never throws: a lone surrogate (stored before validation refused it) becomes U+FFFD. */
function encodeComponent(text: string): string {
  return encodeURIComponent(toWellFormed(text));
}

function decodeQueryComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return raw; // malformed %-escape: compare it as written
  }
}
