import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CredentialCheck } from '../../src/core/credential-check.js';
import { Authorizations } from '../../src/store/authorizations.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { databasePath, openStore, type Store } from '../../src/store/store.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/fixtures.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { syncLayout } from '../../src/store/layout.js';
import { phoneMac } from '../../src/wire/credentials.js';

const phoneMacOf = (p: string): string => phoneMac(testKey, p);

const limits = { phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100 };
let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let check: CredentialCheck;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock();
  store = openStore(t.dir, clock);
  syncLayout(store.db, [{ id: 1, board: 0, lock: 1, size: 'S', low: false }, { id: 2, board: 0, lock: 2, size: 'S', low: false }], store.audit, clock);
  insertAuthorization(store.db, { id: 'A-1', phone: '600100200', code: '12345678', compartment: 1 });
  insertAuthorization(store.db, { id: 'A-2', phone: '600100200', code: '87654321', compartment: 2 });
  check = new CredentialCheck({
    db: store.db, authorizations: new Authorizations(store.db), guesses: new GuessStore(store.db, clock, 'boot-1'),
    outbox: store.outbox, audit: store.audit, codeKey: testKey, limits, clock, lockerId: 'czestochowa-focha-1',
  });
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const alarms = () => store.outbox.pending().filter((e) => e.type === 'alarm').map((e) => JSON.parse(e.body).data.kind);

describe('credential check', () => {
  it('a right phone and code match exactly their authorization', () => {
    const r = check.check({ phone: '+48 600 100 200', code: '87654321' });
    expect(r.result).toBe('match');
    if (r.result === 'match') expect(r.authorizations.map((a) => a.id)).toEqual(['A-2']);
  });

  it('the QR string of this locker works; another locker’s does not', () => {
    expect(check.check({ qr: 'URZ1;czestochowa-focha-1;600100200;12345678' })).toMatchObject({ result: 'match' });
    expect(check.check({ qr: 'URZ1;elsewhere;600100200;12345678' })).toEqual({ result: 'rejected' });
  });

  it('a wrong code, a wrong phone and malformed input get one uniform answer', () => {
    expect(check.check({ phone: '600100200', code: '11111111' })).toEqual({ result: 'rejected' });
    expect(check.check({ phone: '600100201', code: '12345678' })).toEqual({ result: 'rejected' });
    expect(check.check({ phone: 'hello', code: '12' })).toEqual({ result: 'rejected' });
  });

  it('5 failures in a row: the brute-force alarm is in the outbox at once, and the device then makes people wait', () => {
    for (let i = 0; i < 4; i++) check.check({ phone: `60010030${i}`, code: '00000000' });
    expect(alarms()).toEqual([]);
    check.check({ phone: '600100309', code: '00000000' });
    expect(alarms()).toEqual(['brute-force']);
    expect(check.check({ phone: '600100200', code: '12345678' })).toEqual({ result: 'locked-out', retryAfterS: 30 });
    clock.advance(30_000);
    expect(check.check({ phone: '600100200', code: '12345678' })).toMatchObject({ result: 'match' });
  });

  it('a right code that opens nothing does not reset the rows: an attacker interleaving a known code still raises the alarm and waits', () => {
    // the attacker's own document, collected long ago; its code still matches but opens nothing.
    insertAuthorization(store.db, { id: 'A-9', phone: '600100900', code: '99999999', status: 'collected', compartment: null });
    for (let i = 0; i < 4; i++) check.check({ phone: '600100900', code: `0000000${i}` });
    expect(check.check({ phone: '600100900', code: '99999999' })).toMatchObject({ result: 'match' });
    expect(alarms()).toEqual([]);
    check.check({ phone: '600100900', code: '00000009' });
    // The fifth failure in a row, the known code notwithstanding: the alarm, the device's wait, the phone's lockout.
    expect(alarms()).toEqual(['brute-force']);
    expect(check.deviceLockout()).toMatchObject({ locked: true, failuresInRow: 5 });
    clock.advance(60_000);
    expect(check.check({ phone: '600100900', code: '99999999' })).toEqual({ result: 'locked-out', retryAfterS: 840 });
  });

  it('a release that opened a compartment resets the device’s and the phone’s rows, not the daily count', () => {
    for (let i = 0; i < 4; i++) check.check({ phone: '600100200', code: `0000000${i}` });
    check.recordRelease(check.check({ phone: '600100200', code: '12345678' }).result === 'match' ? phoneMacOf('600100200') : 'x');
    expect(check.deviceLockout()).toMatchObject({ locked: false, failuresInRow: 0, failuresToday: 4 });
    for (let i = 0; i < 4; i++) check.check({ phone: '600100200', code: `0000001${i}` });
    expect(alarms()).toEqual([]);
  });

  it('a phone locked out stays locked for its right code too, and the lockout survives a restart', () => {
    for (let i = 0; i < 5; i++) check.check({ phone: '600100200', code: '00000000' });
    clock.advance(60_000); // past the device's 30 s wait, well inside the phone's 15 minutes
    const again = new CredentialCheck({
      db: store.db, authorizations: new Authorizations(store.db), guesses: new GuessStore(store.db, clock, 'boot-1'),
      outbox: store.outbox, audit: store.audit, codeKey: testKey, limits, clock, lockerId: 'czestochowa-focha-1',
    });
    expect(again.check({ phone: '600100200', code: '12345678' })).toEqual({ result: 'locked-out', retryAfterS: 840 });
    // Another phone is not held up by this one's lockout.
    expect(again.check({ phone: '600100201', code: '12345678' })).toEqual({ result: 'rejected' });
  });

  it('a device lockout can be reset by staff, audited', () => {
    for (let i = 0; i < 5; i++) check.check({ phone: '600100300', code: '00000000' });
    expect(check.check({ phone: '600100200', code: '12345678' }).result).toBe('locked-out');
    check.resetDeviceLockout('staff:S-1');
    expect(check.check({ phone: '600100200', code: '12345678' }).result).toBe('match');
    expect(store.db.prepare("SELECT actor FROM audit_log WHERE action = 'lockout.reset'").all()).toEqual([{ actor: 'staff:S-1' }]);
  });

  it('the database holds no plaintext phone number or code', () => {
    check.check({ phone: '600100200', code: '12345678' });
    check.check({ phone: '600999888', code: '55554444' });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(databasePath(t.dir)).toString('latin1');
    for (const secret of ['600100200', '12345678', '600999888', '55554444']) expect(bytes).not.toContain(secret);
  });
});
