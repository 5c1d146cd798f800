// Small self-contained pages the edge answers with when there is nowhere to redirect.
const BASE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "private, no-store",
  "x-robots-tag": "noindex",
};

export function linkNotFoundPage(method: string): Response {
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">' +
    "<title>Link not found</title>" +
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;" +
    "padding:0 1rem;color:#222}</style>" +
    "</head><body><h1>Link not found</h1>" +
    "<p>This referral link does not exist or is no longer active. " +
    "Please check the address or ask whoever shared it for a new one.</p></body></html>";
  return new Response(method === "HEAD" ? null : body, { status: 404, headers: BASE_HEADERS });
}

export function robotsTxt(): Response {
  return new Response("User-agent: *\nDisallow: /\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
}
