import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createLockSystem, type LockSystem, type LockSystemOptions } from '../../../hardware/lock-system.js';
import type { BoardConfig } from '../../../hardware/boards.js';
import type { BusFrame } from '../../../hardware/protocols/index.js';
import { encodeCu16Status, encodeCu16Unlock } from '../../../hardware/protocols/kerong-cu16/codec.js';
import { encodeCu48Status, encodeCu48Unlock } from '../../../hardware/protocols/kerong-cu48/codec.js';
import type { SimulatedBus } from '../../../hardware/sim/sim-bus.js';
import { SimulatedTransport } from '../../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../../hardware/sim/simulated-boards.js';
import { wireMs } from '../../../hardware/transport/transport.js';
import { ManualClock } from '../../helpers/manual-clock.js';

/**
 * The bus's timing, on the injected clock: simulated boards behind the in-process transport, whose write
 * resolves at once, as a TCP socket's does (the kernel took the bytes; the bridge has not sent them yet).
 */
const silent = pino({ level: 'silent' });

interface Rig {
  clock: ManualClock;
  sim: SimulatedBus;
  hw: LockSystem;
  tx: { hex: string; at: number }[];
  rx: { hex: string; at: number }[];
  /** Moves the clock in small steps, letting the promises the timers settle run in between. */
  run(ms: number): Promise<void>;
}

async function rig(boards: BoardConfig[], opts: Partial<LockSystemOptions>, line: { baudRate: number; replyDelayMs: number }): Promise<Rig> {
  const clock = new ManualClock();
  const sim = simulatedBusFor(boards, clock, 5);
  const transport = new SimulatedTransport(sim, line, clock);
  const all: LockSystemOptions = {
    replyTimeoutMs: 50, interFrameGapMs: 2, statusRetries: 0, pollIntervalMs: 10, offlineAfterMisses: 3,
    unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 500, ...opts,
  };
  const hw = createLockSystem(transport, boards, all, clock, silent);
  const tx: Rig['tx'] = [];
  const rx: Rig['rx'] = [];
  hw.bus.on('tx', (b: Buffer, at: number) => tx.push({ hex: b.toString('hex'), at }));
  hw.bus.on('frame', (f: BusFrame) => rx.push({ hex: f.raw.toString('hex'), at: clock.monoMs() }));
  await transport.start(); // the poller stays off: each test queues exactly the frames it looks at
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    clock, sim, hw, tx, rx,
    async run(ms) {
      for (let t = 0; t < ms; t += 0.25) {
        clock.advance(0.25);
        await flush();
      }
    },
  };
}

const cu16: BoardConfig[] = [{ address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 0 }];
const cu48: BoardConfig[] = [{ address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }];

describe('a CU16 that answers an unlock', () => {
  it('keeps the bus quiet until the answer, counts it, and sends the next frame only after it', async () => {
    const r = await rig(cu16, { replyTimeoutMs: 50, interFrameGapMs: 2 }, { baudRate: 19_200, replyDelayMs: 3 });
    r.sim.board(1).faults.answersUnlock = true;
    const board = r.hw.boards[0]!;
    const unlocked = board.unlock(3);
    const status = board.status();
    await r.run(100);
    await unlocked;
    const s = await status;
    expect(r.tx.map((t) => t.hex)).toEqual([encodeCu16Unlock(1, 3).toString('hex'), encodeCu16Status(1).toString('hex')]);
    const answer = r.rx.find((f) => f.hex.startsWith('021235'));
    expect(answer, 'the board answered the unlock').toBeDefined();
    expect(r.hw.bus.stats.unlockReplies).toBe(1);
    // Talking while the board answers would collide on the pair: the poll waits for the answer, then the gap.
    expect(r.tx[1]!.at).toBeGreaterThanOrEqual(answer!.at + 2);
    // The status is the board's real one (lock 3 released), not the unlock's answer.
    expect(s.latched[2]).toBe(false);
    expect(s.latched.filter((l) => !l)).toHaveLength(1);
  });

  it('an answer that comes after the window (02 12 35 …) is never taken for board 1’s status', async () => {
    const r = await rig(cu16, { replyTimeoutMs: 50, interFrameGapMs: 2, statusRetries: 1 }, { baudRate: 19_200, replyDelayMs: 3 });
    r.sim.board(1).faults.answersUnlock = true;
    r.sim.board(1).faults.unlockReplyDelayMs = 60; // later than the 50 ms window
    const board = r.hw.boards[0]!;
    const unlocked = board.unlock(3);
    const status = board.status();
    await r.run(300);
    await unlocked;
    const s = await status;
    const answer = r.rx.find((f) => f.hex.startsWith('021235'));
    expect(answer, 'the late answer reached the bus').toBeDefined();
    expect(r.tx[1]!.at, 'the status request was waiting when the late answer came').toBeLessThan(answer!.at);
    expect(r.hw.bus.stats.unlockReplies).toBe(0);
    expect(r.hw.bus.stats.unsolicited).toBeGreaterThanOrEqual(1);
    expect(s.latched[2]).toBe(false);
  });
});

describe('wire time before the inter-frame gap', () => {
  it('with a write that resolves at once (a TCP socket), the next frame starts no sooner than the wire time of the last one plus the gap', async () => {
    // 1200 baud: 6 bytes take 50 ms on the RS-485 side, far more than the 3 ms gap.
    const r = await rig(cu48, { interFrameGapMs: 3, replyTimeoutMs: 1_000, baudRate: 1_200 }, { baudRate: 1_200, replyDelayMs: 3 });
    const board = r.hw.boards[0]!;
    const unlocked = board.unlock(5);
    const status = board.status();
    await r.run(600);
    await unlocked;
    await status;
    expect(r.tx.map((t) => t.hex)).toEqual([encodeCu48Unlock(0, 5).toString('hex'), encodeCu48Status(0).toString('hex')]);
    expect(r.tx[1]!.at - r.tx[0]!.at).toBeGreaterThanOrEqual(wireMs(6, 1_200) + 3);
  });
});
