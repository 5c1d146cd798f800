// Clients a Workers Rate Limiting binding refused, remembered in this isolate until the limiter's
// window is over. The binding only offers `limit()`, which counts a call: consulting it on every
// request would count successful ones too. So it is called only for the events being limited
// (misses, failed auth), and a refusal is kept here, where the next request checks it with no I/O.

/** The window of every limiter in wrangler.toml (the binding allows 10 or 60 s). */
export const LIMIT_PERIOD_MS = 60_000;

export class LimitedClients {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly periodMs = LIMIT_PERIOD_MS,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  isLimited(client: string): boolean {
    const until = this.until.get(client);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(client);
    return false;
  }

  /**
   * Counts one event for `client`; true when the limiter refused it (the client is then limited in
   * this isolate for a period). A limiter that fails lets the event through: limits never break service.
   */
  async count(limiter: RateLimit | undefined, client: string): Promise<boolean> {
    if (!limiter) return false;
    let success: boolean;
    try {
      ({ success } = await limiter.limit({ key: client }));
    } catch (error) {
      console.error(JSON.stringify({ msg: "rate limiter failed", error: String(error) }));
      return false;
    }
    if (success) return false;
    this.until.delete(client);
    this.until.set(client, this.now() + this.periodMs);
    if (this.until.size > this.maxEntries) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
    return true;
  }
}
