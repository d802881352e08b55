import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { createLockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { BoardConfig } from '../../hardware/boards.js';
import { unlocksIn, until } from '../helpers/hardware.js';

const boards: BoardConfig[] = [
  { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
  { address: 1, protocol: 'kerong-cu48', locks: 48, latchedBit: 0 },
  { address: 2, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 },
];
const opts: LockSystemOptions = {
  replyTimeoutMs: 15, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 2, offlineAfterMisses: 3,
  unlockMinIntervalMs: 10_000, unlockConfirmTimeoutMs: 120,
};
const faultNames = ['noReply', 'badChecksum', 'truncate', 'garbage', 'stuckLatch', 'offline', 'slow', 'flaky'] as const;

describe('unlock safety under random faults (property)', () => {
  it('never unlocks a lock that was not asked, and never sends one request twice', async () => {
    const request = fc.integer({ min: 0, max: 2 }).chain((board) =>
      fc.record({ board: fc.constant(board), lock: fc.integer({ min: 1, max: board === 2 ? 16 : 48 }) }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(...faultNames)), { maxLength: 4 }),
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
            const sent = unlocksIn(Buffer.concat(written));
            // Every unlock on the wire was asked for, and none went out twice (a repeat request is rate-limited).
            expect([...sent].sort()).toEqual([...new Set(asked)].sort());
            const received = boards.flatMap((b) => sim.board(b.address).unlocks.map((l) => `${b.address}/${l}`));
            for (const k of received) expect(asked).toContain(k);
            expect(new Set(received).size).toBe(received.length);
          } finally {
            await hw.stop();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
