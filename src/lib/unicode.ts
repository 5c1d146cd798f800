// A lone UTF-16 surrogate (JSON "\ud800") is a string JavaScript holds but no URL can carry:
// encodeURIComponent throws on it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/; // cheap first test: most text has none (the redirect path calls this)

export function isWellFormed(text: string): boolean {
  return toWellFormed(text) === text;
}

/** The text with each lone surrogate replaced by U+FFFD, as URL and TextEncoder do. */
export function toWellFormed(text: string): string {
  return ANY_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\uFFFD") : text;
}
