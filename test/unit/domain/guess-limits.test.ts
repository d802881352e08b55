import { describe, expect, it } from 'vitest';
import { dayMs, freshDevice, freshPhone, gate, recordFailure, recordSuccess, resetDevice, type Limits } from '../../../src/domain/guess-limits.js';

const contract: Limits = { phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100 };
const s = 1000;

describe('guessing limits (contracts.md section 6)', () => {
  it('5 failures in a row lock a phone for 15 minutes, doubling each time', () => {
    const d = freshDevice();
    const p = freshPhone();
    let t = 0;
    for (let i = 0; i < 4; i++) expect(recordFailure(contract, d, p, t).phoneLocked).toBe(false);
    expect(recordFailure(contract, d, p, t).phoneLocked).toBe(true);
    resetDevice(d); // look at the phone alone
    expect(gate(d, p, t)).toEqual({ open: false, retryAfterS: 900, scope: 'phone' });
    t += 900 * s;
    expect(gate(d, p, t)).toEqual({ open: true });
    for (let i = 0; i < 5; i++) recordFailure(contract, d, p, t);
    resetDevice(d);
    expect(gate(d, p, t)).toMatchObject({ open: false, retryAfterS: 1800 });
  });

  it('a right code resets the phone and the device rows', () => {
    const d = freshDevice();
    const p = freshPhone();
    for (let i = 0; i < 4; i++) recordFailure(contract, d, p, 0);
    recordSuccess(d, p);
    expect(recordFailure(contract, d, p, 0).phoneLocked).toBe(false);
    expect(p.failuresInRow).toBe(1);
  });

  it('device-wide: after 5 failures in a row each attempt waits 30 s, doubling up to 15 minutes, and the 5th raises brute-force', () => {
    const d = freshDevice();
    let t = 0;
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(recordFailure(contract, d, undefined, t));
    expect(outcomes.map((o) => o.bruteForce)).toEqual([false, false, false, false, true]);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const g = gate(d, undefined, t);
      if (g.open) throw new Error('should wait');
      waits.push(g.retryAfterS);
      t += g.retryAfterS * s;
      expect(gate(d, undefined, t)).toEqual({ open: true });
      expect(recordFailure(contract, d, undefined, t).bruteForce).toBe(false);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('100 failures in 24 hours lock every pickup until staff reset it or 24 hours after the first', () => {
    const d = freshDevice();
    const first = 1_000;
    let t = first;
    let dayLocked = false;
    for (let i = 0; i < 100; i++) {
      // Spread out, and a right code now and then, so neither row limit is what stops them.
      dayLocked = recordFailure(contract, d, undefined, t).dayLocked;
      if (i % 4 === 3) recordSuccess(d, undefined);
      t += 60 * s;
    }
    expect(dayLocked).toBe(true);
    expect(gate(d, undefined, t)).toMatchObject({ open: false, scope: 'day' });
    expect(gate(d, undefined, first + dayMs - 1)).toMatchObject({ open: false, scope: 'day' });
    expect(gate(d, undefined, first + dayMs)).toEqual({ open: true });
    const d2 = structuredClone(d);
    resetDevice(d2);
    expect(gate(d2, undefined, t)).toEqual({ open: true });
  });

  it('tighter limits from the config apply', () => {
    const tight: Limits = { ...contract, phoneFailuresInRow: 3, phoneLockoutS: 1800 };
    const d = freshDevice();
    const p = freshPhone();
    for (let i = 0; i < 3; i++) recordFailure(tight, d, p, 0);
    resetDevice(d);
    expect(gate(d, p, 0)).toMatchObject({ open: false, retryAfterS: 1800 });
  });
});
