// The handler-cost rounds' floors: what a redirect must do at the runtime's boundary, with none of
// edgeref's own logic (no route lookup, destination, cookie, click id, visitor hash or event). The
// distance between a floor and the edge is what edgeref's code costs; between bare and a floor, what
// the design requires of any implementation:
//   - bare's Hono route;
//   - the request headers a click reads (client IP, user agent, referer, the four prefetch hints);
//   - the click handed over after the response (`waitUntil` on an async send);
//   - the 302 with edgeref's five headers (values of the same length as the demo's);
//   - with `kvReads` (the cold floor), the two KV reads a cold redirect makes: the site, then the slug.
import { Hono } from "hono";
import { recordKeys, type SiteRecord } from "../../src/redirect/records";

const LOCATION =
  "https://acme-demo.example/pricing?utm_source=partner&utm_medium=referral&utm_campaign=demo&via=jane-doe" +
  "&ref_click=01jd0000000000000000000000";
const COOKIE = "edgeref_ref=01jd0000000000000000000000.jane-doe; Max-Age=7776000; Path=/; SameSite=Lax";
const HINTS = ["cf-connecting-ip", "user-agent", "referer", "sec-purpose", "purpose", "x-purpose", "x-moz"];

let sunk = 0;
// As the edge's in-memory click sink (edge-warm.ts).
const send = async () => void sunk++;

export function createFloorApp({ kvReads }: { kvReads: boolean }) {
  const app = new Hono<{ Bindings: { LINKS_KV: KVNamespace } }>();
  const respond = (headers: Headers, executionCtx: Pick<ExecutionContext, "waitUntil">) => {
    for (const name of HINTS) headers.get(name);
    executionCtx.waitUntil(send());
    return new Response(null, {
      status: 302,
      headers: {
        "cache-control": "private, no-store",
        "x-robots-tag": "noindex",
        "referrer-policy": "strict-origin-when-cross-origin",
        location: LOCATION,
        "set-cookie": COOKIE,
      },
    });
  };
  if (!kvReads) {
    app.get("/:slug", (c) => respond(c.req.raw.headers, c.executionCtx));
    return app;
  }
  app.get("/:slug", async (c) => {
    const options = { type: "json", cacheTtl: 30 } as const;
    const site = await c.env.LINKS_KV.get<SiteRecord>(recordKeys.site(new URL(c.req.url).hostname), options);
    await c.env.LINKS_KV.get(recordKeys.slug(site?.companyId ?? "", c.req.param("slug")), options);
    return respond(c.req.raw.headers, c.executionCtx);
  });
  return app;
}
