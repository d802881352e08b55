import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { systemClock, type Clock } from '../../src/clock.js';
import { pinMac } from '../../src/wire/credentials.js';
import { signedEnvelope } from '../../src/wire/envelope.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { markLoaded, outboxEvents, rigBoards, startCore, type CoreRig } from '../helpers/core-rig.js';
import { feedReceiverOn } from '../helpers/feed-receiver.js';

/** Issue 14, points 5 (PIN guessing), 7 (deactivation and roles) and 8 (two loads of one document at once). */

const rigs: CoreRig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

async function locker(clock: Clock = systemClock, before?: (r: CoreRig) => void): Promise<CoreRig> {
  const t = tempDir();
  dirs.push(t);
  const sim = simulatedBusFor(rigBoards, systemClock, 5);
  if (before !== undefined) {
    const first = await startCore(t.dir, sim, clock);
    before(first);
    await first.stop();
  }
  const r = await startCore(t.dir, sim, clock);
  rigs.push(r);
  await until(() => r.hw.poller.snapshot(0).online === true, 3_000, 'online');
  return r;
}

function addStaff(r: CoreRig, id: string, roles: string[], active = true): void {
  r.store.db.prepare('INSERT OR REPLACE INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES (?, ?, ?, ?, ?, 1)')
    .run(id, `Staff ${id}`, pinMac(testKey, id, '1234'), JSON.stringify(roles), active ? 1 : 0);
}

function token(r: CoreRig, id: string): string {
  const a = r.staff.login(id, '1234');
  if (a.status !== 200) throw new Error(`login of ${id}: ${a.status}`);
  return a.body.token;
}

const alarms = (r: CoreRig) => outboxEvents(r.store).filter((e) => e.type === 'alarm').map((e) => e.data);

describe('staff PIN guessing (point 5)', () => {
  it('five wrong PINs in a row raise the brute-force alarm with scope "staff"', async () => {
    const r = await locker();
    addStaff(r, 'S-1', ['loader']);
    for (let i = 0; i < 4; i++) expect(r.staff.login(`S-${i}`, '0000').status).toBe(403);
    expect(alarms(r)).toEqual([]);
    r.staff.login('S-9', '0000');
    expect(alarms(r)).toEqual([{ kind: 'brute-force', scope: 'staff', failuresInRow: 5 }]);
  });

  it('PIN failures count towards a daily cap: at 100 every login is locked out until a reset, with an alarm', async () => {
    const clock = new ManualClock();
    const r = await locker(clock);
    addStaff(r, 'S-1', ['loader']);
    let failures = 0;
    for (let i = 0; failures < 100; i++) {
      const a = r.staff.login(`X-${i}`, '0000');
      if (a.status === 429) clock.advance(a.body.retryAfterS * 1000);
      else failures += 1;
    }
    expect(clock.monoMs()).toBeLessThan(24 * 3_600_000);
    expect(alarms(r)).toContainEqual({ kind: 'brute-force', scope: 'staff', dailyLimitReached: true });
    clock.advance(3_600_000);
    expect(r.staff.login('S-1', '1234')).toMatchObject({ status: 429 });
    r.check.resetDeviceLockout('technician:anna');
    expect(r.staff.login('S-1', '1234')).toMatchObject({ status: 200 });
  });
});

