/**
 * Bus benchmark (issues 3 and 17): simulated boards on the simulated bus, whose transport models the wire time of
 * every byte and the boards' reply delay. Prints figures as ratios to the physical limit, because this machine is
 * shared and noisy.
 *
 * 1. The poll cycle of each board family, each at its own line speed with a realistic number of boards, against
 *    the wire-time limit computed from that family's own request and reply lengths (taken from its codec's
 *    encoders, and checked against the bytes counted on the simulated wire).
 * 2. For 4 CU48 boards at 19200 baud: the poll cycle and the unlock latency for several inter-frame gaps.
 *
 * `npm run bench` runs it with the others; `npx tsx test/bench/bus.bench.ts` alone (`--families` for part 1 only).
 */
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { createLockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { wireMs } from '../../hardware/transport/transport.js';
import type { BoardConfig } from '../../hardware/boards.js';
import { PROTOCOL_BAUD, type BoardProtocol } from '../../hardware/protocols/index.js';
import { CU48, encodeCu48Status, encodeCu48StatusReply } from '../../hardware/protocols/kerong-cu48/codec.js';
import { encodeCu16Status, encodeCu16StatusReply } from '../../hardware/protocols/kerong-cu16/codec.js';
import { encodeCu4860Status, encodeCu4860StatusReply } from '../../hardware/protocols/kerong-cu48-60/codec.js';
import { XOR_8A, encodeXorReadAll, encodeXorStatusReply } from '../../hardware/protocols/xor-8a/codec.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { f1, quantile } from './stats.js';

const replyDelayMs = 3;
/** A poll cycle within this multiple of its wire-time limit is good enough (gaps and timers cost the rest). */
const cycleGoal = 1.3;
const defaultGapMs = simulationConfig().bus.interFrameGapMs;

/** One status transaction of a board as its codec writes it: the request we send and the reply it gives. */
function statusFrames(b: BoardConfig): { request: Buffer; reply: Buffer } {
  switch (b.protocol) {
    case 'kerong-cu48': return { request: encodeCu48Status(b.address), reply: encodeCu48StatusReply(b.address, []) };
    case 'kerong-cu16': return { request: encodeCu16Status(b.address), reply: encodeCu16StatusReply(b.address, []) };
    case 'kerong-cu48-60': return { request: encodeCu4860Status(b.address), reply: encodeCu4860StatusReply(b.address, { latched: [] }) };
    case 'xor-8a': return { request: encodeXorReadAll(b.address), reply: encodeXorStatusReply(b.address, [], b.statusBytes ?? XOR_8A.defaultStatusBytes) };
  }
}

/** The wire-time limit of one poll cycle over `boards` at `baud`: every request and reply back to back, plus each board's reply delay. */
function cycleLimit(boards: readonly BoardConfig[], baud: number): { requestBytes: number; replyBytes: number; bytes: number; limitMs: number } {
  let requestBytes = 0, replyBytes = 0;
  for (const b of boards) {
    const f = statusFrames(b);
    requestBytes += f.request.length;
    replyBytes += f.reply.length;
  }
  const bytes = requestBytes + replyBytes;
  return { requestBytes, replyBytes, bytes, limitMs: wireMs(bytes, baud) + boards.length * replyDelayMs };
}

const board = (protocol: BoardProtocol, address: number, locks: number, extra: Partial<BoardConfig> = {}): BoardConfig =>
  ({ address, protocol, locks, latchedBit: 1, ...extra });

/** A realistic bus of each family: about 48-150 compartments, as lockers are built with that board. */
export const familyBuses: readonly { readonly family: BoardProtocol; readonly boards: readonly BoardConfig[] }[] = [
  { family: 'kerong-cu48', boards: [0, 1, 2].map((a) => board('kerong-cu48', a, 48)) },
  { family: 'kerong-cu16', boards: [0, 1, 2].map((a) => board('kerong-cu16', a, 16)) },
  { family: 'kerong-cu48-60', boards: [0, 1, 2].map((a) => board('kerong-cu48-60', a, 48)) },
  { family: 'xor-8a', boards: [1, 2, 3, 4, 5, 6].map((a) => board('xor-8a', a, 24, { statusBytes: XOR_8A.defaultStatusBytes })) },
];

/** Simulated `boards` behind a transport that models wire time at `baud`; polls back to back. */
function rig(boards: readonly BoardConfig[], baud: number, gapMs: number) {
  const opts: LockSystemOptions = {
    replyTimeoutMs: 100, interFrameGapMs: gapMs, statusRetries: 1, pollIntervalMs: 0, offlineAfterMisses: 3,
    unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 1500, baudRate: baud,
  };
  const sim = simulatedBusFor(boards, systemClock, 20);
  const hw = createLockSystem(new SimulatedTransport(sim, { baudRate: baud, replyDelayMs }, systemClock), boards, opts, systemClock, pino({ level: 'silent' }));
  return { sim, hw };
}

/** Poll cycle times (after 5 warm-up cycles), and the bytes that crossed the wire in each cycle, both ways. */
async function pollCycle(boards: readonly BoardConfig[], baud: number, gapMs: number, cycles: number): Promise<{ times: number[]; bytes: number[] }> {
  const { sim, hw } = rig(boards, baud, gapMs);
  const times: number[] = [];
  const bytes: number[] = [];
  let onWire = 0;
  hw.bus.on('tx', (b) => void (onWire += b.length));
  hw.transport.on('data', (b) => void (onWire += b.length));
  await new Promise<void>((resolve) => {
    hw.poller.on('cycle', ({ ms }) => {
      times.push(ms);
      bytes.push(onWire);
      onWire = 0;
      if (times.length >= cycles + 5) resolve();
    });
    void hw.start();
  });
  await hw.stop();
  sim.stop();
  return { times: times.slice(5), bytes: bytes.slice(5) };
}

async function unlockLatency(boards: readonly BoardConfig[], gapMs: number, samples: number): Promise<number[]> {
  const { sim, hw } = rig(boards, 19_200, gapMs);
  await hw.start();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    // A random moment of a busy poll cycle.
    await new Promise((r) => setTimeout(r, 3 + Math.random() * 25));
    const address = i % boards.length;
    const lock = (Math.floor(i / boards.length) % 48) + 1;
    const t0 = systemClock.monoMs();
    const written = new Promise<number>((resolve) => {
      const on = (bytes: Buffer, at: number): void => {
        if (bytes[3] === CU48.cmdUnlock && bytes[1] === address) {
          hw.bus.off('tx', on);
          resolve(at);
        }
      };
      hw.bus.on('tx', on);
    });
    const done = hw.locks.unlock(address, lock);
    out.push((await written) - t0);
    await done;
    sim.board(address).closeDoor(lock);
  }
  await hw.stop();
  sim.stop();
  return out;
}

