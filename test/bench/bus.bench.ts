/**
 * Bus benchmark (issue 3): 4 CU48 boards at 19200 baud on the simulated bus, whose transport models the
 * wire time of every byte and the boards' reply delay. Prints figures as ratios to the physical limit,
 * because this machine is shared and noisy.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { createLockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { wireMs } from '../../hardware/transport/transport.js';
import type { BoardConfig } from '../../hardware/boards.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { f1, quantile } from './stats.js';

const baud = 19_200;
const replyDelayMs = 3;
const boards: BoardConfig[] = [0, 1, 2, 3].map((address) => ({ address, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }));
const statusTxMs = wireMs(6 + 12, baud); // request + reply
const oneTransactionMs = statusTxMs + replyDelayMs;
const cycleLimitMs = boards.length * oneTransactionMs;


/** Four simulated CU48 boards behind a transport that models wire time; polls back to back. */
function rig(gapMs: number) {
  const opts: LockSystemOptions = {
    replyTimeoutMs: 100, interFrameGapMs: gapMs, statusRetries: 1, pollIntervalMs: 0, offlineAfterMisses: 3,
    unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 1500,
  };
  const sim = simulatedBusFor(boards, systemClock, 20);
  const hw = createLockSystem(new SimulatedTransport(sim, { baudRate: baud, replyDelayMs }, systemClock), boards, opts, systemClock, pino({ level: 'silent' }));
  return { sim, hw };
}

async function pollCycle(gapMs: number, cycles: number): Promise<number[]> {
  const { hw } = rig(gapMs);
  const times: number[] = [];
  await new Promise<void>((resolve) => {
    hw.poller.on('cycle', ({ ms }) => {
      times.push(ms);
      if (times.length >= cycles + 5) resolve();
    });
    void hw.start();
  });
  await hw.stop();
  return times.slice(5); // warm-up
}

async function unlockLatency(gapMs: number, samples: number): Promise<number[]> {
  const { sim, hw } = rig(gapMs);
  await hw.start();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    // A random moment of a busy poll cycle.
    await new Promise((r) => setTimeout(r, 3 + Math.random() * 25));
    const board = i % 4;
    const lock = (Math.floor(i / 4) % 48) + 1;
    const t0 = systemClock.monoMs();
    const written = new Promise<number>((resolve) => {
      const on = (bytes: Buffer, at: number): void => {
        if (bytes[3] === CU48.cmdUnlock && bytes[1] === board) {
          hw.bus.off('tx', on);
          resolve(at);
        }
      };
      hw.bus.on('tx', on);
    });
    const done = hw.locks.unlock(board, lock);
    out.push((await written) - t0);
    await done;
    sim.board(board).closeDoor(lock);
  }
  await hw.stop();
  return out;
}

export async function busBenchmark(): Promise<void> {
  console.log(`# bus benchmark: ${boards.length} x CU48 at ${baud} baud, simulated reply delay ${replyDelayMs} ms`);
  console.log(`one status transaction on the wire: ${f1(statusTxMs)} ms (+${replyDelayMs} ms reply delay) = ${f1(oneTransactionMs)} ms`);
  console.log(`physical limit of one poll cycle over ${boards.length} boards: ${f1(cycleLimitMs)} ms\n`);
  console.log('| inter-frame gap | cycle p50 | cycle p90 | p50 / limit | goal | unlock→first byte p50 | p99 | max | goal (1 transaction + 5 ms) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const gap of [5, 3, 2, 0]) {
    const cycles = await pollCycle(gap, 200);
    const lat = await unlockLatency(gap, 200);
    const p50 = quantile(cycles, 0.5);
    const label = gap === simulationConfig().bus.interFrameGapMs ? `${gap} ms (default)` : `${gap} ms`;
    console.log(`| ${label} | ${f1(p50)} ms | ${f1(quantile(cycles, 0.9))} ms | ${(p50 / cycleLimitMs).toFixed(2)}x | <= 1.30x | ${f1(quantile(lat, 0.5))} ms | ${f1(quantile(lat, 0.99))} ms | ${f1(Math.max(...lat))} ms | < ${f1(oneTransactionMs + 5)} ms |`);
  }
}

