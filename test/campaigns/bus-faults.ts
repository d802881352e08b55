/**
 * Campaign 2, bus faults, once per board family: documents loaded and collected one after another while the board
 * drops 10% of its replies, corrupts 5%, delays 5% past the reply timeout, and now and then goes off the bus and
 * comes back. Each family runs on its own bus at its own line speed, through its real driver and codec. No lock
 * may be unlocked that no intent asked for, no intent may be sent more than its one allowed retry, no door may
 * open but the one commanded, no frame no code of ours builds (xor-8a open-all, long power) may reach the boards,
 * and every pickup must end collected or in a reported fault: none left half-way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import type { CompartmentConfig } from '../../src/config/schema.js';
import { pinMac } from '../../src/wire/credentials.js';
import type { BoardConfig } from '../../hardware/boards.js';
import type { LockSystemOptions } from '../../hardware/lock-system.js';
import { BOARD_PROTOCOLS, PROTOCOL_BAUD, type BoardProtocol, type BusFrame } from '../../hardware/protocols/index.js';
import { CU16 } from '../../hardware/protocols/kerong-cu16/codec.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { XOR_8A, xorEchoWindowMs } from '../../hardware/protocols/xor-8a/codec.js';
import { SimBoard } from '../../hardware/sim/sim-board.js';
import { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import { requestDetail } from '../../src/sim/sim-bus-command.js';
import { outboxEvents, rigLayout, startCore } from '../helpers/core-rig.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { until } from '../helpers/until.js';

/** Every family the program drives gets its own run. */
export const busFaultFamilies: readonly BoardProtocol[] = BOARD_PROTOCOLS;

export interface BusFaultReport {
  readonly family: BoardProtocol;
  readonly baud: number;
  readonly pickups: number;
  readonly collected: number;
  /** Attempts that ended in a reported fault (the resident then tried again). */
  readonly reportedFaults: number;
  /** Documents still in their compartment after three reported faults (staff would take them back). */
  readonly stranded: number;
  readonly notLoaded: number;
  readonly stuck: number;
  /** Unlock commands that reached the board while no intent of that lock's compartment was open. */
  readonly unaskedUnlocks: number;
  /** Unlock commands beyond the two (command and one retry) an intent may send. */
  readonly overRetried: number;
  /** Latches the board released beyond the unlock commands it received for them: a door nobody commanded. */
  readonly wrongDoors: number;
  /** Frames no code of ours builds that reached the simulated boards (must stay 0), and that the bus heard. */
  readonly forbiddenFrames: number;
  readonly busForbiddenFrames: number;
  /** Unlock commands that reached the board, and intents written. */
  readonly wireUnlocks: number;
  readonly intents: number;
  readonly offlineSpells: number;
  /** Times the poller declared the board offline (a cable cut long enough). */
  readonly offlineEvents: number;
  /** Real time the run took. */
  readonly seconds: number;
  /** Why loads did not happen (a compartment faulted by the faults, none free): answer → count. */
  readonly loadAnswers: Record<string, number>;
}

export interface BusFaultOptions {
  readonly family: BoardProtocol;
  readonly pickups: number;
  readonly seed?: number;
  /** Reply faults on (default) or off: off with `tamper`, to see the campaign catch a broken board alone. */
  readonly replyFaults?: boolean;
  /** Breaks the simulated board before the run: only to check that the campaign notices (campaigns.test.ts). */
  readonly tamper?: (board: SimBoard) => void;
}

/** The bus timings of the locker's core under test (test/helpers/core-rig.ts's, per family where they must differ). */
const timings = { replyTimeoutMs: 30, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 5, offlineAfterMisses: 3, unlockMinIntervalMs: 100 };
/**
 * When the simulated xor-8a board answers an unlock (after its pulse): a little after the echo window, as the
 * driver requires (xor-8a/codec.ts), and sooner than a real board's "about 1 s" to keep the campaign short.
 */
const xorAnswerAfterMs = xorEchoWindowMs(XOR_8A.baudRate) + 50;

