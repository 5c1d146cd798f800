// The DNS-over-HTTPS client verification uses in production, against canned JSON answers of the
// kind Cloudflare's and Google's resolvers give, through an injected fetch: nothing is fetched.
import { describe, expect, it } from "vitest";
import { createDohTxtResolver, DnsLookupError, txtData } from "../../src/link-domains/dns";

const RESOLVER = "https://doh.example/dns-query";
const NAME = "_edgeref-challenge.try.acme.com";

/** A fetch that answers `body` (JSON unless a string) with `status`, and records each request. */
function cannedFetch(body: unknown, status = 200) {
  const requests: { url: string; accept: string | null }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input), accept: new Headers(init?.headers).get("accept") });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "content-type": "application/dns-json" } });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const answer = (...data: string[]) => ({
  Status: 0,
  Question: [{ name: `${NAME}.`, type: 16 }],
  Answer: data.map((d) => ({ name: `${NAME}.`, type: 16, TTL: 300, data: d })),
});

describe("DNS-over-HTTPS TXT lookups", () => {
  it("asks GET <resolver>?name=…&type=TXT with accept: application/dns-json", async () => {
    const { fetch, requests } = cannedFetch(answer('"abc"'));
    expect(await createDohTxtResolver({ url: RESOLVER, fetch })(NAME)).toEqual(["abc"]);
    expect(requests).toEqual([{ url: `${RESOLVER}?name=${NAME}&type=TXT`, accept: "application/dns-json" }]);
  });

  it("strips quotes, joins a record's strings, unescapes, and keeps each record apart", async () => {
    const { fetch } = cannedFetch(
      answer('"v=spf1 -all"', '"first-half" "second-half"', '"say \\"hi\\" \\\\ \\065"', "unquoted-token"),
    );
    expect(await createDohTxtResolver({ url: RESOLVER, fetch })(NAME)).toEqual([
      "v=spf1 -all",
      "first-halfsecond-half",
      'say "hi" \\ A',
      "unquoted-token",
    ]);
  });

  it("skips records that are not TXT (a CNAME followed on the way)", async () => {
    const { fetch } = cannedFetch({
      Status: 0,
      Answer: [
        { name: `${NAME}.`, type: 5, TTL: 300, data: "challenges.dns-host.example." },
        { name: "challenges.dns-host.example.", type: 16, TTL: 300, data: '"tok"' },
      ],
    });
    expect(await createDohTxtResolver({ url: RESOLVER, fetch })(NAME)).toEqual(["tok"]);
  });

  it("answers no values for a name that does not exist (NXDOMAIN) or has no TXT record", async () => {
    const soa = { name: "acme.com.", type: 6, TTL: 900, data: "ns.acme.com. dns.acme.com. 1 7200 3600 1209600 60" };
    const nxdomain = cannedFetch({ Status: 3, Authority: [soa] });
    expect(await createDohTxtResolver({ url: RESOLVER, fetch: nxdomain.fetch })(NAME)).toEqual([]);
    const empty = cannedFetch({ Status: 0, Question: [{ name: `${NAME}.`, type: 16 }] });
    expect(await createDohTxtResolver({ url: RESOLVER, fetch: empty.fetch })(NAME)).toEqual([]);
  });

  it.each([
    ["SERVFAIL", cannedFetch({ Status: 2 })],
    ["an HTTP error", cannedFetch("Bad Gateway", 502)],
    ["a body that is not JSON", cannedFetch("<html>oops</html>")],
    ["JSON without a Status", cannedFetch({ Answer: [] })],
    [
      "a network failure",
      {
        fetch: (async () => {
          throw new TypeError("Network connection lost.");
        }) as typeof fetch,
      },
    ],
  ])("fails with DnsLookupError on %s (nothing is known: the caller retries)", async (_label, { fetch }) => {
    await expect(createDohTxtResolver({ url: RESOLVER, fetch })(NAME)).rejects.toBeInstanceOf(DnsLookupError);
  });

  it("parses zone-file TXT data on its own", () => {
    expect(txtData('"a" "b"  "c"')).toBe("abc");
    expect(txtData('""')).toBe("");
    expect(txtData("  plain  ")).toBe("plain");
  });
});
