import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { pinMac } from '../../src/wire/credentials.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { outboxEvents, rigBoards, startCore, type CoreRig } from '../helpers/core-rig.js';

const rigs: CoreRig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

/** A running locker with staff S-1 (PIN 1234) logged in; `before` runs on its database before it starts. */
async function locker(before?: (r: CoreRig) => void): Promise<{ r: CoreRig; token: string }> {
  const t = tempDir();
  dirs.push(t);
  const sim = simulatedBusFor(rigBoards, systemClock, 5);
  if (before !== undefined) {
    const first = await startCore(t.dir, sim);
    before(first);
    await first.stop();
  }
  const r = await startCore(t.dir, sim);
  rigs.push(r);
  await until(() => r.hw.poller.snapshot(0).online === true, 3_000, 'online');
  r.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna Nowak', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
  const login = r.staff.login('S-1', '1234');
  if (login.status !== 200) throw new Error('login failed');
  return { r, token: login.body.token };
}

describe('staff', () => {
  it('wrong PINs are refused uniformly and limited like codes', async () => {
    const { r } = await locker();
    expect(r.staff.login('S-1', '0000')).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(r.staff.login('S-9', '1234')).toEqual({ status: 403, body: { result: 'rejected' } });
    for (let i = 0; i < 4; i++) r.staff.login('S-1', '0000');
    expect(r.staff.login('S-1', '1234')).toMatchObject({ status: 429, body: { result: 'locked-out' } });
  });

  it('loads into the smallest fitting free compartment; the document counts as loaded when the door shuts', async () => {
    const { r, token } = await locker();
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null });
    expect(r.staff.toLoad().map((a) => a.id)).toEqual(['A-1']);
    expect(await r.staff.load(token, 'A-1')).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    r.sim.board(0).closeDoor(1);
    await until(() => r.compartments.state(1) === 'occupied', 3_000, 'occupied');
    expect(outboxEvents(r.store)).toEqual([{ type: 'document.loaded', data: { authorizationId: 'A-1', compartment: 1, staffId: 'S-1' } }]);
    expect(await r.staff.load(token, 'A-1')).toEqual({ status: 403, body: { result: 'rejected', reason: 'already-loaded' } });
    expect(r.sim.board(0).unlocks).toEqual([1]);
  });

  it('a compartment just emptied is in its lock\'s pause: the next load takes another that fits, not a refusal', async () => {
    const { r, token } = await locker();
    for (const id of ['A-1', 'A-2', 'A-3']) insertAuthorization(r.store.db, { id, phone: '600100200', code: `1234567${id.at(-1)}`, status: 'pending', compartment: null });
    expect(await r.staff.load(token, 'A-1')).toMatchObject({ status: 200, body: { compartment: 1 } });
    r.sim.board(0).closeDoor(1);
    await until(() => r.compartments.state(1) === 'occupied', 3_000, 'occupied');
    await new Promise((res) => setTimeout(res, 110)); // the rig's 100 ms between unlocks of one lock
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345671' })).toMatchObject({ status: 200, body: { compartment: 1 } });
    r.sim.board(0).closeDoor(1);
    await until(() => r.compartments.state(1) === 'free', 3_000, 'free');
    // Compartment 1 is the smallest fitting one, but its lock was unlocked a moment ago.
    expect(await r.staff.load(token, 'A-2')).toMatchObject({ status: 200, body: { compartment: 2 } });
    await until(() => r.hw.locks.unlockAllowedNow(0, 1), 3_000, 'pause over');
    expect(await r.staff.load(token, 'A-3')).toMatchObject({ status: 200, body: { compartment: 1 } });
    expect(r.sim.board(0).unlocks).toEqual([1, 1, 2, 1]);
  });

  it('refuses, with no unlock at all, a passport, a missing consent, an unpaid fee, a revoked or expired authorization', async () => {
    const { r, token } = await locker();
    const cases = [
      ['P-1', { documentType: 'paszport' }, 'document-type-not-allowed'],
      ['P-2', { consent: false, status: 'pending' }, 'no-consent'],
      ['P-3', { feeSettled: false }, 'fee-not-settled'],
      ['P-4', { revoked: 'withdrawn' }, 'revoked'],
      ['P-5', { expiresAt: '2020-01-01T00:00:00Z' }, 'expired'],
    ] as const;
    for (const [id, extra, reason] of cases) {
      insertAuthorization(r.store.db, { id, phone: '600100200', code: '12345678', status: 'pending', compartment: null, ...extra });
      expect(await r.staff.load(token, id)).toEqual({ status: 403, body: { result: 'rejected', reason } });
    }
    expect(r.staff.toLoad()).toEqual([]);
    expect(r.sim.board(0).unlocks).toEqual([]);
    // The law's refusals are reported to the office, as on arrival.
    expect(outboxEvents(r.store)).toEqual([
      { type: 'authorization.rejected', data: { authorizationId: 'P-1', reason: 'document-type-not-allowed' } },
      { type: 'authorization.rejected', data: { authorizationId: 'P-2', reason: 'no-consent' } },
    ]);
  });

  it('no free compartment of a fitting size: 409', async () => {
    const { r, token } = await locker();
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null, size: 'L' });
    r.compartments.send(4, { type: 'DISABLE' });
    expect(await r.staff.load(token, 'A-1')).toEqual({ status: 409, body: { result: 'no-free-compartment' } });
  });

  it('retrieves an expired and a revoked document: listed, opened, reported as retrieved with the reason', async () => {
    const { r, token } = await locker((first) => {
      insertAuthorization(first.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'loaded', compartment: 2, expiresAt: '2020-01-01T00:00:00Z' });
      insertAuthorization(first.store.db, { id: 'A-2', phone: '600100201', code: '12345679', status: 'loaded', compartment: 3, revoked: 'withdrawn' });
      insertAuthorization(first.store.db, { id: 'A-3', phone: '600100202', code: '12345670', status: 'loaded', compartment: 4 });
      first.store.db.prepare("UPDATE compartment SET state = 'occupied' WHERE id IN (2, 3, 4)").run();
    });
    expect(r.staff.toRetrieve().map((a) => a.id)).toEqual(['A-1', 'A-2']);
    expect(await r.staff.retrieve(token, 'A-2')).toEqual({ status: 200, body: { result: 'opened', compartment: 3 } });
    r.sim.board(0).closeDoor(3);
    await until(() => r.compartments.state(3) === 'free', 3_000, 'free');
    expect(await r.staff.retrieve(token, 'A-1')).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
    r.sim.board(0).closeDoor(2);
    await until(() => r.compartments.state(2) === 'free', 3_000, 'free');
    expect(outboxEvents(r.store)).toEqual([
      { type: 'document.retrieved', data: { authorizationId: 'A-2', compartment: 3, staffId: 'S-1', reason: 'revoked' } },
      { type: 'document.retrieved', data: { authorizationId: 'A-1', compartment: 2, staffId: 'S-1', reason: 'expired' } },
    ]);
    expect(r.staff.toRetrieve()).toEqual([]);
  });

  it('a session ends after its idle limit, and on logout', async () => {
    const { r, token } = await locker();
    expect(r.staff.session(token)).toBe('S-1');
    await new Promise((res) => setTimeout(res, 700)); // the rig's idle limit is 500 ms
    expect(await r.staff.load(token, 'A-1')).toEqual({ status: 401, body: { result: 'session-expired' } });
    const again = r.staff.login('S-1', '1234');
    if (again.status !== 200) throw new Error('login');
    r.staff.logout(again.body.token);
    expect(r.staff.session(again.body.token)).toBeUndefined();
  });
});