/** One board of the family on its own bus, and the timings that depend on how its unlocks are answered. */
function familyBus(family: BoardProtocol): { board: BoardConfig; layout: CompartmentConfig[]; opts: LockSystemOptions; autoCloseMs: number } {
  const address = family === 'xor-8a' ? XOR_8A.minAddress : 0;
  const locks = family === 'kerong-cu16' ? CU16.locks : family === 'xor-8a' ? XOR_8A.maxLocks : CU48.locks;
  // A CU48 never answers an unlock; a CU16 and a CU48 0x60 may (the simulated ones do not), and the bus keeps quiet
  // for that answer for a reply window or `unlockAnswerWindowMs` (100, the config's least); an xor-8a board answers
  // after its pulse, which ends the window (`unlockAnswerWindowMs` a little longer than that).
  const answerWindowMs = family === 'kerong-cu48' ? undefined : family === 'xor-8a' ? xorAnswerAfterMs + 150 : 100;
  // So the bus may keep quiet this long after an unlock, before the poll that can see the latch released.
  const quietAfterUnlockMs = answerWindowMs === undefined ? 0 : family === 'xor-8a' ? xorAnswerAfterMs : Math.max(answerWindowMs, timings.replyTimeoutMs);
  return {
    board: { address, protocol: family, locks, latchedBit: 1 },
    layout: rigLayout.map((k) => ({ ...k, board: address })),
    opts: {
      ...timings, baudRate: PROTOCOL_BAUD[family],
      // 150 ms to read the release back once the line is free (the config wants more than window + reply timeout).
      unlockConfirmTimeoutMs: 150 + (answerWindowMs === undefined ? 0 : answerWindowMs + timings.replyTimeoutMs),
      ...(answerWindowMs === undefined ? {} : { unlockAnswerWindowMs: answerWindowMs }),
    },
    // The person takes the document and shuts the door this long after the latch released: 25 ms after the first
    // poll that can see it at the earliest, or no release would ever be seen.
    autoCloseMs: 25 + quietAfterUnlockMs,
  };
}

/** The lock an unlock command for board `address` names, of any family's command set; undefined for anything else. */
function unlockedLock(f: BusFrame, address: number): number | undefined {
  const d = requestDetail(f);
  return d.address === address && d.command === 'unlock' ? d.lock : undefined;
}

