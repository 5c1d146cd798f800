// Bench-only helpers over the same bindings: seed the demo company, feed the consumer directly.
import { consumeClickBatch } from "../../src/clicks/consumer";
import type { ClickEvent } from "../../src/clicks/event";
import { seedDemoCompany } from "../../src/demo/seed";
import type { Env } from "../../src/env";
import { sortableToken } from "../../src/lib/ids";
import { HOUR_MS } from "../../src/lib/time";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    // Without the demo's activity: the benchmarks count the clicks they send from zero.
    if (url.pathname === "/seed") return Response.json(await seedDemoCompany(env, { activity: false }));
    if (url.pathname === "/ingest") {
      const batches = Number(url.searchParams.get("batches") ?? 20);
      const links = Number(url.searchParams.get("links") ?? 500);
      const started = Date.now();
      let written = 0;
      let retried = 0;
      for (let b = 0; b < batches; b++) {
        const events: ClickEvent[] = Array.from({ length: 100 }, (_, i) => {
          const n = b * 100 + i;
          return {
            v: 1,
            clickId: sortableToken(),
            ts: started - (n % 3) * HOUR_MS,
            companyId: "cmp_bench",
            groupId: `grp_bench_${n % 4}`,
            partnerId: `ptn_bench_${n % links}`,
            partnerLinkId: `plk_bench_${n % links}`,
            defaultLinkId: "lnk_bench",
            kind: "human",
            country: "US",
            refererHost: null,
            visitorHash: `visitor-${n % 2000}`,
          };
        });
        const batch = queueBatch(
          events,
          () => written++,
          () => retried++,
        );
        await consumeClickBatch(batch, env);
      }
      return Response.json({ written, retried, ms: Date.now() - started });
    }
    if (url.pathname === "/counts") {
      const row = await env.DB.prepare(
        `SELECT (SELECT count(*) FROM clicks WHERE kind = 'human' AND company_id != 'cmp_bench') AS raw,
                (SELECT coalesce(sum(clicks), 0) FROM click_counts_hourly WHERE company_id != 'cmp_bench') AS counted,
                (SELECT count(*) FROM clicks WHERE company_id = 'cmp_bench') AS ingested`,
      ).first();
      return Response.json(row);
    }
    return new Response("not found", { status: 404 });
  },
};

/** One queue delivery of these events, as the consumer gets it; counts its acks and retries. */
function queueBatch(events: ClickEvent[], onAck: () => void, onRetry: () => void): MessageBatch<unknown> {
  const timestamp = new Date();
  const messages = events.map((body) => ({
    id: body.clickId,
    timestamp,
    body,
    attempts: 1,
    ack: onAck,
    retry: onRetry,
  }));
  return {
    queue: "edgeref-clicks",
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => messages.forEach(onAck),
    retryAll: () => messages.forEach(onRetry),
  };
}
