/**
 * Campaign 2, bus faults: documents loaded and collected one after another while the boards drop 10% of their
 * replies, corrupt 5%, delay 5% past the reply timeout, and now and then go off the bus and come back. No lock
 * may be unlocked that no intent asked for, no intent may be sent more than its one allowed retry, and every
 * pickup must end collected or in a reported fault: none left half-way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { outboxEvents, rigBoards, rigLayout, startCore } from '../helpers/core-rig.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { until } from '../helpers/until.js';
import { pinMac } from '../../src/wire/credentials.js';

export interface BusFaultReport {
  readonly pickups: number;
  readonly collected: number;
  /** Attempts that ended in a reported fault (the resident then tried again). */
  readonly reportedFaults: number;
  /** Documents still in their compartment after three reported faults (staff would take them back). */
  readonly stranded: number;
  readonly notLoaded: number;
  readonly stuck: number;
  readonly unaskedUnlocks: number;
  readonly overRetried: number;
  readonly wireUnlocks: number;
  readonly intents: number;
  readonly offlineSpells: number;
  /** Why loads did not happen (a compartment faulted by the faults, none free): answer → count. */
  readonly loadAnswers: Record<string, number>;
}

export async function busFaults(o: { pickups: number; seed?: number }): Promise<BusFaultReport> {
  const dir = mkdtempSync(join(tmpdir(), 'urz-busfaults-'));
  let seed = o.seed ?? 11;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const sim = simulatedBusFor(rigBoards, systemClock, 2, 25);
  const rig = await startCore(dir, sim, systemClock, { unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 150 });
  const board = sim.board(0);
  Object.assign(board.faults, { dropRate: 0.1, corruptRate: 0.05, delayRate: 0.05, delayMs: 60 });
  const loadAnswers: Record<string, number> = {};
  let collected = 0, reportedFaults = 0, notLoaded = 0, stuck = 0, offlineSpells = 0, stranded = 0;
  const settled = (id: number): boolean => ['free', 'occupied', 'fault', 'disabled'].includes(rig.compartments.state(id) ?? 'fault');
  try {
    rig.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    for (let i = 0; i < o.pickups; i++) {
      const phone = `6${String(20_000_000 + i)}`;
      const code = String(30_000_000 + i);
      insertAuthorization(rig.store.db, { id: `A-${i}`, phone, code, status: 'pending', compartment: null });
      // A cable cut now and then, for a little longer than the offline threshold.
      if (random() < 0.05) {
        offlineSpells += 1;
        board.faults.offline = true;
        await new Promise((r) => setTimeout(r, 80));
        board.faults.offline = false;
        await until(() => rig.hw.poller.snapshot(0).online === true, 5_000, 'board back');
      }
      const login = rig.staff.login('S-1', '1234');
      if (login.status !== 200) throw new Error('staff login failed');
      const load = await rig.staff.load(login.body.token, `A-${i}`);
      if (load.status === 200) await until(() => settled(load.body.compartment), 10_000, 'load settled');
      rig.staff.logout(login.body.token);
      const status = (rig.store.db.prepare('SELECT status FROM authorization WHERE id = ?').get(`A-${i}`) as { status: string }).status;
      if (status !== 'loaded') {
        notLoaded += 1;
        loadAnswers[String(load.status) + ':' + JSON.stringify(load.body)] = (loadAnswers[String(load.status) + ':' + JSON.stringify(load.body)] ?? 0) + 1;
      } else {
        // The resident tries up to three times: a compartment that did not open is reported, a technician
        // puts it back in use, and the code still works (it was never consumed).
        const c = rig.store.db.prepare('SELECT compartment_id FROM authorization WHERE id = ?').get(`A-${i}`) as { compartment_id: number };
        let outcome = 'pending';
        for (let attempt = 0; attempt < 3 && outcome !== 'collected'; attempt++) {
          await new Promise((r) => setTimeout(r, 110)); // the per-lock pause since the last unlock
          const a = await rig.pickup.pickup({ phone, code });
          try {
            await until(() => settled(c.compartment_id), 10_000, 'pickup settled');
          } catch {
            outcome = 'stuck';
            break;
          }
          const after = (rig.store.db.prepare('SELECT status FROM authorization WHERE id = ?').get(`A-${i}`) as { status: string }).status;
          if (after === 'collected') outcome = 'collected';
          else if (a.status === 503 && rig.compartments.state(c.compartment_id) === 'fault') {
            reportedFaults += 1;
            outcome = 'fault';
            rig.compartments.send(c.compartment_id, { type: 'ENABLE' });
          } else {
            outcome = 'stuck';
            break;
          }
        }
        if (outcome === 'collected') collected += 1;
        else if (outcome === 'stuck') stuck += 1;
        else stranded += 1;
      }
      await new Promise((r) => setTimeout(r, 110)); // the per-lock pause before the compartment's next use
      // The technician puts faulted compartments back in use (the campaign must not run out of them).
      for (const k of rigLayout) if (rig.compartments.state(k.id) === 'fault') rig.compartments.send(k.id, { type: 'ENABLE' });
    }
    // Every unlock on the wire belongs to a compartment an intent named, and no intent went out more than twice.
    const intents = rig.store.db.prepare('SELECT compartment_id AS id, count(*) AS n FROM unlock_intent GROUP BY compartment_id').all() as { id: number; n: number }[];
    const wire = new Map<number, number>();
    for (const lock of board.unlocks) wire.set(lock, (wire.get(lock) ?? 0) + 1);
    const lockOf = new Map(rigLayout.map((k) => [k.lock, k.id]));
    let unaskedUnlocks = 0, overRetried = 0;
    for (const [lock, n] of wire) {
      const id = lockOf.get(lock);
      const asked = intents.find((x) => x.id === id)?.n ?? 0;
      if (asked === 0) unaskedUnlocks += n;
      else if (n > 2 * asked) overRetried += n - 2 * asked;
    }
    const faultEvents = outboxEvents(rig.store).filter((e) => e.type === 'compartment.fault').length;
    if (faultEvents < reportedFaults) stuck += reportedFaults - faultEvents; // a fault nobody was told of counts as stuck
    return {
      pickups: o.pickups, collected, reportedFaults, stranded, notLoaded, stuck, unaskedUnlocks, overRetried,
      wireUnlocks: board.unlocks.length, intents: intents.reduce((s, x) => s + x.n, 0), offlineSpells, loadAnswers,
    };
  } finally {
    await rig.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
