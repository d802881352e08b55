import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/store/audit.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import type { insertAuthorization } from '../helpers/store-fixtures.js';
import { markLoaded, outboxEvents, startCoreWithDocument, type CoreRig } from '../helpers/core-rig.js';

const rigs: CoreRig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

/** A locker with document A-1 (phone 600100200, code 12345678) loaded in compartment 2, restarted to pick it up. */
async function lockerWithDocument(extra: Parameters<typeof insertAuthorization>[1] | undefined = undefined): Promise<CoreRig> {
  const t = tempDir();
  dirs.push(t);
  const r = await startCoreWithDocument(t.dir, extra);
  rigs.push(r);
  return r;
}

describe('pickup', () => {
  it('phone and code: opens the document’s compartment only; shutting it makes the document collected', async () => {
    const r = await lockerWithDocument();
    expect(await r.pickup.pickup({ phone: '+48 600 100 200', code: '12345678' })).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
    expect(r.sim.board(0).unlocks).toEqual([2]);
    r.sim.board(0).closeDoor(2);
    await until(() => r.compartments.state(2) === 'free', 3_000, 'free');
    expect(outboxEvents(r.store).map((e) => e.type)).toEqual(['document.collected']);
    // Single use: the same code again opens nothing.
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'already-collected' } });
    expect(r.sim.board(0).unlocks).toEqual([2]);
    expect(verifyAudit(r.store.db).ok).toBe(true);
  });

  it('by QR string', async () => {
    const r = await lockerWithDocument();
    expect(await r.pickup.pickup({ qr: 'URZ1;czestochowa-focha-1;600100200;12345678' })).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
  });

  it('a second pickup while the door is open sends no second unlock', async () => {
    const r = await lockerWithDocument();
    const [a, b] = await Promise.all([r.pickup.pickup({ phone: '600100200', code: '12345678' }), r.pickup.pickup({ phone: '600100200', code: '12345678' })]);
    expect([a.status, b.status].sort()).toEqual([200, 403]);
    expect(r.sim.board(0).unlocks).toEqual([2]);
  });

  it('a wrong code: the uniform 403, nothing opened; five in a row lock the device and raise brute-force', async () => {
    const r = await lockerWithDocument();
    for (let i = 0; i < 5; i++) expect(await r.pickup.pickup({ phone: '600100200', code: `1111111${i}` })).toEqual({ status: 403, body: { result: 'rejected' } });
    // The phone's 15-minute lockout is longer than the device's 30 s wait, so it is the one the resident sees.
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 429, body: { result: 'locked-out', retryAfterS: 900 } });
    expect(outboxEvents(r.store)).toEqual([{ type: 'alarm', data: { kind: 'brute-force', failuresInRow: 5 } }]);
    expect(r.sim.board(0).unlocks).toEqual([]);
  });

  it('an expired document is not released: the resident is told to go to the office', async () => {
    const r = await lockerWithDocument({ id: 'A-2', phone: '600100201', code: '22223333', status: 'loaded', compartment: 3, expiresAt: '2020-01-01T00:00:00Z' });
    markLoaded(r.store, 3);
    expect(await r.pickup.pickup({ phone: '600100201', code: '22223333' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'expired' } });
    expect(r.sim.board(0).unlocks).toEqual([]);
  });

  it('a revoked document is not released', async () => {
    const r = await lockerWithDocument({ id: 'A-2', phone: '600100201', code: '22223333', status: 'loaded', compartment: 3, revoked: 'withdrawn' });
    expect(await r.pickup.pickup({ phone: '600100201', code: '22223333' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'revoked' } });
  });

  it('a document whose type the law keeps at the counter is refused at release, reported, and never opened', async () => {
    const r = await lockerWithDocument({ id: 'A-2', phone: '600100201', code: '22223333', status: 'loaded', compartment: 3, documentType: 'paszport' });
    expect(await r.pickup.pickup({ phone: '600100201', code: '22223333' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'document-type-not-allowed' } });
    expect(outboxEvents(r.store).map((e) => e.type)).toEqual(['authorization.rejected', 'alarm']);
    expect(r.sim.board(0).unlocks).toEqual([]);
  });

  it('a document not loaded yet: the resident is told it is not here yet', async () => {
    const r = await lockerWithDocument({ id: 'A-2', phone: '600100201', code: '22223333', status: 'pending', compartment: null });
    expect(await r.pickup.pickup({ phone: '600100201', code: '22223333' })).toEqual({ status: 403, body: { result: 'rejected', reason: 'not-loaded-yet' } });
  });

  it('a board offline mid-pickup: 503, nothing recorded as collected', async () => {
    const r = await lockerWithDocument();
    r.sim.board(0).faults.offline = true;
    await until(() => r.hw.poller.snapshot(0).online === false, 3_000, 'offline');
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 503, body: { result: 'unavailable' } });
    expect(r.store.db.prepare("SELECT status FROM authorization WHERE id = 'A-1'").get()).toEqual({ status: 'loaded' });
  });

  it('a stuck latch: 503, the compartment faulted and reported, the document still there', async () => {
    const r = await lockerWithDocument();
    r.sim.board(0).faults.stuckLatch = true;
    expect(await r.pickup.pickup({ phone: '600100200', code: '12345678' })).toEqual({ status: 503, body: { result: 'unavailable' } });
    expect(r.compartments.state(2)).toBe('fault');
    expect(outboxEvents(r.store)).toEqual([{ type: 'compartment.fault', data: { compartment: 2, kind: 'unlock-failed' } }]);
  });
});
