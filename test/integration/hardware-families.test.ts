import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MockPortBinding } from '@serialport/binding-mock';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { ErrorCodes } from '../../src/errors.js';
import { createLockSystem, type LockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { Priority } from '../../hardware/bus.js';
import { SerialTransport } from '../../hardware/transport/serial.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import type { BoardConfig } from '../../hardware/boards.js';
import type { BoardProtocol, BusFrame } from '../../hardware/protocols/index.js';
import { encodeCu4860Status, isCu4860StatusOf } from '../../hardware/protocols/kerong-cu48-60/codec.js';
import { encodeXorReadAll, isXorStatusOf } from '../../hardware/protocols/xor-8a/codec.js';
import { boardsBehindMockPort, nextEvent, requestsIn, unlocksIn, expectUnplugRejectsAll, until } from '../helpers/hardware.js';

/**
 * The suite of hardware-bus.test.ts (the production SerialTransport on @serialport/binding-mock, simulated boards
 * behind it), run for each of the two newer families. Each bus has two boards of the family: `a` plays the part of
 * the CU48 at 0 there, `b` that of the CU16 at 1 (latchedBit 0, so a switch reading 0 means latched).
 */
interface Family {
  readonly protocol: BoardProtocol;
  readonly baudRate: number;
  readonly boards: readonly [BoardConfig, BoardConfig];
  /** Golden status requests of board a and board b (DESIGN §4 shapes; codec headers). */
  readonly statusHex: readonly [string, string];
  /** Golden unlocks: board a lock `lockA`, board b lock `lockB`. */
  readonly unlockA: { readonly lock: number; readonly hex: string };
  readonly unlockB: { readonly lock: number; readonly hex: string };
  /** Length of a status reply, for counting discarded bytes. */
  readonly replyLength: number;
  /** Whether every unlock is answered by the simulated board (xor-8a), so `unlockReplies` counts one per unlock. */
  readonly answersEveryUnlock: boolean;
  readonly statusRequest: (address: number) => Buffer;
  readonly isStatusOf: (address: number) => (f: BusFrame) => boolean;
  readonly opts: LockSystemOptions;
}

const common = {
  replyTimeoutMs: 30, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 5, offlineAfterMisses: 3,
  // Longer than any one unlock with its confirmation takes here (an xor-8a answer alone comes after 300 ms).
  unlockMinIntervalMs: 5_000,
  unlockAnswerWindowMs: 600,
};

/** When a simulated xor-8a board answers an unlock (SimBoardOptions.xorAnswerAfterMs, its default). */
const xorAnswerAfterMs = 300;

const families: Family[] = [
  {
    protocol: 'kerong-cu48-60',
    baudRate: 19_200,
    boards: [
      { address: 0, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1 },
      // Another layout than the capture's, written by the simulated board and read by the driver through the config.
      { address: 1, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 0, layout: { bitOrder: 'msb-first', sensorBytes: 'none' } },
    ],
    // 02 ADDR 00 60 03 SUM (kerong-cu48-60/codec.ts, B1's capture).
    statusHex: ['020000600365', '020100600366'],
    // 02 ADDR LOCK-1 61 03 SUM, the lock in byte 2 (codec E4).
    unlockA: { lock: 7, hex: '02000661036c' },
    unlockB: { lock: 3, hex: '020102610369' },
    replyLength: 18,
    answersEveryUnlock: false,
    statusRequest: encodeCu4860Status,
    isStatusOf: (address) => (f) => isCu4860StatusOf(f, address),
    // As for xor-8a: the release is read only after the answer window (a late status-shaped answer, hardware/drivers/kerong-cu48-60.ts).
    opts: { ...common, baudRate: 19_200, unlockConfirmTimeoutMs: 1_200 },
  },
  {
    protocol: 'xor-8a',
    baudRate: 9_600,
    boards: [
      { address: 1, protocol: 'xor-8a', locks: 24, latchedBit: 1 },
      // latchedBit 0: a released channel reads raw 1, so this board's unlock answer has STATE 11 = the request's bytes.
      { address: 2, protocol: 'xor-8a', locks: 8, latchedBit: 0 },
    ],
    // 80 ADDR 00 33 BCC (A5: `80 01 00 33 B2`).
    statusHex: ['80010033b2', '80020033b1'],
    // 8A ADDR CH 11 BCC (A5, A16: `8A 01 01 11 9B`).
    unlockA: { lock: 1, hex: '8a0101119b' },
    unlockB: { lock: 3, hex: '8a0203119a' },
    replyLength: 7,
    answersEveryUnlock: true,
    statusRequest: encodeXorReadAll,
    isStatusOf: (address) => (f) => isXorStatusOf(f, address),
    // The release is read only after the answer window: the confirmation must outlast it and one reply timeout.
    opts: { ...common, baudRate: 9_600, unlockConfirmTimeoutMs: 1_200 },
  },
];

const silent = pino({ level: 'silent' });

interface Rig {
  readonly hw: LockSystem;
  readonly sim: SimulatedBus;
  port(): MockPortBinding;
  written(): Buffer;
  /** Set by a test that writes a forbidden frame on purpose, so the after-each check expects it. */
  forbiddenWrittenOnPurpose: number;
}

let n = 0;
let current: Rig | undefined;
/** Every rig of a family's run, for the check that no forbidden frame ever reached a board. */
const rigsOf = new Map<BoardProtocol, Rig[]>();

afterEach(async () => {
  const r = current;
  current = undefined;
  if (r === undefined) return;
  await r.hw.stop();
  r.sim.stop();
  // Never an open-all or a long-power frame on the line, whatever the test did to the boards.
  expect(r.sim.forbiddenFrames).toBe(r.forbiddenWrittenOnPurpose);
});

describe.each(families)('$protocol boards over @serialport/binding-mock', (f) => {
  const [cfgA, cfgB] = f.boards;
  const A = cfgA.address;
  const B = cfgB.address;

  // Across the family's whole run: no frame that would open more than one lock, or hold a solenoid on, was ever
  // written (the decoder of the recordings names them) or reached a board (the simulated bus counts them).
  afterAll(() => {
    const rigs = rigsOf.get(f.protocol) ?? [];
    expect(rigs.reduce((sum, x) => sum + x.sim.forbiddenFrames - x.forbiddenWrittenOnPurpose, 0)).toBe(0);
    const oneLock = new Set(f.boards.flatMap((b) => Array.from({ length: b.locks }, (_, i) => `${b.address}/${i + 1}`)));
    const notOneLock = rigs.flatMap((x) => unlocksIn(x.written(), f.protocol).filter((u) => !oneLock.has(u)));
    expect(notOneLock).toHaveLength(rigs.reduce((sum, x) => sum + x.forbiddenWrittenOnPurpose, 0));
  });

  async function rig(o: { echo?: boolean } = {}): Promise<Rig> {
    const sim = simulatedBusFor(f.boards, systemClock, 5);
    const path = `/dev/ttyURZF${n++}`;
    const { binding, ports } = boardsBehindMockPort(path, sim, o);
    const transport = new SerialTransport({ path, baudRate: f.baudRate, binding, reconnectMinMs: 20, reconnectMaxMs: 40 }, systemClock, silent);
    const hw = createLockSystem(transport, f.boards, f.opts, systemClock, silent);
    const r: Rig = { hw, sim, port: () => ports.at(-1)!, written: () => Buffer.concat(ports.map((p) => p.recording)), forbiddenWrittenOnPurpose: 0 };
    current = r;
    rigsOf.set(f.protocol, [...(rigsOf.get(f.protocol) ?? []), r]);
    const online = Promise.all([A, B].map((a) => nextEvent(hw.poller, 'board-online', (e: { address: number }) => e.address === a)));
    await hw.start();
    await online;
    return r;
  }

  /** The hex of every request written, in order. */
  const hexes = (r: Rig): string[] => requestsIn(r.written(), f.protocol).map((x) => x.raw.toString('hex'));
  const isUnlock = (bytes: Buffer): boolean => unlocksIn(bytes, f.protocol).length > 0;
  /** Monotonic ms from each unlock written to the next frame written after it. */
  function gapsAfterUnlocks(r: Rig): () => number[] {
    const tx: { unlock: boolean; at: number }[] = [];
    r.hw.bus.on('tx', (b: Buffer, at: number) => tx.push({ unlock: isUnlock(b), at }));
    return () => tx.flatMap((t, i) => (t.unlock && i + 1 < tx.length ? [tx[i + 1]!.at - t.at] : []));
  }

  it('polls both boards with the golden request bytes and reads their latches', async () => {
    const r = await rig();
    expect(hexes(r)).toContain(f.statusHex[0]);
    expect(hexes(r)).toContain(f.statusHex[1]);
    expect(r.hw.poller.snapshot(A).latched).toEqual(Array(cfgA.locks).fill(true));
    // Board b is wired the other way round (latchedBit 0): every switch reading 0 is still every latch holding.
    expect(r.hw.poller.snapshot(B).latched).toEqual(Array(cfgB.locks).fill(true));
    expect(r.hw.bus.stats.unsolicited).toBe(0);
    expect(r.hw.bus.stats.discardedBytes).toBe(0);
  });

  it('unlocks exactly the lock asked, once, with the golden bytes, and confirms the release by a poll', async () => {
    const r = await rig();
    await expect(r.hw.locks.unlock(A, f.unlockA.lock)).resolves.toBe('released');
    await expect(r.hw.locks.unlock(B, f.unlockB.lock)).resolves.toBe('released');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/${f.unlockA.lock}`, `${B}/${f.unlockB.lock}`]);
    expect(r.sim.board(A).unlocks).toEqual([f.unlockA.lock]);
    expect(r.sim.board(B).unlocks).toEqual([f.unlockB.lock]);
    const sent = hexes(r);
    expect(sent.filter((h) => h === f.unlockA.hex || h === f.unlockB.hex)).toEqual([f.unlockA.hex, f.unlockB.hex]);
    // The release was read back by a status poll of the board written after its unlock.
    expect(sent.indexOf(f.statusHex[0], sent.indexOf(f.unlockA.hex))).toBeGreaterThan(sent.indexOf(f.unlockA.hex));
    expect(sent.indexOf(f.statusHex[1], sent.indexOf(f.unlockB.hex))).toBeGreaterThan(sent.indexOf(f.unlockB.hex));
    expect(r.hw.poller.snapshot(A).latched?.[f.unlockA.lock - 1]).toBe(false);
    expect(r.hw.poller.snapshot(B).latched?.[f.unlockB.lock - 1]).toBe(false);
    // An answer to an unlock (every xor-8a unlock) is counted as such, and never taken for anyone's reply.
    expect(r.hw.bus.stats.unlockReplies).toBe(f.answersEveryUnlock ? 2 : 0);
    expect(r.hw.bus.stats.unclaimedReplies).toEqual({});
    expect(r.hw.bus.stats.unsolicited).toBe(0);
  });

  it('reports a door shut and a door forced open as latch events', async () => {
    const r = await rig();
    await r.hw.locks.unlock(A, 9);
    const shut = nextEvent(r.hw.poller, 'latch', (c: { lock: number }) => c.lock === 9);
    r.sim.board(A).closeDoor(9);
    await expect(shut).resolves.toMatchObject({ address: A, lock: 9, latched: true });
    const forced = nextEvent(r.hw.poller, 'latch', (c: { lock: number }) => c.lock === 5);
    r.sim.board(B).forceOpen(5);
    await expect(forced).resolves.toMatchObject({ address: B, lock: 5, latched: false });
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/9`]);
  });

  it('no reply: timeouts are counted, the board goes offline after N misses and online when it answers again', async () => {
    const r = await rig();
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === B);
    r.sim.board(B).faults.noReply = true;
    await expect(offline).resolves.toMatchObject({ address: B, misses: 3 });
    expect(r.hw.bus.stats.timeouts).toBeGreaterThanOrEqual(3 * 2); // each miss is a try and a retry
    expect(r.hw.poller.snapshot(A).online).toBe(true);
    const online = nextEvent(r.hw.poller, 'board-online', (e: { address: number }) => e.address === B);
    r.sim.board(B).faults.noReply = false;
    await expect(online).resolves.toMatchObject({ address: B });
  });

  it('bad checksum: every reply is discarded and counted, and the board goes offline', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.discardedBytes;
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === A);
    r.sim.board(A).faults.badChecksum = true;
    await offline;
    expect(r.hw.bus.stats.discardedBytes - before).toBeGreaterThanOrEqual(3 * f.replyLength);
    expect(r.hw.bus.log.recent().some((e) => e.dir === 'discard')).toBe(true);
    expect(r.hw.poller.snapshot(A).latched).toEqual(Array(cfgA.locks).fill(true));
  });

  it('truncated replies: discarded and counted, board offline, nothing misread', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.discardedBytes;
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === B);
    r.sim.board(B).faults.truncate = true;
    await offline;
    expect(r.hw.bus.stats.discardedBytes).toBeGreaterThan(before);
    expect(r.hw.poller.snapshot(B).latched).toEqual(Array(cfgB.locks).fill(true));
    expect(r.hw.bus.stats.unsolicited).toBe(0);
  });

  it('garbage before each reply: discarded and counted, the replies still come through', async () => {
    const r = await rig();
    r.sim.board(A).faults.garbage = true;
    const before = r.hw.bus.stats.discardedBytes;
    await r.hw.poller.nextStatus(A);
    await r.hw.poller.nextStatus(A);
    expect(r.hw.bus.stats.discardedBytes - before).toBeGreaterThanOrEqual(5);
    expect(r.hw.poller.snapshot(A).online).toBe(true);
    await expect(r.hw.locks.unlock(A, 2)).resolves.toBe('released');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/2`]);
  });

  it('slow replies beyond the timeout are reported as timeouts, and a late reply is not taken for another board', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.timeouts;
    r.sim.board(A).faults.slowReplyMs = 45;
    await until(() => r.hw.bus.stats.timeouts > before, 5_000, 'a timeout');
    r.sim.board(B).forceOpen(1);
    await until(() => r.hw.poller.snapshot(B).latched?.[0] === false, 5_000, 'board b lock 1 released');
    // Board a answered late all along: its state must never have been read into board b's. (A late reply of board a
    // is mostly taken by board a's next request, its retry: the same board's status, one request old. Nothing in
    // these protocols tells the two apart.)
    expect(r.hw.poller.snapshot(B).latched?.slice(1).every((l) => l)).toBe(true);
    expect(r.hw.bus.stats.unclaimedReplies[B]).toBeUndefined();
  });

  it('dropped, corrupted and delayed replies at random: the board stays readable and no latch is misread', async () => {
    const r = await rig();
    const latchEvents: unknown[] = [];
    r.hw.poller.on('latch', (c) => latchEvents.push(c));
    const s = r.hw.bus.stats;
    const [timeouts, discarded, ok] = [s.timeouts, s.discardedBytes, r.hw.poller.snapshot(A).pollsOk];
    Object.assign(r.sim.board(A).faults, { dropRate: 0.2, corruptRate: 0.2, delayRate: 0.2, delayMs: 45 });
    await until(() => s.timeouts > timeouts && s.discardedBytes > discarded && r.hw.poller.snapshot(A).pollsOk >= ok + 15, 15_000, 'misses, discards and good polls');
    expect(latchEvents).toEqual([]);
    expect(r.hw.poller.snapshot(B)).toMatchObject({ online: true, latched: Array(cfgB.locks).fill(true) });
    expect(unlocksIn(r.written(), f.protocol)).toEqual([]);
  });

  it('a board that is simply silent is offline, with no word of a command set', async () => {
    const r = await rig();
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number; reason: string }) => e.address === A);
    r.sim.board(A).faults.offline = true;
    const e = await offline;
    expect(e.reason).not.toContain('answers as');
    expect(r.hw.poller.snapshot(A)).toMatchObject({ online: false, answersAs: undefined });
  });

  it('a stuck latch: the unlock is sent once and reported not released', async () => {
    const r = await rig();
    r.sim.board(A).faults.stuckLatch = true;
    await expect(r.hw.locks.unlock(A, 3)).resolves.toBe('not-released');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/3`]);
    expect(r.sim.board(A).unlocks).toEqual([3]);
  });

  it('a board offline during an unlock: outcome unknown, and the command is not repeated', async () => {
    const r = await rig();
    r.sim.board(A).faults.offline = true;
    await expect(r.hw.locks.unlock(A, 4)).resolves.toBe('unknown');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/4`]);
    expect(r.sim.board(A).unlocks).toEqual([]);
    expect(r.hw.bus.stats.unlockReplies).toBe(0);
  });

  it('our own transmission echoed back is recognised and ignored', async () => {
    const r = await rig({ echo: true });
    await until(() => r.hw.bus.stats.echoes >= 4, 5_000, 'echoes');
    await expect(r.hw.locks.unlock(A, 5)).resolves.toBe('released');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/5`]);
    expect(r.hw.poller.snapshot(A).online).toBe(true);
    expect(r.hw.poller.snapshot(B).online).toBe(true);
    await r.hw.poller.stop();
    // One echo per frame written, each taken for what it is: not a reply, not an answer, not another master.
    expect(r.hw.bus.stats.echoes).toBe(r.hw.bus.stats.txFrames);
    expect(r.hw.bus.stats.unsolicited).toBe(0);
    expect(r.hw.bus.stats.unlockReplies).toBe(f.answersEveryUnlock ? 1 : 0);
  });

  it('refuses a second unlock of the same lock within the minimum interval, sending nothing', async () => {
    const r = await rig();
    await r.hw.locks.unlock(A, 11);
    await expect(r.hw.locks.unlock(A, 11)).rejects.toMatchObject({ code: ErrorCodes.UnlockRateLimited });
    await expect(r.hw.locks.unlock(A, cfgA.locks + 1)).rejects.toMatchObject({ code: ErrorCodes.InvalidLock });
    await expect(r.hw.locks.unlock(B, 0)).rejects.toMatchObject({ code: ErrorCodes.InvalidLock });
    await expect(r.hw.locks.unlock(7, 1)).rejects.toMatchObject({ code: ErrorCodes.UnknownBoard });
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/11`]);
  });

  it('an unlock waits only for the transaction in flight, not for queued polls', async () => {
    const r = await rig();
    const order: string[] = [];
    r.hw.bus.on('tx', (b: Buffer) => order.push(isUnlock(b) ? 'unlock' : 'status'));
    const polls = Array.from({ length: 5 }, () => r.hw.bus.query(f.statusRequest(A), f.isStatusOf(A), { priority: Priority.Maintenance }));
    const unlock = r.hw.locks.unlock(A, 20);
    await Promise.all([...polls, unlock]);
    await expect(unlock).resolves.toBe('released');
    expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/20`]);
    expect(order.indexOf('unlock')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('unlock')).toBeLessThanOrEqual(2);
  });

  it('when the port closes, the request in flight and every queued one are rejected, then the line comes back', async () => {
    await expectUnplugRejectsAll(await rig(), A, f.statusRequest(A), f.isStatusOf(A));
  });

  if (f.protocol === 'kerong-cu48-60') {
    it('a board that does not answer its unlock: the bus keeps quiet for the answer window, and the poll confirms', async () => {
      const r = await rig();
      const gaps = gapsAfterUnlocks(r);
      await expect(r.hw.locks.unlock(A, 6)).resolves.toBe('released');
      expect(r.hw.bus.stats.unlockReplies).toBe(0);
      expect(gaps()).toHaveLength(1);
      expect(gaps()[0]).toBeGreaterThanOrEqual(f.opts.unlockAnswerWindowMs!);
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/6`]);
    });

    it('an answer later than a reply timeout, showing the latch as it was before the pulse, is never read as a poll\'s status: no false "door shut"', async () => {
      const r = await rig();
      r.sim.board(A).faults.answersUnlock = true;
      r.sim.board(A).faults.unlockReplyDelayMs = 4 * f.opts.replyTimeoutMs; // inside the answer window, past a poll's timeout
      const seen: boolean[] = [];
      r.hw.poller.on('latch', (c: { address: number; lock: number; latched: boolean }) => {
        if (c.address === A && c.lock === 6) seen.push(c.latched);
      });
      await expect(r.hw.locks.unlock(A, 6)).resolves.toBe('released');
      await r.hw.poller.nextStatus(A);
      await r.hw.poller.nextStatus(A);
      expect(r.hw.bus.stats.unlockReplies).toBe(1);
      expect(seen).toEqual([false]);
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/6`]);
    });

    it('a board that answers its unlock with a status frame: the answer is counted, never read as a status, and the release confirmed by a poll', async () => {
      const r = await rig();
      r.sim.board(A).faults.answersUnlock = true;
      r.sim.board(B).faults.answersUnlock = true;
      await expect(r.hw.locks.unlock(A, 6)).resolves.toBe('released');
      await expect(r.hw.locks.unlock(B, 40)).resolves.toBe('released');
      expect(r.hw.bus.stats.unlockReplies).toBe(2);
      expect(r.hw.bus.stats.unclaimedReplies).toEqual({});
      expect(r.hw.poller.snapshot(A).latched?.[5]).toBe(false);
      expect(r.hw.poller.snapshot(B).latched?.[39]).toBe(false);
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/6`, `${B}/40`]);
      expect(r.sim.board(A).unlocks).toEqual([6]);
      expect(r.sim.board(B).unlocks).toEqual([40]);
    });

    it('a CU48 with the 0x50 firmware is counted and reported as answering as kerong-cu48, not just offline', async () => {
      const r = await rig();
      const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number; reason: string }) => e.address === A);
      r.sim.board(A).faults.otherFirmware = true;
      const e = await offline;
      expect(e.reason).toMatch(/answers as kerong-cu48(?!-)/);
      expect(r.hw.bus.stats.unclaimedReplies[A]?.['kerong-cu48']).toBeGreaterThanOrEqual(3 * 2); // each miss is a try and a retry
      expect(r.hw.bus.stats.unclaimedReplies[B]).toBeUndefined();
      expect(r.hw.poller.snapshot(A)).toMatchObject({ online: false, answersAs: 'kerong-cu48' });
      expect(r.hw.poller.snapshot(B)).toMatchObject({ online: true, answersAs: undefined });
      // An unlock in the 0x61 command set does nothing on such a board, and is still sent only once.
      await expect(r.hw.locks.unlock(A, 8)).resolves.toBe('unknown');
      expect(r.sim.board(A).unlocks).toEqual([]);
      const online = nextEvent(r.hw.poller, 'board-online', (x: { address: number }) => x.address === A);
      r.sim.board(A).faults.otherFirmware = false;
      await online;
      expect(r.hw.poller.snapshot(A)).toMatchObject({ online: true, answersAs: undefined });
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/8`]);
    });
  }

  if (f.protocol === 'xor-8a') {
    it('the STATE 11 answer (the request\'s very bytes, after the pulse) is taken for the answer, not an echo: the bus is quiet until it, no longer', async () => {
      const r = await rig();
      const gaps = gapsAfterUnlocks(r);
      await expect(r.hw.locks.unlock(B, f.unlockB.lock)).resolves.toBe('released');
      expect(r.hw.bus.stats.unlockReplies).toBe(1);
      expect(r.hw.bus.stats.echoes).toBe(0);
      expect(r.hw.bus.stats.unsolicited).toBe(0);
      // Quiet until the answer (after the pulse), and the answer ended the window early.
      expect(gaps()).toHaveLength(1);
      expect(gaps()[0]).toBeGreaterThanOrEqual(xorAnswerAfterMs);
      expect(gaps()[0]).toBeLessThan(f.opts.unlockAnswerWindowMs!);
    });

    it('with an echoing adapter: each echo is taken for the echo and each answer (STATE 11 and 00) for the answer', async () => {
      const r = await rig({ echo: true });
      await expect(r.hw.locks.unlock(B, f.unlockB.lock)).resolves.toBe('released'); // STATE 11: echo, then the same bytes as the answer
      await expect(r.hw.locks.unlock(A, f.unlockA.lock)).resolves.toBe('released'); // STATE 00
      await r.hw.poller.stop();
      expect(r.hw.bus.stats.unlockReplies).toBe(2);
      expect(r.hw.bus.stats.echoes).toBe(r.hw.bus.stats.txFrames);
      expect(r.hw.bus.stats.unsolicited).toBe(0);
      expect(r.hw.bus.stats.unclaimedReplies).toEqual({});
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${B}/${f.unlockB.lock}`, `${A}/${f.unlockA.lock}`]);
    });

    it('an answer later than the window: the bus talks again when the window ends, and the late answer is read as nothing', async () => {
      const r = await rig();
      const gaps = gapsAfterUnlocks(r);
      r.sim.board(A).faults.unlockReplyDelayMs = f.opts.unlockAnswerWindowMs!;
      r.sim.board(B).faults.unlockReplyDelayMs = f.opts.unlockAnswerWindowMs!;
      await expect(r.hw.locks.unlock(A, f.unlockA.lock)).resolves.toBe('released'); // STATE 00: a frame of its own
      await expect(r.hw.locks.unlock(B, f.unlockB.lock)).resolves.toBe('released'); // STATE 11: the request's bytes
      await until(() => (r.hw.bus.stats.unclaimedReplies[A]?.['xor-8a'] ?? 0) > 0 && r.hw.bus.stats.unsolicited > 1, 5_000, 'both late answers heard');
      expect(r.hw.bus.stats.unlockReplies).toBe(0);
      expect(gaps().every((g) => g >= f.opts.unlockAnswerWindowMs! && g < f.opts.unlockAnswerWindowMs! + xorAnswerAfterMs)).toBe(true);
      expect(r.hw.poller.snapshot(A).latched?.[f.unlockA.lock - 1]).toBe(false);
      expect(r.hw.poller.snapshot(B).latched?.[f.unlockB.lock - 1]).toBe(false);
      expect(unlocksIn(r.written(), f.protocol)).toEqual([`${A}/${f.unlockA.lock}`, `${B}/${f.unlockB.lock}`]);
    });

    it('the check that no open-all reaches the boards can see one: written by hand, it is counted and acted on by no board', async () => {
      const r = await rig();
      await r.hw.poller.stop();
      const forbidden = nextEvent<BusFrame>(r.sim, 'forbidden');
      r.forbiddenWrittenOnPurpose = 1;
      await r.hw.transport.write(Buffer.from('8a0100119a', 'hex')); // open all, board 1 (A15 §三): never built by the program
      await expect(forbidden).resolves.toMatchObject({ kind: 'xor-forbidden', what: 'open-all', address: 1 });
      expect(r.sim.forbiddenFrames).toBe(1);
      expect(unlocksIn(r.written(), f.protocol)).toEqual(['1/open-all']);
      expect(r.sim.board(A).unlocks).toEqual([]);
      expect(r.sim.board(B).unlocks).toEqual([]);
    });
  }
});
