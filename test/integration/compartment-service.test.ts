import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { verifyAudit } from '../../src/store/audit.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { insertAuthorization } from '../helpers/store-fixtures.js';
import { outboxEvents as events, rigBoards, startCore, type CoreRig } from '../helpers/core-rig.js';

type Rig = CoreRig & { svc: CoreRig['compartments'] };

const open: Rig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

function stopRig(r: Rig): Promise<void> {
  return r.stop();
}

/** A locker process: database in `dir`, simulated boards `sim` (kept across "restarts" of the process). */
async function startRig(dir: string, sim: SimulatedBus): Promise<Rig> {
  const core = await startCore(dir, sim);
  await until(() => core.hw.poller.snapshot(0).online === true, 3_000, 'board online');
  const r = { ...core, svc: core.compartments };
  open.push(r);
  return r;
}

async function fresh(): Promise<Rig> {
  const t = tempDir();
  dirs.push(t);
  return startRig(t.dir, simulatedBusFor(rigBoards, systemClock, 5));
}

describe('compartment service', () => {
  it('a load opens a free compartment; when the door shuts the document counts as loaded and is reported', async () => {
    const r = await fresh();
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null });
    expect(await r.svc.open({ compartmentId: 2, purpose: 'load', authorizationId: 'A-1', actor: 'staff:S-1' })).toEqual({ result: 'opened', compartment: 2 });
    expect(r.svc.state(2)).toBe('open');
    r.sim.board(0).closeDoor(2);
    await until(() => r.svc.state(2) === 'occupied', 3_000, 'occupied');
    expect(r.store.db.prepare('SELECT status, compartment_id FROM authorization WHERE id = ?').get('A-1')).toEqual({ status: 'loaded', compartment_id: 2 });
    expect(events(r.store)).toEqual([{ type: 'document.loaded', data: { authorizationId: 'A-1', compartment: 2, staffId: 'S-1' } }]);
    expect(r.sim.board(0).unlocks).toEqual([2]);
    expect(verifyAudit(r.store.db).ok).toBe(true);
  });

  it('a release opens only the document’s compartment, once; the door shut makes it collected with a receipt', async () => {
    const r = await fresh();
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'loaded', compartment: 3 });
    r.store.db.prepare("UPDATE compartment SET state = 'occupied' WHERE id = 3").run();
    await stopRig(open.pop()!);
    const r2 = await startRig(r.dir, r.sim);
    expect(r2.svc.state(3)).toBe('occupied');
    expect(await r2.svc.open({ compartmentId: 3, purpose: 'release', authorizationId: 'A-1', actor: 'resident' })).toEqual({ result: 'opened', compartment: 3 });
    // A second request while the door is open sends nothing.
    expect(await r2.svc.open({ compartmentId: 3, purpose: 'release', authorizationId: 'A-1', actor: 'resident' })).toEqual({ result: 'busy' });
    r2.sim.board(0).closeDoor(3);
    await until(() => r2.svc.state(3) === 'free', 3_000, 'free');
    expect(r2.store.db.prepare('SELECT status FROM authorization WHERE id = ?').get('A-1')).toEqual({ status: 'collected' });
    const receipt = r2.store.db.prepare('SELECT id FROM receipt WHERE authorization_id = ?').get('A-1') as { id: string };
    expect(events(r2.store).find((e) => e.type === 'document.collected')?.data).toEqual({ authorizationId: 'A-1', compartment: 3, receiptId: receipt.id });
    expect(r2.sim.board(0).unlocks).toEqual([3]);
  });

  it('a stuck latch: one retry, then fault, reported as compartment.fault; the document stays', async () => {
    const r = await fresh();
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'loaded', compartment: 1 });
    r.store.db.prepare("UPDATE compartment SET state = 'occupied' WHERE id = 1").run();
    await stopRig(open.pop()!);
    const r2 = await startRig(r.dir, r.sim);
    r2.sim.board(0).faults.stuckLatch = true;
    expect(await r2.svc.open({ compartmentId: 1, purpose: 'release', authorizationId: 'A-1', actor: 'resident' })).toEqual({ result: 'failed', kind: 'unlock-failed' });
    expect(r2.sim.board(0).unlocks).toEqual([1, 1]);
    expect(events(r2.store).map((e) => e.type)).toEqual(['compartment.fault']);
    expect(r2.store.db.prepare('SELECT status FROM authorization WHERE id = ?').get('A-1')).toEqual({ status: 'loaded' });
  });

  it('a door left open raises door-left-open; the compartment stays unusable until it is shut', async () => {
    const t = tempDir();
    dirs.push(t);
    const core = await startCore(t.dir, simulatedBusFor(rigBoards, systemClock, 5), systemClock, { doorOpenLimitMs: 150 });
    const r = { ...core, svc: core.compartments };
    open.push(r);
    await until(() => r.hw.poller.snapshot(0).online === true, 3_000, 'online');
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'pending', compartment: null });
    expect(await r.svc.open({ compartmentId: 1, purpose: 'load', authorizationId: 'A-1', actor: 'staff:S-1' })).toMatchObject({ result: 'opened' });
    await until(() => events(r.store).some((e) => e.type === 'alarm'), 3_000, 'door-left-open');
    expect(events(r.store)).toEqual([{ type: 'alarm', data: { kind: 'door-left-open', compartment: 1 } }]);
    expect(r.svc.state(1)).toBe('open');
    expect(r.svc.accepts(1, 'load')).toBe(false);
    r.sim.board(0).closeDoor(1);
    await until(() => r.svc.state(1) === 'occupied', 3_000, 'occupied');
    expect(events(r.store).map((e) => e.type)).toEqual(['alarm', 'document.loaded']);
  });

  it('a door forced open raises the alarm at once', async () => {
    const r = await fresh();
    r.sim.board(0).forceOpen(2);
    await until(() => events(r.store).some((e) => e.type === 'alarm'), 3_000, 'alarm');
    expect(events(r.store)).toEqual([{ type: 'alarm', data: { kind: 'forced-open', compartment: 2 } }]);
    expect(r.sim.board(0).unlocks).toEqual([]);
  });

  it('after a crash between intent and outcome the unlock is never repeated: latch shut → fault; latch open → completes', async () => {
    const r = await fresh();
    const dir = r.dir;
    insertAuthorization(r.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'loaded', compartment: 1 });
    insertAuthorization(r.store.db, { id: 'A-2', phone: '600100201', code: '12345678', status: 'loaded', compartment: 2 });
    r.store.db.prepare("UPDATE compartment SET state = 'occupied' WHERE id IN (1, 2)").run();
    // What a killed process leaves: intents written, outcomes not; compartment 2's unlock did go out.
    for (const [id, auth] of [[1, 'A-1'], [2, 'A-2']] as const) {
      r.store.db.prepare("INSERT INTO unlock_intent (compartment_id, purpose, authorization_id, actor, status, created_at) VALUES (?, 'release', ?, 'resident', 'pending', 'x')").run(id, auth);
    }
    r.sim.board(0).unlock(2);
    await stopRig(open.pop()!);
    await new Promise((res) => setTimeout(res, 30));
    const r2 = await startRig(dir, r.sim);
    expect(r2.svc.state(1)).toBe('fault');
    expect(r2.svc.state(2)).toBe('open');
    expect(r2.sim.board(0).unlocks).toEqual([2]); // only the one before the "crash"
    r2.sim.board(0).closeDoor(2);
    await until(() => r2.svc.state(2) === 'free', 3_000, 'free');
    expect(r2.store.db.prepare('SELECT id, status FROM authorization ORDER BY id').all()).toEqual([{ id: 'A-1', status: 'loaded' }, { id: 'A-2', status: 'collected' }]);
    expect(verifyAudit(r2.store.db).ok).toBe(true);
  });

  it('an offline board: nothing is sent and nothing is written', async () => {
    const r = await fresh();
    r.sim.board(0).faults.offline = true;
    await until(() => r.hw.poller.snapshot(0).online === false, 3_000, 'offline');
    expect(await r.svc.open({ compartmentId: 1, purpose: 'load', actor: 'staff:S-1' })).toEqual({ result: 'unavailable' });
    expect(r.store.db.prepare('SELECT COUNT(*) AS n FROM unlock_intent').get()).toEqual({ n: 0 });
  });
});
