import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { testKey } from '../helpers/store-fixtures.js';
import { pinMac } from '../../src/wire/credentials.js';
import { outboxEvents, startCoreWithDocument, type CoreRig } from '../helpers/core-rig.js';

/**
 * Issue 14, point 1: a compartment that holds a document opens for a technician only with `force`, whatever
 * its state (occupied, disabled, faulted); the event and the audit row say so and name the document; and what
 * becomes of the document is explicit.
 */

const rigs: CoreRig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

/** A-1 loaded in compartment 2, the locker restarted so its machines know. */
async function lockerWithDocument(): Promise<CoreRig> {
  const t = tempDir();
  dirs.push(t);
  const r = await startCoreWithDocument(t.dir);
  rigs.push(r);
  return r;
}

const technician = { compartmentId: 2, purpose: 'technician' as const, actor: 'technician:anna', reason: 'latch check' };
const unlockAudit = (r: CoreRig) => (r.store.db.prepare("SELECT detail FROM audit_log WHERE action = 'compartment.unlock' ORDER BY seq").all() as { detail: string }[]).map((x) => JSON.parse(x.detail) as Record<string, unknown>);

describe('a technician’s open of a compartment that holds a document', () => {
  it.each([
    ['occupied', (_r: CoreRig) => undefined],
    ['disabled by `diag disable`', (r: CoreRig) => expect(r.compartments.send(2, { type: 'DISABLE' })).toBe(true)],
    ['faulted by a staff report', (r: CoreRig) => expect(r.compartments.send(2, { type: 'REPORT_FAULT', kind: 'reported-by-staff' })).toBe(true)],
  ])('%s: refused without force, nothing sent', async (_state, prepare) => {
    const r = await lockerWithDocument();
    prepare(r);
    expect(await r.compartments.open(technician)).toEqual({ result: 'holds-document', authorizationId: 'A-1' });
    expect(r.sim.board(0).unlocks).toEqual([]);
    expect(outboxEvents(r.store).filter((e) => e.type === 'technician.open')).toEqual([]);
  });

  it('forced: the event and the audit row say forced and name the document; staff are asked to check it', async () => {
    const r = await lockerWithDocument();
    r.compartments.send(2, { type: 'DISABLE' });
    expect(await r.compartments.open({ ...technician, forced: true })).toEqual({ result: 'opened', compartment: 2 });
    expect(r.sim.board(0).unlocks).toEqual([2]);
    expect(outboxEvents(r.store).filter((e) => e.type === 'technician.open').map((e) => e.data)).toEqual([
      { compartment: 2, reason: 'latch check', actor: 'technician:anna', forced: true, documentStays: false, authorizationId: 'A-1' },
    ]);
    expect(unlockAudit(r).at(-1)).toMatchObject({ purpose: 'technician', authorizationId: 'A-1', forced: true, documentStays: false });
    expect(r.staff.toRetrieve().map((a) => [a.id, a.attention_reason])).toEqual([['A-1', 'opened-by-technician']]);
    r.sim.board(0).closeDoor(2);
    await until(() => r.compartments.state(2) === 'occupied' && r.compartments.unlockAllowedNow(2), 3_000, 'occupied again: staff must look');
    // Nobody vouched for it: it no longer counts as loaded for release; the resident is sent to the counter.
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'held-for-check' } });
    expect(r.sim.board(0).unlocks).toEqual([2]);
    // Staff take it back, and the office is told why.
    r.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    const login = r.staff.login('S-1', '1234');
    if (login.status !== 200) throw new Error('login');
    expect(await r.staff.retrieve(login.body.token, 'A-1')).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
    r.sim.board(0).closeDoor(2);
    await until(() => r.compartments.state(2) === 'free', 3_000, 'free');
    expect(outboxEvents(r.store).find((e) => e.type === 'document.retrieved')?.data).toMatchObject({ authorizationId: 'A-1', reason: 'opened-by-technician' });
  });

  it('forced with the technician’s word that the document stays: still loaded and collectable, not on the staff’s list', async () => {
    const r = await lockerWithDocument();
    expect(await r.compartments.open({ ...technician, forced: true, documentStays: true })).toEqual({ result: 'opened', compartment: 2 });
    expect(outboxEvents(r.store).find((e) => e.type === 'technician.open')?.data).toMatchObject({ forced: true, documentStays: true, authorizationId: 'A-1' });
    expect(r.staff.toRetrieve()).toEqual([]);
    r.sim.board(0).closeDoor(2);
    await until(() => r.compartments.state(2) === 'occupied' && r.compartments.unlockAllowedNow(2), 3_000, 'occupied, past the lock’s pause');
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
  });

  it('an empty compartment needs no force; the event says it was not forced', async () => {
    const r = await lockerWithDocument();
    expect(await r.compartments.open({ ...technician, compartmentId: 3 })).toEqual({ result: 'opened', compartment: 3 });
    expect(outboxEvents(r.store).find((e) => e.type === 'technician.open')?.data).toEqual({ compartment: 3, reason: 'latch check', actor: 'technician:anna', forced: false });
  });
});
