/**
 * Authentication failures per source address: after `limit` failures within `windowMs`, every request from
 * that address is answered 429 until `blockMs` has passed, whether its credentials are right or not, so a
 * stolen-token hunt or a MAC forgery campaign gets a few tries a minute. The table is bounded: at `maxSources`
 * the oldest entries go first.
 */
export class AuthFailureLimiter {
  private readonly sources = new Map<string, { count: number; windowStart: number; blockedUntil: number }>();
  /** Every failure recorded since start (the office's `/metrics`). */
  total = 0;

  constructor(
    private readonly o: { limit?: number; windowMs?: number; blockMs?: number; maxSources?: number; now?: () => number } = {},
  ) {}

  private get now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Seconds the source must still wait, or 0. */
  blockedFor(source: string): number {
    const s = this.sources.get(source);
    if (s === undefined) return 0;
    const left = s.blockedUntil - this.now;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  failed(source: string): void {
    this.total += 1;
    const now = this.now;
    const windowMs = this.o.windowMs ?? 60_000;
    let s = this.sources.get(source);
    if (s === undefined || now - s.windowStart > windowMs) {
      s = { count: 0, windowStart: now, blockedUntil: s?.blockedUntil ?? 0 };
      this.sources.delete(source);
      if (this.sources.size >= (this.o.maxSources ?? 10_000)) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
      this.sources.set(source, s);
    }
    s.count += 1;
    if (s.count >= (this.o.limit ?? 10)) {
      s.blockedUntil = now + (this.o.blockMs ?? 5 * 60_000);
      s.count = 0;
      s.windowStart = now;
    }
  }
}
