// Input rules shared by every API input schema (`*.routes.ts`): each rule is enforced and documented
// in /openapi.json by the same schema object (format, pattern, maxLength).
import { z } from "@hono/zod-openapi";
import { type FieldError, problems } from "./errors";
import { isWellFormed } from "./unicode";

const LOWER_WORDS = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** http(s) only, no credentials: partners' customers are sent here. */
export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password && url.hostname !== ""
      );
    } catch {
      return false;
    }
  }, "must be an absolute http or https URL without credentials")
  .openapi({ format: "uri", description: "An absolute http(s) URL without credentials" });

/** Lower-case letters, digits and single dashes; never `--`, which separates key and link text in slugs. */
export const partnerKey = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(LOWER_WORDS, "use letters, digits and single dashes (not at the start or end)");

export const linkText = partnerKey;

// Text that goes into URLs: a lone surrogate is refused here rather than mangled at the edge.
const urlText = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isWellFormed, "must be valid Unicode text");
/** A link's whole parameter list as stored ([name, value] pairs), when a caller other than the API gives one. */
export const utmParams = z
  .array(z.tuple([urlText(1, 100), urlText(0, 500)]))
  .max(20)
  .refine((pairs) => new Set(pairs.map(([name]) => name)).size === pairs.length, "parameter names must be unique");

/** An id of one of the company's objects (`grp_…`, `ptn_…`), as sent in bodies and queries. */
export const objectId = z.string().min(1).max(64);

export const companyName = z.string().trim().min(1).max(200);

/** A query parameter name the edge adds to destinations (click id, partner key). */
export const queryParamName = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_.-]+$/, "use letters, digits, _ . -");

/** A DNS hostname such as try.acme.com, in lower case. */
export const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    "must be a hostname such as try.acme.com",
  );

/** An ISO 4217 currency code. */
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as USD");

/** An email address, compared in lower case. */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email())
  .openapi({ type: "string", format: "email", maxLength: 254 });

/** Parses with a zod schema, turning its issues into a 422 problem with per-field errors. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw problems.validation(zodFieldErrors(result.error));
}

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = (path: PropertyKey[]) => path.map(String).join(".") || "(body)";
    // Unknown fields are named one by one, so a client sees exactly which to drop.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: at([...issue.path, key]),
        message: "is not a field this request accepts",
      }));
    }
    return [{ field: at(issue.path), message: issue.message }];
  });
}

// Reserved names (RFC 2606, 6761, 6762) and internal-only suffixes never reachable from the internet.
const NON_PUBLIC_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "intranet",
  "lan",
  "home.arpa",
  "test",
  "example",
  "invalid",
  "onion",
  "corp",
  "private",
];

/**
 * A publicly reachable https URL, judged by its form only (nothing is fetched): https, no
 * credentials, a dotted hostname that is not reserved or internal, and no private, loopback,
 * link-local, documentation or multicast IP address.
 */
export const publicHttpsUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = publicHttpsProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({ format: "uri", description: "A public https URL (no credentials, no private or reserved host)" });

function publicHttpsProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:") return "must use https";
  if (url.username || url.password) return "must not contain credentials";
  const host = url.hostname.toLowerCase();
  if (host.startsWith("["))
    return isPublicIPv6(host.slice(1, -1)) ? null : "must not point to a private or reserved address";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host))
    return isPublicIPv4(host) ? null : "must not point to a private or reserved address";
  if (!host.includes(".")) return "must have a public hostname";
  const labels = host.replace(/\.$/, "").split(".");
  for (let i = 0; i < labels.length; i++) {
    if (NON_PUBLIC_SUFFIXES.includes(labels.slice(i).join("."))) return "must not use a reserved or internal hostname";
  }
  return null;
}

function isPublicIPv4(address: string): boolean {
  const [a, b, c] = address.split(".").map(Number) as [number, number, number, number];
  const blocked =
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113);
  return !blocked;
}

function isPublicIPv6(address: string): boolean {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isPublicIPv4(mapped[1]!);
  if (lower.startsWith("::ffff:")) return false; // mapped IPv4 in hex form
  // Only global unicast (2000::/3) is public, minus the documentation prefix 2001:db8::/32.
  const first = parseInt(lower.split(":")[0] || "0", 16);
  if (first < 0x2000 || first > 0x3fff) return false;
  return !lower.startsWith("2001:db8:") && lower !== "2001:db8::";
}
