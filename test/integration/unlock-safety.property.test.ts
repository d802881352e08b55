import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { createLockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { BoardConfig } from '../../hardware/boards.js';
import { unlocksIn, until } from '../helpers/hardware.js';

const opts: LockSystemOptions = {
  replyTimeoutMs: 15, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 2, offlineAfterMisses: 3,
  unlockMinIntervalMs: 10_000, unlockConfirmTimeoutMs: 120,
};

/**
 * One bus per line speed, three boards each, every family on one of them. Buses whose boards may answer an unlock
 * keep quiet for the answer window after one, so their confirmation waits longer (as the config requires).
 */
const buses: { name: string; boards: BoardConfig[]; opts: LockSystemOptions; numRuns: number }[] = [
  {
    name: 'Kerong CU48 and CU16',
    boards: [
      { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
      { address: 1, protocol: 'kerong-cu48', locks: 48, latchedBit: 0 },
      { address: 2, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 },
    ],
    opts,
    numRuns: 40,
  },
  {
    name: 'Kerong CU48 0x60 and CU16',
    boards: [
      { address: 0, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1 },
      { address: 1, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 0 },
      { address: 2, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 },
    ],
    opts: { ...opts, unlockAnswerWindowMs: 100, unlockConfirmTimeoutMs: 220 },
    numRuns: 25,
  },
  {
    name: 'xor-8a',
    boards: [
      { address: 1, protocol: 'xor-8a', locks: 24, latchedBit: 1 },
      { address: 2, protocol: 'xor-8a', locks: 8, latchedBit: 0 },
      { address: 3, protocol: 'xor-8a', locks: 16, latchedBit: 1 },
    ],
    opts: { ...opts, unlockAnswerWindowMs: 100, unlockConfirmTimeoutMs: 220 },
    numRuns: 25,
  },
];
const faultNames = ['noReply', 'badChecksum', 'truncate', 'garbage', 'stuckLatch', 'offline', 'slow', 'flaky'] as const;

describe.each(buses)('unlock safety under random faults (property): $name', ({ boards, opts, numRuns }) => {
  it('never unlocks a lock that was not asked, and never sends one request twice', async () => {
    const family = boards[0]!.protocol;
    const request = fc.constantFrom(...boards).chain((board) =>
      fc.record({ board: fc.constant(board.address), lock: fc.integer({ min: 1, max: board.locks }) }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.constantFrom(...boards.map((b) => b.address)), fc.constantFrom(...faultNames)), { maxLength: 4 }),
        fc.boolean(),
        async (requests, faults, echo) => {
          const sim = simulatedBusFor(boards, systemClock, 2);
          sim.faults.echo = echo;
          const hw = createLockSystem(new SimulatedTransport(sim, { baudRate: 115_200, replyDelayMs: 1 }, systemClock), boards, opts, systemClock, pino({ level: 'silent' }));
          const written: Buffer[] = [];
          hw.bus.on('tx', (b) => written.push(Buffer.from(b)));
          await hw.start();
          try {
            await until(() => boards.every((b) => hw.poller.snapshot(b.address).online !== undefined), 2_000, 'first polls');
            for (const [address, name] of faults) {
              const f = sim.board(address).faults;
              if (name === 'slow') f.slowReplyMs = 25;
              else if (name === 'flaky') Object.assign(f, { dropRate: 0.3, corruptRate: 0.2, delayRate: 0.2, delayMs: 20 });
              else f[name] = true;
            }
            const asked: string[] = [];
            // Half of the requests at once, to contend for the bus.
            await Promise.all(requests.map(async (r, i) => {
              if (i % 2 === 1) await new Promise((res) => setTimeout(res, 5));
              const key = `${r.board}/${r.lock}`;
              try {
                await hw.locks.unlock(r.board, r.lock);
                asked.push(key);
              } catch (e) {
                const code = (e as { code?: string }).code;
                if (code !== 'UNLOCK_RATE_LIMITED') throw e;
              }
            }));
            const sent = unlocksIn(Buffer.concat(written), family);
            // Every unlock on the wire was asked for, and none went out twice (a repeat request is rate-limited).
            expect([...sent].sort()).toEqual([...new Set(asked)].sort());
            const received = boards.flatMap((b) => sim.board(b.address).unlocks.map((l) => `${b.address}/${l}`));
            for (const k of received) expect(asked).toContain(k);
            expect(new Set(received).size).toBe(received.length);
            expect(sim.forbiddenFrames).toBe(0);
          } finally {
            await hw.stop();
            sim.stop();
          }
        },
      ),
      { numRuns },
    );
  }, 120_000);
});
