// Input rules shared by the services (which enforce them) and the API schemas (which document them).
import { z } from "zod";
import { problems, type FieldError } from "./errors";

const LOWER_WORDS = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** http(s) only, no credentials: partners' customers are sent here. */
export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password && url.hostname !== "";
    } catch {
      return false;
    }
  }, "must be an absolute http or https URL without credentials");

/** Lower-case letters, digits and single dashes; never `--`, which separates key and link text in slugs. */
export const partnerKey = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(LOWER_WORDS, "use letters, digits and single dashes (not at the start or end)");

export const linkText = partnerKey;

const paramName = z.string().min(1).max(100);
export const utmParams = z
  .array(z.tuple([paramName, z.string().max(500)]))
  .max(20)
  .refine((pairs) => new Set(pairs.map(([name]) => name)).size === pairs.length, "parameter names must be unique");

/** Parses with a zod schema, turning its issues into a 422 problem with per-field errors. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw problems.validation(zodFieldErrors(result.error));
}

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.join(".") || "(body)", message: issue.message }));
}

/** `José Núñez` → `jose-nunez`; empty when nothing latin is left. */
export function slugify(text: string, maxLength = 40): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxLength)
    .replace(/-+$/, "");
}
