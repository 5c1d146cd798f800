import type { ClickEvent } from "./clicks/event";

/** Bindings shared by both workers (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  /** Read-through cache of the records the redirect needs (src/redirect/records.ts). */
  LINKS_KV: KVNamespace;
  /** Edge only: one message per click. */
  CLICKS: Queue<ClickEvent>;
  VISITOR_HASH_SALT: string;
}
