const encoder = new TextEncoder();

/** SHA-256 in hex; `bytes` < 32 keeps only the first bytes of the digest. */
export async function sha256Hex(input: string, bytes = 32): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(input));
  return toHex(new Uint8Array(digest, 0, bytes));
}

/** Each byte's two hex digits, by byte value. */
export const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}
