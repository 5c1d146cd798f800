// Response headers of every page the admin worker serves (not of the JSON API). The CSP allows
// only the worker's own origin: no inline script or style, no CDN, no framing, forms post back
// to the worker only. `data:` images are allowed for the small SVG icons inside Pico's stylesheet.
import { secureHeaders } from "hono/secure-headers";

const SELF = "'self'";
const NONE = "'none'";

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: [SELF],
  scriptSrc: [SELF],
  styleSrc: [SELF],
  imgSrc: [SELF, "data:"],
  fontSrc: [SELF],
  connectSrc: [SELF],
  formAction: [SELF],
  frameAncestors: [NONE],
  baseUri: [NONE],
  objectSrc: [NONE],
};

export const pageSecurityHeaders = secureHeaders({
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  // Links out of a page (terms of service) tell the other site the origin only.
  referrerPolicy: "strict-origin-when-cross-origin",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
});
