// The edge's view of companies' slug filters, per isolate. A filter answers "surely unknown" only
// after this isolate confirmed with D1, within the last CONFIRM_MS, that the company's
// `slugs_version` still equals the filter's: one tiny D1 read per company per 5 s while unknown
// slugs arrive, instead of one per unknown slug. Anything else (no filter, a stale one, D1 down)
// answers "maybe", and the caller asks D1 as it would without a filter.
import { KV_CACHE_TTL_SECONDS } from "./resolve";
import { loadSlugsVersion, SlugFilter, slugFilterKey } from "./slug-filter";

/** How long a confirmed version is trusted: a slug written since may be answered unknown this long. */
export const SLUG_FILTER_CONFIRM_MS = 5_000;

interface CompanyFilter {
  /** Null: KV has no (usable) filter for the company. */
  filter: SlugFilter | null;
  readAt: number;
  /** The company's version as D1 last said, and when. */
  confirmed?: { version: number; at: number };
  /** A request of this isolate is asking D1 right now. */
  confirming?: boolean;
}

export interface SlugFilterCacheOptions {
  confirmMs?: number;
  maxCompanies?: number;
  now?: () => number;
}

export class SlugFilterCache {
  private readonly companies = new Map<string, CompanyFilter>();
  private readonly confirmMs: number;
  private readonly maxCompanies: number;
  private readonly now: () => number;

  constructor(options: SlugFilterCacheOptions = {}) {
    this.confirmMs = options.confirmMs ?? SLUG_FILTER_CONFIRM_MS;
    this.maxCompanies = options.maxCompanies ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** True only when the company's current filter says the slug does not exist. */
  async surelyUnknown(stores: { db: D1Database; kv: KVNamespace }, companyId: string, slug: string): Promise<boolean> {
    let entry = this.companies.get(companyId);
    if (!entry || this.worthReloading(entry)) {
      entry = await this.load(stores.kv, companyId, entry);
      if (!entry) return false;
    }
    const filter = entry.filter;
    if (!filter || filter.has(slug)) return false;

    const age = entry.confirmed ? this.now() - entry.confirmed.at : Infinity;
    // While one request re-confirms, the others keep the previous answer a little longer (no herd).
    if (age < this.confirmMs || (entry.confirming && age < 2 * this.confirmMs))
      return entry.confirmed!.version === filter.version;
    entry.confirming = true;
    try {
      const version = await loadSlugsVersion(stores.db, companyId);
      if (version === null) return false;
      entry.confirmed = { version, at: this.now() };
      return version === filter.version;
    } catch (error) {
      console.error(JSON.stringify({ msg: "slug version read failed", companyId, error: String(error) }));
      return false;
    } finally {
      entry.confirming = false;
    }
  }

  /**
   * From this isolate alone, no I/O: false when the filter held here says the slug surely does not
   * exist (confirmed or not), true when it may, undefined when no filter is held.
   */
  mayExist(companyId: string, slug: string): boolean | undefined {
    const filter = this.companies.get(companyId)?.filter;
    return filter ? filter.has(slug) : undefined;
  }

  /** Drops what this isolate holds for the company (its filter was just republished). */
  forget(companyId: string): void {
    this.companies.delete(companyId);
  }

  /** No filter, or one D1 says is behind: read KV again, at most once per confirmMs. */
  private worthReloading(entry: CompanyFilter): boolean {
    const behind = !entry.filter || (entry.confirmed !== undefined && entry.confirmed.version !== entry.filter.version);
    return behind && this.now() - entry.readAt >= this.confirmMs;
  }

  private async load(kv: KVNamespace, companyId: string, previous?: CompanyFilter): Promise<CompanyFilter | undefined> {
    let buffer: ArrayBuffer | null;
    try {
      buffer = await kv.get(slugFilterKey(companyId), { type: "arrayBuffer", cacheTtl: KV_CACHE_TTL_SECONDS });
    } catch (error) {
      console.error(JSON.stringify({ msg: "slug filter read failed", companyId, error: String(error) }));
      return undefined;
    }
    const entry: CompanyFilter = {
      filter: SlugFilter.decode(buffer),
      readAt: this.now(),
      confirmed: previous?.confirmed,
    };
    this.companies.delete(companyId);
    this.companies.set(companyId, entry);
    if (this.companies.size > this.maxCompanies) {
      const oldest = this.companies.keys().next().value;
      if (oldest !== undefined) this.companies.delete(oldest);
    }
    return entry;
  }
}

/** The filters every request of this isolate shares (the admin side drops a company's on publish). */
export const isolateSlugFilters = new SlugFilterCache();
