/**
 * Time, injected. Durations (lockouts, door timers) use the monotonic clock, which a wall-clock jump
 * cannot move; wall time is only for what people and the office read.
 */
export interface Clock {
  /** Wall time, ms since the epoch. May be wrong on a Pi without RTC until synchronized. */
  wallMs(): number;
  /** Monotonic ms since an arbitrary origin (the boot, for the system clock). */
  monoMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  wallMs: () => Date.now(),
  monoMs: () => Number(process.hrtime.bigint()) / 1e6,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function isoWall(clock: Clock): string {
  return new Date(clock.wallMs()).toISOString();
}
