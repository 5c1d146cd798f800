// Slugs are validated before any I/O: letters, digits and dashes, bounded, matched lower-case.
export const MAX_SLUG_LENGTH = 100;
const SLUG_PATTERN = /^[A-Za-z0-9-]+$/;

/** The lower-case slug, or null when the path segment cannot be a slug. */
export function normalizeSlug(segment: string): string | null {
  if (segment.length === 0 || segment.length > MAX_SLUG_LENGTH || !SLUG_PATTERN.test(segment)) return null;
  return segment.toLowerCase();
}