export async function busFaults(o: BusFaultOptions): Promise<BusFaultReport> {
  const { family } = o;
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), `urz-busfaults-${family}-`));
  let seed = o.seed ?? 11;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const { board: cfg, layout, opts, autoCloseMs } = familyBus(family);
  const board = new SimBoard({
    protocol: family, address: cfg.address, locks: cfg.locks, latchedBit: cfg.latchedBit, clock: systemClock,
    releaseDelayMs: 2, autoCloseMs, xorAnswerAfterMs,
  });
  const sim = new SimulatedBus([board]);
  o.tamper?.(board);
  const rig = await startCore(dir, sim, systemClock, opts, layout, [cfg]).catch((e: unknown) => {
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const { store, hw, staff, pickup } = rig;
  const cs = rig.compartments;
  try {

    // Every unlock command the board receives, with the intent open for its compartment at that moment.
    const lockOf = new Map(layout.map((k) => [k.lock, k.id]));
    const pendingIntent = store.db.prepare("SELECT id FROM unlock_intent WHERE compartment_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1");
    const received: { lock: number; intent: number | undefined }[] = [];
    sim.on('request', (f) => {
      const lock = unlockedLock(f, cfg.address);
      if (lock === undefined) return;
      const id = lockOf.get(lock);
      const row = id === undefined ? undefined : (pendingIntent.get(id) as { id: number } | undefined);
      received.push({ lock, intent: row?.id });
    });
    let offlineEvents = 0;
    hw.poller.on('board-offline', () => void (offlineEvents += 1));

    if (o.replyFaults !== false) Object.assign(board.faults, { dropRate: 0.1, corruptRate: 0.05, delayRate: 0.05, delayMs: 60 });
    const loadAnswers: Record<string, number> = {};
    let collected = 0, reportedFaults = 0, notLoaded = 0, stuck = 0, offlineSpells = 0, stranded = 0;
    const settled = (id: number): boolean => ['free', 'occupied', 'fault', 'disabled'].includes(cs.state(id) ?? 'fault');
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    for (let i = 0; i < o.pickups; i++) {
      const phone = `6${String(20_000_000 + i)}`;
      const code = String(30_000_000 + i);
      insertAuthorization(store.db, { id: `A-${i}`, phone, code, status: 'pending', compartment: null, expiresAt });
      // A cable cut now and then, until the poller has declared the board offline (and a little longer).
      if (random() < 0.05) {
        offlineSpells += 1;
        board.faults.offline = true;
        await until(() => hw.poller.snapshot(cfg.address).online === false, 5_000, 'board offline');
        await new Promise((r) => setTimeout(r, 30));
        board.faults.offline = false;
        await until(() => hw.poller.snapshot(cfg.address).online === true, 5_000, 'board back');
      }
      const login = staff.login('S-1', '1234');
      if (login.status !== 200) throw new Error('staff login failed');
      const load = await staff.load(login.body.token, `A-${i}`);
      if (load.status === 200) await until(() => settled(load.body.compartment), 10_000, 'load settled');
      staff.logout(login.body.token);
      const status = (store.db.prepare('SELECT status FROM authorization WHERE id = ?').get(`A-${i}`) as { status: string }).status;
      if (status !== 'loaded') {
        notLoaded += 1;
        const key = String(load.status) + ':' + JSON.stringify(load.body);
        loadAnswers[key] = (loadAnswers[key] ?? 0) + 1;
      } else {
        // The resident tries up to three times: a compartment that did not open is reported, a technician
        // puts it back in use, and the code still works (it was never consumed).
        const c = store.db.prepare('SELECT compartment_id FROM authorization WHERE id = ?').get(`A-${i}`) as { compartment_id: number };
        let outcome = 'pending';
        for (let attempt = 0; attempt < 3 && outcome !== 'collected'; attempt++) {
          await new Promise((r) => setTimeout(r, 110)); // the per-lock pause since the last unlock
          const a = await pickup.pickup({ phone, code });
          try {
            await until(() => settled(c.compartment_id), 10_000, 'pickup settled');
          } catch {
            outcome = 'stuck';
            break;
          }
          const after = (store.db.prepare('SELECT status FROM authorization WHERE id = ?').get(`A-${i}`) as { status: string }).status;
          if (after === 'collected') outcome = 'collected';
          else if (a.status === 503 && cs.state(c.compartment_id) === 'fault') {
            reportedFaults += 1;
            outcome = 'fault';
            cs.send(c.compartment_id, { type: 'ENABLE' });
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
      for (const k of layout) if (cs.state(k.id) === 'fault') cs.send(k.id, { type: 'ENABLE' });
    }
    // Every unlock that reached the board came while its compartment's intent was open, none of them beyond the
    // one retry, and the board released no latch it was not told to.
    const perIntent = new Map<number, number>();
    let unaskedUnlocks = 0;
    for (const r of received) {
      if (r.intent === undefined) unaskedUnlocks += 1;
      else perIntent.set(r.intent, (perIntent.get(r.intent) ?? 0) + 1);
    }
    const overRetried = [...perIntent.values()].reduce((s, n) => s + Math.max(0, n - 2), 0);
    const commanded = new Map<number, number>();
    for (const r of received) commanded.set(r.lock, (commanded.get(r.lock) ?? 0) + 1);
    const released = new Map<number, number>();
    for (const lock of board.unlocks) released.set(lock, (released.get(lock) ?? 0) + 1);
    const wrongDoors = [...released].reduce((s, [lock, n]) => s + Math.max(0, n - (commanded.get(lock) ?? 0)), 0);
    const intents = (store.db.prepare('SELECT count(*) AS n FROM unlock_intent').get() as { n: number }).n;
    const faultEvents = outboxEvents(store).filter((e) => e.type === 'compartment.fault').length;
    if (faultEvents < reportedFaults) stuck += reportedFaults - faultEvents; // a fault nobody was told of counts as stuck
    return {
      family, baud: PROTOCOL_BAUD[family], pickups: o.pickups, collected, reportedFaults, stranded, notLoaded, stuck, unaskedUnlocks, overRetried, wrongDoors,
      forbiddenFrames: sim.forbiddenFrames, busForbiddenFrames: hw.bus.stats.forbiddenFrames,
      wireUnlocks: received.length, intents, offlineSpells, offlineEvents, seconds: (performance.now() - t0) / 1000, loadAnswers,
    };
  } finally {
    await rig.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
