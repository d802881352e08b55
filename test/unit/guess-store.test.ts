import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { freshDevice, freshPhone, gate, recordFailure, type Limits } from '../../src/domain/guess-limits.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/fixtures.js';

const contract: Limits = { phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100 };
const mac = 'a'.repeat(64);
let t: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  t = tempDir();
  store = openStore(t.dir, new ManualClock());
});
afterEach(() => {
  store.close();
  t.cleanup();
});

describe('guessing-limit state across restarts', () => {
  it('keeps a lockout through a restart of the process on the same boot', () => {
    const clock = new ManualClock();
    clock.advance(5_000_000);
    const g = new GuessStore(store.db, clock, 'boot-1');
    const d = freshDevice();
    const p = freshPhone();
    for (let i = 0; i < 5; i++) recordFailure(contract, d, p, clock.monoMs());
    g.saveDevice(d);
    g.savePhone(mac, p);
    clock.advance(60_000);
    const again = new GuessStore(store.db, clock, 'boot-1');
    expect(gate(again.device(), again.phone(mac), clock.monoMs())).toMatchObject({ open: false, retryAfterS: 840, scope: 'phone' });
  });

  it('after a reboot the monotonic clock starts again, and the remaining wait is carried over, never shortened', () => {
    const before = new ManualClock();
    before.advance(9_000_000);
    const g = new GuessStore(store.db, before, 'boot-1');
    const d = freshDevice();
    for (let i = 0; i < 5; i++) recordFailure(contract, d, undefined, before.monoMs());
    g.saveDevice(d);
    before.advance(10_000); // the power goes 10 s later; time after the last save is not counted
    const after = new ManualClock(); // mono restarts near 0 on the new boot
    after.advance(1_000);
    const again = new GuessStore(store.db, after, 'boot-2');
    expect(gate(again.device(), undefined, after.monoMs())).toMatchObject({ open: false, retryAfterS: 30, scope: 'device' });
  });

  it('forgets a phone with nothing left to remember', () => {
    const clock = new ManualClock();
    const g = new GuessStore(store.db, clock, 'boot-1');
    const p = freshPhone();
    recordFailure(contract, freshDevice(), p, 0);
    g.savePhone(mac, p);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM guess_limit').get()).toEqual({ n: 1 });
    g.savePhone(mac, freshPhone());
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM guess_limit').get()).toEqual({ n: 0 });
  });
});
