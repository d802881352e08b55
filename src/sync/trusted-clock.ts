import { existsSync } from 'node:fs';
import type { Clock } from '../clock.js';

/**
 * Whether the wall clock can be believed, and the latest time we can prove has been reached. A Raspberry Pi
 * without a real-time clock may boot in 1970 or far off; the office's `serverTime` fixes a lower bound on the
 * real time (it was true when received, and time has passed since, on the monotonic clock).
 */
export class TrustedClock {
  private agreed = false;
  private anchor: { serverMs: number; mono: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly opts: {
      /** How far the wall clock may be from the office's serverTime and still count as right. */
      readonly toleranceMs: number;
      /** The newest serverTime already applied (from the database), a lower bound that survives reboots. */
      readonly storedServerTimeMs: () => number | undefined;
      /** Whether the system says its clock is synchronized (systemd-timesyncd's flag file). */
      readonly systemSynchronized?: () => boolean;
    },
  ) {}

  /** A batch's serverTime, as it arrives. One older than the anchor already held is the past's and is ignored. */
  observe(serverTimeMs: number): void {
    if (this.anchor !== undefined && serverTimeMs < this.anchor.serverMs) return;
    this.anchor = { serverMs: serverTimeMs, mono: this.clock.monoMs() };
    this.agreed = Math.abs(this.clock.wallMs() - serverTimeMs) <= this.opts.toleranceMs;
  }

  trusted(): boolean {
    return this.agreed || (this.opts.systemSynchronized?.() ?? false);
  }

  /** The wall clock if trusted, else undefined (the feed's own rules then stand alone). */
  trustedNowMs(): number | undefined {
    return this.trusted() ? this.clock.wallMs() : undefined;
  }

  /**
   * The time to judge expiry by: never earlier than what the office proved, so an untrusted clock that lags
   * cannot keep an expired document releasable; a clock that runs ahead only makes documents expire sooner.
   */
  conservativeNowMs(): number {
    const proven = this.anchor !== undefined ? this.anchor.serverMs + (this.clock.monoMs() - this.anchor.mono) : this.opts.storedServerTimeMs() ?? 0;
    return Math.max(this.clock.wallMs(), proven);
  }
}

/** systemd-timesyncd creates this file once the clock has been synchronized since boot. */
export function timesyncdSynchronized(): boolean {
  return existsSync('/run/systemd/timesync/synchronized');
}
