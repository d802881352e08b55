/**
 * Credential-check timing (issue 4): a right and a wrong answer must take the same time, so the time of an
 * answer tells nothing about the code or whether the phone number is known. The guessing limits are lifted
 * here (a bench-only Limits object) so that every attempt is really checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { CredentialCheck } from '../../src/core/credential-check.js';
import { Authorizations } from '../../src/store/authorizations.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { openStore } from '../../src/store/store.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { quantile } from './stats.js';

const unlimited = { phoneFailuresInRow: 1e9, phoneLockoutS: 900, deviceFailuresInRow: 1e9, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 1e9 };

export function credentialTiming(samples = 3_000): { medianDiffMs: number; p99DiffMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'urz-bench-'));
  const store = openStore(dir, systemClock);
  try {
    for (let i = 0; i < 200; i++) insertAuthorization(store.db, { id: `A-${i}`, phone: `6001${String(i).padStart(5, '0')}`, code: String(50_000_000 + i), status: 'pending', compartment: null });
    const check = new CredentialCheck({
      db: store.db, authorizations: new Authorizations(store.db), guesses: new GuessStore(store.db, systemClock, 'bench'),
      outbox: store.outbox, audit: store.audit, codeKey: testKey, limits: unlimited, clock: systemClock, lockerId: 'bench',
    });
    const kinds = {
      'right code': (i: number) => ({ phone: `6001${String(i % 200).padStart(5, '0')}`, code: String(50_000_000 + (i % 200)) }),
      'wrong code, known phone': (i: number) => ({ phone: `6001${String(i % 200).padStart(5, '0')}`, code: String(60_000_000 + i) }),
      'unknown phone': (i: number) => ({ phone: `7001${String(i % 200).padStart(5, '0')}`, code: String(50_000_000 + (i % 200)) }),
    };
    const times: Record<string, number[]> = {};
    for (const name of Object.keys(kinds)) times[name] = [];
    // Interleaved, so drift of the machine affects every kind alike.
    for (let i = 0; i < samples; i++) {
      // Outside the timed part: with the limits lifted the device's list of today's failures would grow without
      // end (in service it holds at most 100), making every later check slower than any real one.
      if (i % 30 === 0) check.resetDeviceLockout('bench');
      for (const [name, make] of Object.entries(kinds)) {
        const creds = make(i);
        const t0 = process.hrtime.bigint();
        check.check(creds);
        times[name]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    console.log(`\n# credential check timing (${samples} of each, interleaved; goal: median and p99 differ by under 1 ms)`);
    console.log('| answer | median | p99 |');
    console.log('|---|---|---|');
    for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${quantile(xs, 0.5).toFixed(3)} ms | ${quantile(xs, 0.99).toFixed(3)} ms |`);
    const med = Object.values(times).map((xs) => quantile(xs, 0.5));
    const p99 = Object.values(times).map((xs) => quantile(xs, 0.99));
    const result = { medianDiffMs: Math.max(...med) - Math.min(...med), p99DiffMs: Math.max(...p99) - Math.min(...p99) };
    console.log(`largest difference: median ${result.medianDiffMs.toFixed(3)} ms, p99 ${result.p99DiffMs.toFixed(3)} ms`);
    return result;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
