// The parts of a request's URL a redirect uses. Most clicks carry no query string: their hostname
// and protocol come from a parse of the origin this isolate remembers, not a full URL parse each.
// A URL with a query is parsed in full, so the visitor's parameters are normalised as before.
export interface RequestUrl {
  readonly hostname: string;
  readonly protocol: string;
  /** As in `URL.search`: "" or "?…". */
  readonly search: string;
}

const MAX_ORIGINS = 100;
const origins = new Map<string, RequestUrl>();

export function requestUrl(raw: string): RequestUrl {
  const pathStart = raw.indexOf("/", raw.indexOf("//") + 2);
  if (pathStart === -1 || raw.includes("?", pathStart) || raw.includes("#", pathStart)) return parsed(raw);
  const origin = raw.slice(0, pathStart);
  let parts = origins.get(origin);
  if (!parts) {
    parts = parsed(origin);
    // Hostnames come from the Host header: a flood of made-up ones must not grow this map.
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(origin, parts);
  }
  return parts;
}

function parsed(raw: string): RequestUrl {
  const url = new URL(raw);
  return { hostname: url.hostname, protocol: url.protocol, search: url.search };
}
