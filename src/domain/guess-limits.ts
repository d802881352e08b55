/**
 * Guessing limits (contracts.md section 6), as pure functions of a state and the monotonic time. The store
 * keeps the state; the pickup service asks `gate` before checking a code and reports the result after.
 */

export interface Limits {
  readonly phoneFailuresInRow: number;
  readonly phoneLockoutS: number;
  readonly deviceFailuresInRow: number;
  readonly deviceDelayS: number;
  readonly deviceDelayMaxS: number;
  readonly deviceFailuresPerDay: number;
}

export interface PhoneState {
  failuresInRow: number;
  /** Lockouts since the last success: each one doubles the next. */
  lockouts: number;
  lockedUntil: number | undefined;
}

export interface DeviceState {
  failuresInRow: number;
  /** After the row limit, when the next attempt may be made. */
  nextAttemptAt: number | undefined;
  /** Doublings of the device delay so far. */
  delayLevel: number;
  /** Times of the failures in the current 24-hour window (the first is the window's start). */
  dayFailures: number[];
  /** Set when the daily limit was reached: locked until staff reset it or the window ends. */
  dayLockedUntil: number | undefined;
}

export const dayMs = 24 * 60 * 60 * 1000;

export const freshPhone = (): PhoneState => ({ failuresInRow: 0, lockouts: 0, lockedUntil: undefined });
export const freshDevice = (): DeviceState => ({ failuresInRow: 0, nextAttemptAt: undefined, delayLevel: 0, dayFailures: [], dayLockedUntil: undefined });

export type Gate = { readonly open: true } | { readonly open: false; readonly retryAfterS: number; readonly scope: 'phone' | 'device' | 'day' };

/** May an attempt be made now? The longest applicable wait wins. */
export function gate(device: DeviceState, phone: PhoneState | undefined, now: number): Gate {
  const waits: { until: number; scope: 'phone' | 'device' | 'day' }[] = [];
  if (device.dayLockedUntil !== undefined && now < device.dayLockedUntil) waits.push({ until: device.dayLockedUntil, scope: 'day' });
  if (device.nextAttemptAt !== undefined && now < device.nextAttemptAt) waits.push({ until: device.nextAttemptAt, scope: 'device' });
  if (phone?.lockedUntil !== undefined && now < phone.lockedUntil) waits.push({ until: phone.lockedUntil, scope: 'phone' });
  if (waits.length === 0) return { open: true };
  const longest = waits.reduce((a, b) => (b.until > a.until ? b : a));
  return { open: false, retryAfterS: Math.max(1, Math.ceil((longest.until - now) / 1000)), scope: longest.scope };
}

export interface FailureOutcome {
  /** The device reached its row limit with this failure: raise the `brute-force` alarm. */
  readonly bruteForce: boolean;
  /** The phone was locked out by this failure. */
  readonly phoneLocked: boolean;
  /** The daily limit was reached with this failure. */
  readonly dayLocked: boolean;
}

/** Records a failed attempt; mutates and returns what it caused. */
export function recordFailure(l: Limits, device: DeviceState, phone: PhoneState | undefined, now: number): FailureOutcome {
  let phoneLocked = false;
  if (phone !== undefined) {
    phone.failuresInRow += 1;
    if (phone.failuresInRow >= l.phoneFailuresInRow) {
      phone.lockedUntil = now + l.phoneLockoutS * 1000 * 2 ** phone.lockouts;
      phone.lockouts += 1;
      phone.failuresInRow = 0;
      phoneLocked = true;
    }
  }
  device.failuresInRow += 1;
  const bruteForce = device.failuresInRow === l.deviceFailuresInRow;
  if (device.failuresInRow >= l.deviceFailuresInRow) {
    const delayS = Math.min(l.deviceDelayS * 2 ** device.delayLevel, l.deviceDelayMaxS);
    device.nextAttemptAt = now + delayS * 1000;
    device.delayLevel += 1;
  }
  device.dayFailures = device.dayFailures.filter((t) => now - t < dayMs);
  device.dayFailures.push(now);
  let dayLocked = false;
  if (device.dayFailures.length >= l.deviceFailuresPerDay && device.dayLockedUntil === undefined) {
    device.dayLockedUntil = device.dayFailures[0]! + dayMs;
    dayLocked = true;
  }
  return { bruteForce, phoneLocked, dayLocked };
}

/** A right code resets the rows (not the daily count: 100 failures a day stay 100). */
export function recordSuccess(device: DeviceState, phone: PhoneState | undefined): void {
  device.failuresInRow = 0;
  device.nextAttemptAt = undefined;
  device.delayLevel = 0;
  if (phone !== undefined) {
    phone.failuresInRow = 0;
    phone.lockouts = 0;
    phone.lockedUntil = undefined;
  }
}

/** Staff or the office reset the device lockout. */
export function resetDevice(device: DeviceState): void {
  Object.assign(device, freshDevice());
}

/** Drops what has run out, so stored state stays small. */
export function expire(device: DeviceState, now: number): void {
  device.dayFailures = device.dayFailures.filter((t) => now - t < dayMs);
  if (device.dayLockedUntil !== undefined && now >= device.dayLockedUntil) {
    device.dayLockedUntil = undefined;
    device.dayFailures = [];
  }
}
