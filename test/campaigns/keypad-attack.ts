/**
 * Campaign 3, the keypad attack: an attacker who knows all 200 phone numbers with documents waiting types
 * random codes as fast as the locker answers (a bot on the keypad, one guess a second of simulated time), then
 * a patient one who waits exactly as long as told. Measured against contracts.md §6: no compartment would open,
 * no more failures are even checked than the limits allow, and the `brute-force` alarm is queued within a minute
 * of the fifth failure in a row. A third attacker knows one code that works (their own document, collected long
 * ago) and types it between guesses, hoping a right code wipes the rows: it must not (issue 14, point 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialCheck } from '../../src/core/credential-check.js';
import { dayMs } from '../../src/domain/guess-limits.js';
import { Authorizations } from '../../src/store/authorizations.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { openStore } from '../../src/store/store.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';

export const contractLimits = { phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100 };

export interface KeypadReport {
  readonly guesses: number;
  readonly simulatedHours: number;
  readonly opens: number;
  /** Guesses actually compared (not answered `locked-out` at once). */
  readonly checked: number;
  readonly lockedOutAnswers: number;
  /** The most failures checked in any sliding 24 hours. */
  readonly maxCheckedPer24h: number;
  /** The most failures checked back to back with less than the device delay (30 s) between them. */
  readonly longestQuickRun: number;
  /** From the fifth failure in a row to the brute-force alarm in the outbox, simulated seconds. */
  readonly alarmAfterS: number | undefined;
}

/**
 * `paceMs`: time between guesses when not told to wait; `patient`: wait the retryAfterS given; `knownCodeEvery`:
 * after every N guesses, the attacker types the one code they know (it matches a collected document).
 */
export function keypadAttack(o: { guesses: number; codes: number; paceMs: number; patient: boolean; seed?: number; knownCodeEvery?: number }): KeypadReport {
  const dir = mkdtempSync(join(tmpdir(), 'urz-keypad-'));
  const clock = new ManualClock();
  const store = openStore(dir, clock);
  let seed = o.seed ?? 1;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  try {
    const phones = Array.from({ length: o.codes }, (_, i) => `6${String(10_000_000 + i).padStart(8, '0')}`);
    phones.forEach((phone, i) => insertAuthorization(store.db, { id: `A-${i}`, phone, code: String(10_000_000 + Math.floor(random() * 89_999_999)), status: 'pending', compartment: null }));
    const known = { phone: '699999999', code: '55555555' };
    insertAuthorization(store.db, { id: 'A-known', ...known, status: 'collected', compartment: null });
    const check = new CredentialCheck({
      db: store.db, authorizations: new Authorizations(store.db), guesses: new GuessStore(store.db, clock, 'campaign'),
      outbox: store.outbox, audit: store.audit, codeKey: testKey, limits: contractLimits, clock, lockerId: 'campaign',
    });
    const failureTimes: number[] = [];
    let opens = 0;
    let locked = 0;
    let fifthAt: number | undefined;
    let inRow = 0;
    for (let i = 0; i < o.guesses; i++) {
      if (o.knownCodeEvery !== undefined && i % o.knownCodeEvery === o.knownCodeEvery - 1) {
        // Right, but it opens nothing (the document is gone): neither a failure nor an open.
        const k = check.check(known);
        clock.advance(k.result === 'locked-out' && o.patient ? k.retryAfterS * 1000 : o.paceMs);
      }
      const r = check.check({ phone: phones[i % phones.length]!, code: String(10_000_000 + Math.floor(random() * 89_999_999)) });
      if (r.result === 'match') opens += 1;
      else if (r.result === 'rejected') {
        failureTimes.push(clock.monoMs());
        inRow += 1;
        if (inRow === contractLimits.deviceFailuresInRow && fifthAt === undefined) fifthAt = clock.wallMs();
      } else locked += 1;
      clock.advance(r.result === 'locked-out' && o.patient ? r.retryAfterS * 1000 : o.paceMs);
    }
    const alarm = store.db.prepare("SELECT at FROM outbox WHERE type = 'alarm' AND json_extract(body, '$.data.kind') = 'brute-force' ORDER BY seq LIMIT 1").get() as { at: string } | undefined;
    let maxPerDay = 0;
    for (let a = 0, b = 0; b < failureTimes.length; b++) {
      while (failureTimes[b]! - failureTimes[a]! >= dayMs) a++;
      maxPerDay = Math.max(maxPerDay, b - a + 1);
    }
    let longestQuickRun = failureTimes.length > 0 ? 1 : 0;
    for (let i = 1, run = 1; i < failureTimes.length; i++) {
      run = failureTimes[i]! - failureTimes[i - 1]! < contractLimits.deviceDelayS * 1000 ? run + 1 : 1;
      longestQuickRun = Math.max(longestQuickRun, run);
    }
    return {
      guesses: o.guesses, simulatedHours: clock.monoMs() / 3_600_000, opens, checked: failureTimes.length, lockedOutAnswers: locked,
      maxCheckedPer24h: maxPerDay, longestQuickRun,
      alarmAfterS: alarm === undefined || fifthAt === undefined ? undefined : (Date.parse(alarm.at) - fifthAt) / 1000,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
