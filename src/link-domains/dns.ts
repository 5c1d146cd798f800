// TXT lookups over DNS-over-HTTPS, JSON flavour (`GET <resolver>?name=…&type=TXT`,
// `accept: application/dns-json`), as Cloudflare's and Google's public resolvers answer it.
// Workers cannot send UDP DNS queries, hence HTTPS; the resolver URL comes from configuration.

/** The TXT values at a name (each record's strings joined); `[]` when there are none. Throws DnsLookupError. */
export type TxtResolver = (name: string) => Promise<string[]>;

export const DEFAULT_DOH_RESOLVER_URL = "https://cloudflare-dns.com/dns-query";

/** The resolver could not answer (network, HTTP error, SERVFAIL…): nothing is known, try again later. */
export class DnsLookupError extends Error {
  override name = "DnsLookupError";
}

const TXT_TYPE = 16;
// DNS RCODEs that still answer the question: NOERROR and NXDOMAIN (the name does not exist).
const NOERROR = 0;
const NXDOMAIN = 3;
const LOOKUP_TIMEOUT_MS = 5_000;

interface DohJsonAnswer {
  Status?: unknown;
  Answer?: { type?: unknown; data?: unknown }[];
}

export function createDohTxtResolver(options: { url: string; fetch?: typeof fetch; timeoutMs?: number }): TxtResolver {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  return async (name) => {
    const url = new URL(options.url);
    url.searchParams.set("name", name);
    url.searchParams.set("type", "TXT");
    let response: Response;
    try {
      response = await fetchFn(url.toString(), {
        headers: { accept: "application/dns-json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? LOOKUP_TIMEOUT_MS),
      });
    } catch {
      throw new DnsLookupError("the DNS resolver could not be reached");
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DnsLookupError(`the DNS resolver answered HTTP ${response.status}`);
    }
    let body: DohJsonAnswer;
    try {
      body = (await response.json()) as DohJsonAnswer;
    } catch {
      throw new DnsLookupError("the DNS resolver's answer is not JSON");
    }
    return txtValues(body);
  };
}

/** The TXT values of a DoH JSON answer; other record types in it (a CNAME followed) are skipped. */
export function txtValues(body: DohJsonAnswer): string[] {
  if (body === null || typeof body !== "object" || typeof body.Status !== "number") {
    throw new DnsLookupError("the DNS resolver's answer has no Status");
  }
  if (body.Status === NXDOMAIN) return [];
  if (body.Status !== NOERROR) throw new DnsLookupError(`the DNS resolver answered RCODE ${body.Status}`);
  if (!Array.isArray(body.Answer)) return [];
  return body.Answer.filter((answer) => answer?.type === TXT_TYPE && typeof answer.data === "string").map((answer) =>
    txtData(answer.data as string),
  );
}

/**
 * One TXT record's `data` as its text. Resolvers give it in zone-file form, each character-string
 * quoted (`"abc" "def"`, long values are split into 255-byte strings), sometimes unquoted: quoted
 * strings are unescaped (`\"`, `\\`, `\DDD`) and joined; unquoted data is taken as it is.
 */
export function txtData(data: string): string {
  const trimmed = data.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  let out = "";
  let i = 0;
  while (i < trimmed.length) {
    if (trimmed[i] !== '"') {
      i++; // whitespace between strings
      continue;
    }
    i++;
    while (i < trimmed.length && trimmed[i] !== '"') {
      if (trimmed[i] === "\\" && i + 1 < trimmed.length) {
        const digits = /^\d{3}/.exec(trimmed.slice(i + 1, i + 4));
        if (digits) {
          out += String.fromCharCode(Number(digits[0]));
          i += 4;
        } else {
          out += trimmed[i + 1];
          i += 2;
        }
      } else {
        out += trimmed[i];
        i++;
      }
    }
    i++; // closing quote
  }
  return out;
}
