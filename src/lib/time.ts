export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Start of the UTC hour containing `ms`. */
export function hourStart(ms: number): number {
  return ms - (ms % HOUR_MS);
}
