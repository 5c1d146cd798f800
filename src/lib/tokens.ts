// Bearer secrets of the pages (session cookies, one-time sign-in links, CSRF secrets), link-domain
// verification tokens and the random part of API secrets (./bearer): 32 random bytes, written as
// 43 base64url characters. 256 bits leave nothing to guess, so a plain SHA-256 of the token is what
// is stored and looked up; a string of another shape is refused without a lookup.
import { sha256Hex } from "./hash";

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A new 256-bit secret. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** What is stored for a token: its SHA-256 in hex. */
export function tokenHash(token: string): Promise<string> {
  return sha256Hex(token);
}
