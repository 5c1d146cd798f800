// Password hashing for console users: PBKDF2-SHA-256 through WebCrypto (no dependency), with a
// 16-byte random salt per user. 100,000 iterations is the most Workers allow in production (local
// workerd does not enforce it, hence the test on the count). The stored string says how it was
// made — `pbkdf2-sha256$100000$<salt base64>$<hash base64>` — so verification reads the count from
// it and the count can be raised later without invalidating stored hashes.

export const PBKDF2_ITERATIONS = 100_000;
/** Workers refuse more iterations than this: a stored hash asking for more cannot be checked. */
const MAX_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = "pbkdf2-sha256";

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** A new self-describing hash of `password`, with a fresh salt. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

function parseHash(stored: string): ParsedHash | null {
  const [scheme, count, salt, hash, ...rest] = stored.split("$");
  if (scheme !== SCHEME || rest.length > 0 || !count || !/^[1-9]\d*$/.test(count)) return null;
  const iterations = Number(count);
  const saltBytes = fromBase64(salt ?? "");
  const hashBytes = fromBase64(hash ?? "");
  if (iterations > MAX_ITERATIONS || !saltBytes || !hashBytes || hashBytes.length !== HASH_BYTES) return null;
  return { iterations, salt: saltBytes, hash: hashBytes };
}

/** Whether `password` is the one `stored` was made from; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.iterations);
  return equalInConstantTime(candidate, parsed.hash);
}

/** Every byte is compared whatever the first difference, so the time taken tells nothing. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/**
 * Spends the time one verification takes, for an email that has no user: the answer to a sign-in
 * then takes as long whether or not the email exists.
 */
export async function spendVerificationTime(password: string): Promise<void> {
  await derive(password, new Uint8Array(SALT_BYTES), PBKDF2_ITERATIONS);
}

/** The iteration count a stored hash was made with (null when it is not one of ours). */
export function iterationsOf(stored: string): number | null {
  return parseHash(stored)?.iterations ?? null;
}

/** A password for a new owner (company:create, the demo): 18 random bytes, 24 base64url characters. */
export function generatePassword(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(18)))
    .replaceAll("+", "-")
    .replaceAll("/", "_");
}
