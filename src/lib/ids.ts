// Prefixed, time-sortable ids (`grp_01jd…`): 48 bits of milliseconds + 80 random bits in Crockford
// base32, lower-case, like a ULID. Sorting ids sorts by creation time, which cursor pagination and
// the range purge of raw clicks rely on.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export const ID_PREFIXES = {
  company: "cmp",
  apiKey: "key",
  linkDomain: "dom",
  group: "grp",
  defaultLink: "lnk",
  partner: "ptn",
  partnerLink: "plk",
  customer: "cus",
  transaction: "txn",
  offer: "ofr",
  trigger: "trg",
  reward: "rwd",
  formVersion: "fmv",
  stage: "stg",
  application: "app",
  lead: "lead",
  deal: "deal",
  stageMove: "mov",
  partnerCredential: "pcr",
  webSession: "ses",
  signInLink: "sil",
  mail: "mail",
  user: "usr",
  userInvite: "inv",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${sortableToken(now)}`;
}

/** 26 characters: the time part then the random part. */
export function sortableToken(now = Date.now()): string {
  return encodeTime(now) + randomChars();
}

/** The smallest token created at `ms` or later: `token < lowerBoundToken(t)` ⇔ created before `t`. */
export function lowerBoundToken(ms: number): string {
  return encodeTime(ms) + "0".repeat(RANDOM_CHARS);
}

// The last time encoded: ids made in the same millisecond (clicks, under load) share it.
let lastTime = { ms: Number.NaN, encoded: "" };

function encodeTime(ms: number): string {
  if (ms === lastTime.ms) return lastTime.encoded;
  let out = "";
  let rest = Math.max(0, Math.floor(ms));
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  lastTime = { ms, encoded: out };
  return out;
}

// Random bytes are drawn from the CSPRNG a pool at a time (one call per 256 ids, not one per id:
// the call is a large part of an id's cost on the redirect path); each byte is used once. Filled
// lazily, inside a request: Workers refuse getRandomValues at module scope.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
const ALPHABET_CODES = Array.from(ALPHABET, (char) => char.charCodeAt(0));
// One string made from char codes costs less than a string per character appended.
const randomCodes: number[] = new Array(RANDOM_CHARS).fill(0);

function randomChars(): string {
  if (poolOffset + RANDOM_CHARS > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < RANDOM_CHARS; i++) {
    randomCodes[i] = ALPHABET_CODES[(pool[poolOffset + i] as number) & 31] as number;
  }
  poolOffset += RANDOM_CHARS;
  return String.fromCharCode(...randomCodes);
}

/** The creation time encoded in a token or id, or null if it is not one of ours. */
export function tokenTime(token: string): number | null {
  const time = token.slice(token.indexOf("_") + 1, token.indexOf("_") + 1 + TIME_CHARS);
  if (time.length !== TIME_CHARS) return null;
  let ms = 0;
  for (const char of time) {
    const digit = ALPHABET.indexOf(char);
    if (digit === -1) return null;
    ms = ms * 32 + digit;
  }
  return ms;
}

/**
 * An id of ours, to write into SQL text (a guard that only ids we made reach it): statements that
 * must act "only if that row was written" in a D1 batch name the row inside their SQL.
 */
export function sqlId(id: string): string {
  if (!/^[a-z]+_[0-9a-z]+$/.test(id)) throw new Error(`not an id: ${JSON.stringify(id)}`);
  return `'${id}'`;
}
