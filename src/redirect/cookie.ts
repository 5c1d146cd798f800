// The tracking cookie dropped on every counted or uncounted redirect. Its value is
// `<click id>.<partner key>`; it is refreshed (new click id, full Max-Age) on every click.
//
// Not HttpOnly, on purpose: the merchant's own front-end snippet reads it to pass the click id
// along with a signup (the server-to-server conversion call needs it), and it holds nothing
// secret — a random click id and the partner's public key.
export const TRACKING_COOKIE_NAME = "edgeref_ref";

/** What the cookie holds besides the click id, which changes on every click. */
export interface TrackingCookieShape {
  partnerKey: string;
  maxAgeSeconds: number;
  /** Cookie `Domain`; null for a host-only cookie. */
  domain: string | null;
  secure: boolean;
}

/** The cookie around its click id: the `Set-Cookie` value is `head + click id + tail`. */
export function trackingCookieParts(input: TrackingCookieShape): { head: string; tail: string } {
  let tail = `.${input.partnerKey}; Max-Age=${input.maxAgeSeconds}; Path=/; SameSite=Lax`;
  if (input.domain) tail += `; Domain=${input.domain}`;
  if (input.secure) tail += "; Secure";
  return { head: `${TRACKING_COOKIE_NAME}=`, tail };
}

/** `Secure` everywhere except plain-http local development, where browsers would drop the cookie. */
export function cookieShouldBeSecure(url: Pick<URL, "hostname" | "protocol">): boolean {
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  return !(url.protocol === "http:" && local);
}
