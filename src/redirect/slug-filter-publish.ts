// The admin side of the slug filter: changes that write slugs run through batchWritingSlugs, then
// publishSlugFilter brings the company's filter in KV up to date (see slug-filter.ts).
import type { StorageEnv } from "../env";
import { SlugFilter, slugFilterKey } from "./slug-filter";
import { isolateSlugFilters } from "./slug-filter-cache";

/** What one D1 batch did to a company's slugs: its version before and after, and the slugs it may have added. */
export interface SlugChange {
  companyId: string;
  before: number;
  after: number;
  /** A superset of the slugs the batch wrote (every slug may be listed, written now or before). */
  slugs: string[];
}

/**
 * Runs `writes` as one D1 batch (atomic), bracketed by reads of the company's slug version and
 * followed by `slugsAfter` (a `SELECT slug …` covering every slug the writes may add). Read inside
 * the batch, these describe exactly what it did, so the filter can be extended without a rebuild.
 */
export async function batchWritingSlugs(
  env: StorageEnv,
  companyId: string,
  writes: D1PreparedStatement[],
  slugsAfter: D1PreparedStatement,
): Promise<{ results: D1Result[]; change: SlugChange }> {
  const version = () => env.DB.prepare("SELECT slugs_version AS version FROM companies WHERE id = ?").bind(companyId);
  const results = await env.DB.batch([version(), ...writes, slugsAfter, version()]);
  const versionOf = (result: D1Result | undefined) =>
    Number((result?.results[0] as { version?: number } | undefined)?.version ?? 0);
  return {
    results: results.slice(1, 1 + writes.length),
    change: {
      companyId,
      before: versionOf(results[0]),
      after: versionOf(results.at(-1)),
      slugs: ((results.at(-2)?.results ?? []) as { slug: string }[]).map((row) => row.slug),
    },
  };
}

/**
 * Brings the company's filter in KV up to date after `changes` (in the order they ran): the filter
 * in KV extended by their slugs when it is exactly the version they started from, else rebuilt from
 * D1. One KV put. Never throws: a filter left stale makes the edge ask D1, as without a filter.
 */
export async function publishSlugFilter(
  env: StorageEnv,
  companyId: string,
  changes: (SlugChange | undefined)[],
): Promise<void> {
  const written = changes.filter(
    (change): change is SlugChange => change !== undefined && change.after !== change.before,
  );
  isolateSlugFilters.forget(companyId);
  if (written.length === 0) return;
  try {
    const current = SlugFilter.decode(await env.LINKS_KV.get(slugFilterKey(companyId), "arrayBuffer"));
    const last = written.at(-1)!;
    if (current && current.version >= last.after) return; // a newer filter is already there
    const next = (current && extended(current, written)) ?? (await rebuildSlugFilter(env, companyId));
    await env.LINKS_KV.put(slugFilterKey(companyId), next.encode());
  } catch (error) {
    console.error(JSON.stringify({ msg: "slug filter publish failed", companyId, error: String(error) }));
  } finally {
    isolateSlugFilters.forget(companyId);
  }
}

/** The filter plus the changes' slugs, if they follow on from its version without a gap and fit. */
function extended(filter: SlugFilter, changes: SlugChange[]): SlugFilter | null {
  let version = filter.version;
  for (const change of changes) {
    if (change.before !== version) return null; // someone else wrote slugs in between: rebuild
    for (const slug of change.slugs) filter.add(slug);
    version = change.after;
  }
  if (filter.full) return null;
  filter.version = version;
  return filter;
}

/** Every slug of the company and its version, read in one batch (a consistent snapshot). */
export async function rebuildSlugFilter(env: StorageEnv, companyId: string): Promise<SlugFilter> {
  const [versionRow, slugRows] = await env.DB.batch([
    env.DB.prepare("SELECT slugs_version AS version FROM companies WHERE id = ?").bind(companyId),
    env.DB.prepare("SELECT slug FROM partner_links WHERE company_id = ?").bind(companyId),
  ]);
  const slugs = (slugRows!.results as { slug: string }[]).map((row) => row.slug);
  const version = Number((versionRow!.results[0] as { version?: number } | undefined)?.version ?? 0);
  return SlugFilter.build(version, slugs, slugs.length);
}
