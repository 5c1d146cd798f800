// Helpers for the redirect tests: reading what a browser sees in a 302, and storage that fails.
import { env } from "cloudflare:workers";

/** The `Location` header of a response; fails the test when there is none. */
export function locationOf(response: Response): string {
  const location = response.headers.get("location");
  if (location === null) throw new Error(`expected a Location header (status ${response.status})`);
  return location;
}

/** The click id in a redirect's `Location` (the company's click id parameter, `ps_xid` by default). */
export function clickIdOf(response: Response, param = "ps_xid"): string {
  const value = new URL(locationOf(response)).searchParams.get(param);
  if (value === null) throw new Error(`no ${param} in ${locationOf(response)}`);
  return value;
}

export interface ParsedCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to "". */
  attributes: Map<string, string>;
}

/** Parses one `Set-Cookie` header value. */
export function parseSetCookie(header: string): ParsedCookie {
  const [pair = "", ...rest] = header.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const at = attribute.indexOf("=");
    if (at === -1) attributes.set(attribute.toLowerCase(), "");
    else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** The id of a group's original (position 1) default link. */
export async function originalLinkId(groupId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM default_links WHERE group_id = ? AND position = 1")
    .bind(groupId)
    .first<{ id: string }>();
  if (!row) throw new Error(`group ${groupId} has no original link`);
  return row.id;
}

/** A D1 that is down: every statement rejects when run (as a real outage does). */
export const rejectingDb = {
  prepare: () => {
    const statement = {
      bind: () => statement,
      all: async () => {
        throw new Error("D1_ERROR: Network connection lost.");
      },
      first: async () => {
        throw new Error("D1_ERROR: Network connection lost.");
      },
      run: async () => {
        throw new Error("D1_ERROR: Network connection lost.");
      },
      raw: async () => {
        throw new Error("D1_ERROR: Network connection lost.");
      },
    };
    return statement;
  },
  batch: async () => {
    throw new Error("D1_ERROR: Network connection lost.");
  },
} as unknown as D1Database;

/** A D1 whose methods throw at once. */
export const throwingDb = {
  prepare: () => {
    throw new Error("D1 unavailable");
  },
  batch: () => {
    throw new Error("D1 unavailable");
  },
} as unknown as D1Database;

/** A KV whose reads and writes fail. */
export const failingKv = {
  get: async () => {
    throw new Error("KV GET failed: 503 Service Unavailable");
  },
  put: async () => {
    throw new Error("KV PUT failed: 503 Service Unavailable");
  },
  delete: async () => {
    throw new Error("KV DELETE failed: 503 Service Unavailable");
  },
} as unknown as KVNamespace;

/** A KV whose `get` throws at once instead of rejecting. */
export const throwingKv = {
  get: () => {
    throw new Error("KV unavailable");
  },
  put: async () => {
    throw new Error("KV unavailable");
  },
} as unknown as KVNamespace;

/**
 * A D1 and a KV that record every property touched and every call made on them (and fail each
 * call, as storage that is down would): to show a request did no storage I/O at all.
 */
export function recordingStorage() {
  const calls: string[] = [];
  const recorder = <T extends object>(name: string) =>
    new Proxy({} as T, {
      get(_target, property) {
        calls.push(`${name}.${String(property)}`);
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(property)}(${args.map((arg) => JSON.stringify(arg)).join(", ")})`);
          throw new Error(`${name} unavailable`);
        };
      },
    });
  return { DB: recorder<D1Database>("DB"), LINKS_KV: recorder<KVNamespace>("LINKS_KV"), calls };
}

/** The real D1, recording the SQL of every statement prepared on it (each is one query). */
export function countingDb(db: D1Database) {
  const queries: string[] = [];
  const counted = new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => {
          queries.push(sql);
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: counted, queries };
}
