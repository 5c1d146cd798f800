import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof database>;

export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** drizzle wraps driver errors; the SQLite message is on the error or its cause. */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return messages.some((message) => /UNIQUE constraint failed/.test(message) && (!index || message.includes(index)));
}
