// Console users' password hashes: PBKDF2-SHA-256 through WebCrypto at 100,000 iterations (the most
// Workers allow in production; local workerd would accept more, hence the count is asserted), a
// 16-byte salt per hash, a self-describing string, verification that reads its count from it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword, iterationsOf, PBKDF2_ITERATIONS, verifyPassword } from "../../src/users/passwords";
import { authenticateUser, createUser } from "../../src/users/service";
import { newTenant } from "../helpers/admin";

const FORMAT = /^pbkdf2-sha256\$(\d+)\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/;
const bytes = (b64: string) => Uint8Array.from(atob(b64), (char) => char.charCodeAt(0));

/** PBKDF2-SHA-256 computed here, independently of the code under test. */
async function pbkdf2(password: string, salt: Uint8Array, iterations: number) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256),
  );
}

describe("password hashes", () => {
  it("new hashes use PBKDF2-SHA-256 with exactly 100,000 iterations and a 16-byte salt, written out", async () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    const stored = await hashPassword("correct horse battery staple");
    const [, count, salt, hash] = FORMAT.exec(stored)!;
    expect(count).toBe("100000");
    expect(bytes(salt!)).toHaveLength(16);
    expect(bytes(hash!)).toHaveLength(32);
    // The stored hash is PBKDF2 at 100,000 iterations of that salt: not 99,999, not 200,000.
    expect(bytes(hash!)).toEqual(await pbkdf2("correct horse battery staple", bytes(salt!), 100_000));
    expect(bytes(hash!)).not.toEqual(await pbkdf2("correct horse battery staple", bytes(salt!), 99_999));
  });

  it("a user's stored hash (what the users table holds) has the 100,000 count", async () => {
    const { companyId } = await newTenant();
    const email = `count-${crypto.randomUUID().slice(0, 8)}@console.test`;
    await createUser(env, companyId, { email, role: "owner", password: "a long enough password" });
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?").bind(email).first<{
      password_hash: string;
    }>();
    expect(iterationsOf(row!.password_hash)).toBe(100_000);
    expect(row!.password_hash).not.toContain("a long enough password");
  });

  it("every hash has its own salt: the same password twice gives two different strings", async () => {
    const [a, b] = [await hashPassword("same password"), await hashPassword("same password")];
    expect(a).not.toBe(b);
    expect(FORMAT.exec(a)![2]).not.toBe(FORMAT.exec(b)![2]);
  });

  it("verifies the right password and refuses a wrong one, a case change and an empty one", async () => {
    const stored = await hashPassword("Tr0ub4dor&3 and more");
    expect(await verifyPassword("Tr0ub4dor&3 and more", stored)).toBe(true);
    expect(await verifyPassword("Tr0ub4dor&3 and mor", stored)).toBe(false);
    expect(await verifyPassword("tr0ub4dor&3 and more", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("verification reads the count from the stored string (a hash of fewer iterations still verifies)", async () => {
    const older = await hashPassword("an older password", 1_000);
    expect(older.startsWith("pbkdf2-sha256$1000$")).toBe(true);
    expect(await verifyPassword("an older password", older)).toBe(true);
    // The same salt and hash under another count is another hash: refused.
    expect(await verifyPassword("an older password", older.replace("$1000$", "$2000$"))).toBe(false);
  });

  it("refuses malformed strings and counts Workers cannot run (over 100,000), without throwing", async () => {
    const stored = await hashPassword("some password here");
    const [, , salt, hash] = FORMAT.exec(stored)!;
    for (const bad of [
      "",
      "plain text",
      `pbkdf2-sha1$100000$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$100001$${salt}$${hash}`,
      `pbkdf2-sha256$abc$${salt}$${hash}`,
      `pbkdf2-sha256$100000$${salt}$${hash}$extra`,
      `pbkdf2-sha256$100000$${salt}$!!notbase64`,
      `pbkdf2-sha256$100000$${salt}$${btoa("short")}`,
    ]) {
      expect(await verifyPassword("some password here", bad), bad).toBe(false);
    }
  });

  it("authenticateUser: the user for the right email (any letter case) and password, null otherwise", async () => {
    const { companyId } = await newTenant();
    const email = `auth-${crypto.randomUUID().slice(0, 8)}@console.test`;
    const user = await createUser(env, companyId, { email, role: "admin", password: "the right password" });
    expect((await authenticateUser(env, email.toUpperCase(), "the right password"))?.id).toBe(user.id);
    expect(await authenticateUser(env, email, "the wrong password")).toBeNull();
    expect(await authenticateUser(env, `nobody-${email}`, "the right password")).toBeNull();
  });
});
