import { describe, expect, it } from 'vitest';
import { TrustedClock } from '../../../src/sync/trusted-clock.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const at = (s: string) => Date.parse(s);

describe('trusted clock', () => {
  it('trusts the wall clock once the office’s serverTime agreed with it, and not when it did not', () => {
    const clock = new ManualClock(at('2026-11-25T10:00:20Z'));
    const t = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs: () => undefined });
    expect(t.trusted()).toBe(false);
    expect(t.trustedNowMs()).toBeUndefined();
    t.observe(at('2026-11-25T10:00:00Z'));
    expect(t.trustedNowMs()).toBe(at('2026-11-25T10:00:20Z'));
    t.observe(at('2026-11-25T12:00:00Z'));
    expect(t.trusted()).toBe(false);
  });

  it('trusts a clock the system says is synchronized', () => {
    const t = new TrustedClock(new ManualClock(), { toleranceMs: 60_000, storedServerTimeMs: () => undefined, systemSynchronized: () => true });
    expect(t.trusted()).toBe(true);
  });

  it('judges expiry by what the office proved when the wall clock lags (a Pi booted in 1970)', () => {
    const clock = new ManualClock(0); // 1970
    const t = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs: () => at('2026-11-20T00:00:00Z') });
    expect(t.conservativeNowMs()).toBe(at('2026-11-20T00:00:00Z'));
    t.observe(at('2026-11-25T10:00:00Z'));
    clock.advance(3_600_000);
    expect(t.conservativeNowMs()).toBe(at('2026-11-25T11:00:00Z'));
  });

  it('a wall clock ahead of the office only makes documents expire sooner', () => {
    const clock = new ManualClock(at('2036-11-25T10:00:00Z')); // ten years ahead
    const t = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs: () => undefined });
    t.observe(at('2026-11-25T10:00:00Z'));
    expect(t.trusted()).toBe(false);
    expect(t.conservativeNowMs()).toBe(at('2036-11-25T10:00:00Z'));
  });
});