/** Part 1: each family's poll cycle against its own wire-time limit. */
export async function familyPollBenchmark(cycles = 200): Promise<void> {
  console.log(`# poll cycle per board family (inter-frame gap ${defaultGapMs} ms, simulated reply delay ${replyDelayMs} ms, ${cycles} cycles each)`);
  console.log('limit = the wire time of every status request and reply of one cycle at the family\'s baud rate, + the reply delay per board;');
  console.log('frame lengths from the codecs\' encoders, and the bytes counted on the simulated wire must agree with them.');
  console.log(`+ gaps = the limit with the ${defaultGapMs} ms of silence the bus keeps after every transaction: what is left over that is the program's own cost.\n`);
  console.log('| family | baud | boards | bytes per poll (requests + replies) | counted on the wire | wire-time limit per cycle | cycle p50 | cycle p99 | p50 / limit | p99 / limit | goal p50 / limit | limit + gaps | p50 / (limit + gaps) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  let ok = true;
  for (const { family, boards } of familyBuses) {
    const baud = PROTOCOL_BAUD[family];
    const limit = cycleLimit(boards, baud);
    const withGaps = limit.limitMs + boards.length * defaultGapMs;
    const r = await pollCycle(boards, baud, defaultGapMs, cycles);
    const p50 = quantile(r.times, 0.5);
    const p99 = quantile(r.times, 0.99);
    const counted = quantile(r.bytes, 0.5);
    const met = p50 / limit.limitMs <= cycleGoal;
    if (counted !== limit.bytes || !met) ok = false;
    const locks = boards.reduce((n, b) => n + b.locks, 0);
    console.log(`| ${family} | ${baud} | ${boards.length} (${locks} locks) | ${limit.bytes} (${limit.requestBytes} + ${limit.replyBytes}) | ${counted}${counted === limit.bytes ? '' : ' MISMATCH'} | ${f1(limit.limitMs)} ms | ${f1(p50)} ms | ${f1(p99)} ms | ${(p50 / limit.limitMs).toFixed(2)}x | ${(p99 / limit.limitMs).toFixed(2)}x | <= ${cycleGoal.toFixed(2)}x ${met ? 'met' : 'MISSED'} | ${f1(withGaps)} ms | ${(p50 / withGaps).toFixed(2)}x |`);
  }
  console.log(ok ? '\nevery family within its goal\n' : '\nGOAL MISSED by a family, or the bytes on the wire differ from the codecs\' lengths\n');
}

/** Part 2: 4 CU48 boards, the inter-frame gap swept, with the unlock latency. */
export async function gapBenchmark(): Promise<void> {
  const baud = PROTOCOL_BAUD['kerong-cu48'];
  const boards = [0, 1, 2, 3].map((a) => board('kerong-cu48', a, 48));
  const { bytes, limitMs } = cycleLimit(boards, baud);
  const oneTransactionMs = limitMs / boards.length;
  console.log(`# bus benchmark: ${boards.length} x CU48 at ${baud} baud, simulated reply delay ${replyDelayMs} ms`);
  console.log(`one status transaction on the wire: ${f1(wireMs(bytes / boards.length, baud))} ms (+${replyDelayMs} ms reply delay) = ${f1(oneTransactionMs)} ms`);
  console.log(`physical limit of one poll cycle over ${boards.length} boards: ${f1(limitMs)} ms\n`);
  console.log('| inter-frame gap | cycle p50 | cycle p90 | p50 / limit | goal | unlock→first byte p50 | p99 | max | goal (1 transaction + 5 ms) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const gap of [5, 3, 2, 0]) {
    const { times } = await pollCycle(boards, baud, gap, 200);
    const lat = await unlockLatency(boards, gap, 200);
    const p50 = quantile(times, 0.5);
    const label = gap === defaultGapMs ? `${gap} ms (default)` : `${gap} ms`;
    console.log(`| ${label} | ${f1(p50)} ms | ${f1(quantile(times, 0.9))} ms | ${(p50 / limitMs).toFixed(2)}x | <= ${cycleGoal.toFixed(2)}x | ${f1(quantile(lat, 0.5))} ms | ${f1(quantile(lat, 0.99))} ms | ${f1(Math.max(...lat))} ms | < ${f1(oneTransactionMs + 5)} ms |`);
  }
}

export async function busBenchmark(): Promise<void> {
  await familyPollBenchmark();
  await gapBenchmark();
}

if (process.argv[1]?.endsWith('bus.bench.ts')) {
  if (process.argv.includes('--families')) await familyPollBenchmark();
  else await busBenchmark();
}
