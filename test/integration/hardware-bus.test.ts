import { afterEach, describe, expect, it } from 'vitest';
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
import { encodeCu48Status } from '../../hardware/protocols/kerong-cu48/codec.js';
import { boardsBehindMockPort, nextEvent, requestsIn, unlocksIn, expectUnplugRejectsAll, until } from '../helpers/hardware.js';

const silent = pino({ level: 'silent' });
const boards: BoardConfig[] = [
  { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
  { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 0 },
];
const opts: LockSystemOptions = {
  replyTimeoutMs: 30, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 5, offlineAfterMisses: 3,
  unlockMinIntervalMs: 200, unlockConfirmTimeoutMs: 400,
};

let n = 0;
let hw: LockSystem | undefined;
afterEach(async () => {
  await hw?.stop();
  hw = undefined;
});

interface Rig {
  hw: LockSystem;
  sim: SimulatedBus;
  port: () => MockPortBinding;
  written: () => Buffer;
}

async function rig(o: { echo?: boolean } = {}): Promise<Rig> {
  const sim = simulatedBusFor(boards, systemClock, 5);
  const path = `/dev/ttyURZ${n++}`;
  const { binding, ports } = boardsBehindMockPort(path, sim, o);
  const transport = new SerialTransport({ path, baudRate: 19200, binding, reconnectMinMs: 20, reconnectMaxMs: 40 }, systemClock, silent);
  hw = createLockSystem(transport, boards, opts, systemClock, silent);
  const online = Promise.all([0, 1].map((a) => nextEvent(hw!.poller, 'board-online', (e: { address: number }) => e.address === a)));
  await hw.start();
  await online;
  return { hw, sim, port: () => ports.at(-1)!, written: () => Buffer.concat(ports.map((p) => p.recording)) };
}

describe('bus against simulated boards over @serialport/binding-mock', () => {
  it('polls both families with the golden request bytes and reads their latches', async () => {
    const r = await rig();
    const hexes = requestsIn(r.written()).map((f) => f.raw.toString('hex'));
    expect(hexes).toContain('020000500355');
    expect(hexes).toContain('0210300345');
    expect(r.hw.poller.snapshot(0).latched?.every((l) => l)).toBe(true);
    expect(r.hw.poller.snapshot(1).latched).toHaveLength(16);
  });

  it('unlocks exactly the lock asked, once, and confirms the release by a poll', async () => {
    const r = await rig();
    await expect(r.hw.locks.unlock(0, 7)).resolves.toBe('released');
    await expect(r.hw.locks.unlock(1, 3)).resolves.toBe('released');
    expect(unlocksIn(r.written())).toEqual(['0/7', '1/3']);
    expect(r.sim.board(0).unlocks).toEqual([7]);
    expect(r.sim.board(1).unlocks).toEqual([3]);
    expect(requestsIn(r.written()).find((f) => f.kind === 'cu48-request' && f.command === 0x51)?.raw.toString('hex')).toBe('02000651035c');
  });

  it('reports a door shut and a door forced open as latch events', async () => {
    const r = await rig();
    await r.hw.locks.unlock(0, 9);
    const shut = nextEvent(r.hw.poller, 'latch', (c: { lock: number }) => c.lock === 9);
    r.sim.board(0).closeDoor(9);
    await expect(shut).resolves.toMatchObject({ address: 0, lock: 9, latched: true });
    const forced = nextEvent(r.hw.poller, 'latch', (c: { lock: number }) => c.lock === 12);
    r.sim.board(1).forceOpen(12);
    await expect(forced).resolves.toMatchObject({ address: 1, lock: 12, latched: false });
    expect(unlocksIn(r.written())).toEqual(['0/9']);
  });

  it('no reply: timeouts are counted, the board goes offline after N misses and online when it answers again', async () => {
    const r = await rig();
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === 1);
    r.sim.board(1).faults.noReply = true;
    await expect(offline).resolves.toMatchObject({ address: 1, misses: 3 });
    expect(r.hw.bus.stats.timeouts).toBeGreaterThanOrEqual(3 * 2); // each miss is a try and a retry
    expect(r.hw.poller.snapshot(0).online).toBe(true);
    const online = nextEvent(r.hw.poller, 'board-online', (e: { address: number }) => e.address === 1);
    r.sim.board(1).faults.noReply = false;
    await expect(online).resolves.toMatchObject({ address: 1 });
  });

  it('bad checksum: every reply is discarded and counted, and the board goes offline', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.discardedBytes;
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === 0);
    r.sim.board(0).faults.badChecksum = true;
    await offline;
    expect(r.hw.bus.stats.discardedBytes - before).toBeGreaterThanOrEqual(3 * 12);
    expect(r.hw.bus.log.recent().some((e) => e.dir === 'discard')).toBe(true);
  });

  it('truncated replies: discarded and counted, board offline, nothing misread', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.discardedBytes;
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number }) => e.address === 1);
    r.sim.board(1).faults.truncate = true;
    await offline;
    expect(r.hw.bus.stats.discardedBytes).toBeGreaterThan(before);
    expect(r.hw.poller.snapshot(1).latched?.every((l) => l)).toBe(true);
  });

  it('garbage before each reply: discarded and counted, the replies still come through', async () => {
    const r = await rig();
    r.sim.board(0).faults.garbage = true;
    const before = r.hw.bus.stats.discardedBytes;
    await r.hw.poller.nextStatus(0);
    await r.hw.poller.nextStatus(0);
    expect(r.hw.bus.stats.discardedBytes - before).toBeGreaterThanOrEqual(5);
    expect(r.hw.poller.snapshot(0).online).toBe(true);
    await expect(r.hw.locks.unlock(0, 2)).resolves.toBe('released');
    expect(unlocksIn(r.written())).toEqual(['0/2']);
  });

  it('slow replies beyond the timeout are reported as timeouts, and a late reply is not taken for another board', async () => {
    const r = await rig();
    const before = r.hw.bus.stats.timeouts;
    r.sim.board(0).faults.slowReplyMs = 45;
    await until(() => r.hw.bus.stats.timeouts > before, 5_000, 'a timeout');
    r.sim.board(1).forceOpen(1);
    await until(() => r.hw.poller.snapshot(1).latched?.[0] === false, 5_000, 'board 1 lock 1 released');
    // Board 0 answered late all along: its state must never have been read into board 1's.
    expect(r.hw.poller.snapshot(1).latched?.slice(1).every((l) => l)).toBe(true);
  });

  it('a CU48 with the other firmware (0x60/0x61, 18-byte 0x75 replies) is counted and reported as answering as kerong-cu48-60, not just offline', async () => {
    const r = await rig();
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number; reason: string }) => e.address === 0);
    r.sim.board(0).faults.otherFirmware = true;
    const e = await offline;
    expect(e.reason).toContain('answers as kerong-cu48-60');
    expect(r.hw.bus.stats.unclaimedReplies[0]?.['kerong-cu48-60']).toBeGreaterThanOrEqual(3 * 2); // each miss is a try and a retry
    expect(r.hw.bus.stats.unclaimedReplies[1]).toBeUndefined();
    expect(r.hw.poller.snapshot(0)).toMatchObject({ online: false, answersAs: 'kerong-cu48-60' });
    expect(r.hw.poller.snapshot(1)).toMatchObject({ online: true, answersAs: undefined });
    const online = nextEvent(r.hw.poller, 'board-online', (x: { address: number }) => x.address === 0);
    r.sim.board(0).faults.otherFirmware = false;
    await online;
    expect(r.hw.poller.snapshot(0)).toMatchObject({ online: true, answersAs: undefined });
  });

  it('a board that is simply silent is offline, with no word of a command set', async () => {
    const r = await rig();
    const offline = nextEvent(r.hw.poller, 'board-offline', (e: { address: number; reason: string }) => e.address === 0);
    r.sim.board(0).faults.offline = true;
    const e = await offline;
    expect(e.reason).not.toContain('answers as');
    expect(r.hw.poller.snapshot(0)).toMatchObject({ online: false, answersAs: undefined });
  });

  it('a CU16 that answers its unlock: the answer is counted, never read as a status, and the release confirmed by a poll', async () => {
    const r = await rig();
    r.sim.board(1).faults.answersUnlock = true;
    await expect(r.hw.locks.unlock(1, 5)).resolves.toBe('released');
    expect(r.hw.bus.stats.unlockReplies).toBe(1);
    expect(unlocksIn(r.written())).toEqual(['1/5']);
    expect(r.sim.board(1).unlocks).toEqual([5]);
  });

  it('a stuck latch: the unlock is sent once and reported not released', async () => {
    const r = await rig();
    r.sim.board(0).faults.stuckLatch = true;
    await expect(r.hw.locks.unlock(0, 3)).resolves.toBe('not-released');
    expect(unlocksIn(r.written())).toEqual(['0/3']);
    expect(r.sim.board(0).unlocks).toEqual([3]);
  });

  it('a board offline during an unlock: outcome unknown, and the command is not repeated', async () => {
    const r = await rig();
    r.sim.board(0).faults.offline = true;
    await expect(r.hw.locks.unlock(0, 4)).resolves.toBe('unknown');
    expect(unlocksIn(r.written())).toEqual(['0/4']);
    expect(r.sim.board(0).unlocks).toEqual([]);
  });

  it('our own transmission echoed back is recognised and ignored', async () => {
    const r = await rig({ echo: true });
    await until(() => r.hw.bus.stats.echoes >= 4, 5_000, 'echoes');
    await expect(r.hw.locks.unlock(0, 5)).resolves.toBe('released');
    expect(unlocksIn(r.written())).toEqual(['0/5']);
    expect(r.hw.poller.snapshot(0).online).toBe(true);
    expect(r.hw.poller.snapshot(1).online).toBe(true);
  });

  it('refuses a second unlock of the same lock within the minimum interval, sending nothing', async () => {
    const r = await rig();
    await r.hw.locks.unlock(0, 11);
    await expect(r.hw.locks.unlock(0, 11)).rejects.toMatchObject({ code: ErrorCodes.UnlockRateLimited });
    await expect(r.hw.locks.unlock(0, 60)).rejects.toMatchObject({ code: ErrorCodes.InvalidLock });
    await expect(r.hw.locks.unlock(7, 1)).rejects.toMatchObject({ code: ErrorCodes.UnknownBoard });
    expect(unlocksIn(r.written())).toEqual(['0/11']);
  });

  it('an unlock waits only for the transaction in flight, not for queued polls', async () => {
    const r = await rig();
    const order: string[] = [];
    r.hw.bus.on('tx', (b: Buffer) => order.push(b[3] === 0x51 ? 'unlock' : 'status'));
    const polls = Array.from({ length: 5 }, () => r.hw.bus.query(encodeCu48Status(0), (f) => f.kind === 'cu48-status', { priority: Priority.Maintenance }));
    const unlock = r.hw.locks.unlock(0, 20);
    await Promise.all([...polls, unlock]);
    expect(order.indexOf('unlock')).toBeLessThanOrEqual(2);
  });

  it('when the port closes, the request in flight and every queued one are rejected, then the line comes back', async () => {
    await expectUnplugRejectsAll(await rig(), 0, encodeCu48Status(0), (f) => f.kind === 'cu48-status');
  });
});
