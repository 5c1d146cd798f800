// Types for `siphash`'s SipHash128 module, which test/clicks/siphash.test.ts checks src/clicks/siphash.ts
// against. tsconfig `paths` points its import here: the package ships TypeScript sources that do
// not pass this project's strict checks, and no declarations.

/** A 128-bit key as four 32-bit words. */
type Key = ArrayLike<number>;

declare const SipHashDouble: {
  /** The 128-bit hash as four 32-bit words. */
  hash(key: Key, message: Uint8Array | string): Uint32Array;
  /** The 128-bit hash in hex (32 characters). */
  hash_hex(key: Key, message: Uint8Array | string): string;
};
export default SipHashDouble;