describe('deactivation and roles (point 7)', () => {
  it('a member the office deactivates is logged out at the pull that says so, before any further use', async () => {
    const r = await locker();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { receiver } = feedReceiverOn(r.store, publicKey, systemClock);
    // As the daemon wires it (src/main.ts).
    receiver.onApplied((a) => {
      if (a.staff > 0) r.staff.endInactiveSessions();
    });
    const staff = (active: boolean, seq: number) => ({ seq, type: 'staff.upsert', staff: { id: 'S-1', name: 'Anna Nowak', pinMac: pinMac(testKey, 'S-1', '1234'), roles: ['loader'], active } });
    const batch = (after: number, change: Record<string, unknown>) => signedEnvelope({
      lockerId: 'czestochowa-focha-1', after, last: after + 1, more: false, serverTime: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(), changes: [change],
    }, privateKey);
    expect(receiver.receive(batch(0, staff(true, 1)))).toMatchObject({ applied: true });
    const t = token(r, 'S-1');
    expect(r.staff.toLoad).toBeDefined();
    expect(receiver.receive(batch(1, staff(false, 2)))).toMatchObject({ applied: true });
    // Ended by the pull itself: the logout is recorded before the token is used again.
    expect(r.store.db.prepare("SELECT detail FROM audit_log WHERE action = 'staff.logout'").all()).toEqual([{ detail: JSON.stringify({ how: 'deactivated' }) }]);
    expect(await r.staff.load(t, 'A-1')).toEqual({ status: 401, body: { result: 'session-expired' } });
    expect(r.staff.login('S-1', '1234').status).toBe(403);
  });

  it('a session whose member was deactivated by any path ends at its next use', async () => {
    const r = await locker();
    addStaff(r, 'S-1', ['loader']);
    const t = token(r, 'S-1');
    r.store.db.prepare("UPDATE staff SET active = 0 WHERE id = 'S-1'").run();
    expect(r.staff.session(t)).toBeUndefined();
    expect(r.staff.reportFault(t, 1)).toBe(false);
  });

  it.each([
    ['loader', ['loader'], { load: 200, retrieve: 200, fault: true }],
    ['retriever', ['retriever'], { load: 403, retrieve: 200, fault: true }],
    ['no role the locker knows', ['cleaner'], { load: 403, retrieve: 403, fault: false }],
    ['no roles at all', [], { load: 403, retrieve: 403, fault: false }],
  ])('roles decide what a session may do: %s', async (_who, roles, may) => {
    const r = await locker(systemClock, (first) => {
      insertAuthorization(first.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null });
      insertAuthorization(first.store.db, { id: 'A-2', phone: '600100201', code: '12345679', status: 'loaded', compartment: 4 });
      markLoaded(first.store, 4);
    });
    addStaff(r, 'S-1', roles);
    const t = token(r, 'S-1');
    const load = await r.staff.load(t, 'A-1');
    expect(load.status).toBe(may.load);
    if (may.load === 403) expect(load.body).toEqual({ result: 'rejected', reason: 'not-permitted' });
    const retrieve = await r.staff.retrieve(t, 'A-2');
    expect(retrieve.status).toBe(may.retrieve);
    expect(r.staff.reportFault(t, 3)).toBe(may.fault);
    const unlocks = r.sim.board(0).unlocks;
    expect(unlocks.length).toBe((may.load === 200 ? 1 : 0) + (may.retrieve === 200 ? 1 : 0));
  });
});

describe('two loads of one document at once (point 8)', () => {
  it('one compartment opens; the other request gets 409 and nothing is sent', async () => {
    const r = await locker(systemClock, (first) => {
      insertAuthorization(first.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null });
    });
    addStaff(r, 'S-1', ['loader']);
    addStaff(r, 'S-2', ['loader']);
    const [a, b] = await Promise.all([r.staff.load(token(r, 'S-1'), 'A-1'), r.staff.load(token(r, 'S-2'), 'A-1')]);
    const answers = [a, b].sort((x, y) => x.status - y.status);
    expect(answers[0]).toMatchObject({ status: 200, body: { result: 'opened' } });
    const opened = (answers[0]!.body as { compartment: number }).compartment;
    expect(answers[1]).toEqual({ status: 409, body: { result: 'already-opening', compartment: opened } });
    expect(r.sim.board(0).unlocks).toEqual([opened]);
    // Once its door is shut the document is loaded: a third request is refused as already loaded.
    r.sim.board(0).closeDoor(opened);
    await until(() => r.compartments.state(opened) === 'occupied', 3_000, 'loaded');
    expect(await r.staff.load(token(r, 'S-1'), 'A-1')).toEqual({ status: 403, body: { result: 'rejected', reason: 'already-loaded' } });
  });
});
