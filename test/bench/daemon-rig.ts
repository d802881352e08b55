/**
 * The daemon as src/main.ts composes it, in this process, for the latency benchmarks: the same four CU48
 * boards as bus.bench.ts (so cycle figures compare with its table), all 192 locks as compartments, and
 * loaded documents written to the database before start, because compartment machines are rebuilt from the
 * database only at start. The simulated transport runs at 19200 baud with the config's board reply delay.
 */
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { syncLayout } from '../../src/store/layout.js';
import { openStore } from '../../src/store/store.js';
import { encodeCu48Status, encodeCu48StatusReply, encodeCu48Unlock } from '../../hardware/protocols/kerong-cu48/codec.js';
import { wireMs } from '../../hardware/transport/transport.js';
import { markLoaded } from '../helpers/core-rig.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';

/** main.ts builds the simulated transport at this speed whatever the config says. */
export const baud = 19_200;
export const benchBoards = [0, 1, 2, 3].map((address) => ({ address, protocol: 'kerong-cu48' as const, locks: 48, latchedBit: 1 as const }));
export const benchCompartments = benchBoards.flatMap((b) => Array.from({ length: 48 }, (_, i) => ({ id: b.address * 48 + i + 1, board: b.address, lock: i + 1, size: 'S' as const })));

/** The simulated bus's defaults (schema.ts), so the figures follow what the daemon runs with. */
const sim = simulationConfig().bus;
if (sim.transport !== 'simulated') throw new Error('the built-in simulation config is not simulated');
export const busDefaults = sim;

const statusMs = wireMs(encodeCu48Status(0).length + encodeCu48StatusReply(0, new Array<number>(48).fill(1)).length, baud);
/** One status poll as the line carries it: request and reply on the wire plus the board's reply delay. */
const transactionMs = statusMs + busDefaults.boardReplyDelayMs;
/** Wire figures from the production encoders, not from remembered frame lengths. */
export const wire = {
  unlockFrameMs: wireMs(encodeCu48Unlock(0, 1).length, baud),
  statusMs,
  transactionMs,
  /** Every board read once, back to back, with nothing but wire time and reply delays. */
  cycleMs: benchBoards.length * transactionMs,
};

export interface BenchDoc {
  readonly phone: string;
  readonly code: string;
  readonly compartment: number;
  readonly board: number;
  readonly lock: number;
}

export interface BenchDaemon {
  readonly daemon: Daemon;
  readonly docs: readonly BenchDoc[];
  post(path: string, body: unknown): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

export async function startBenchDaemon(o: { pollIntervalMs: number; documents: number }): Promise<BenchDaemon> {
  if (o.documents > benchCompartments.length) throw new RangeError(`at most ${benchCompartments.length} documents`);
  const t = tempDir('urz-bench-');
  const raw = runnableConfig(t.dir);
  raw.bus = { transport: 'simulated', pollIntervalMs: o.pollIntervalMs };
  raw.boards = benchBoards;
  raw.compartments = benchCompartments;
  const config = parseConfig(raw, t.dir);
  // The fixtures' MACs use testKey; the daemon must check codes with the same key.
  writeFileSync(config.office.codeKeyFile, testKey.toString('hex') + '\n');
  mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config.dataDir, systemClock);
  syncLayout(store.db, config.compartments, store.audit, systemClock);
  const docs = benchCompartments.slice(0, o.documents).map((c, i): BenchDoc => {
    const doc = { phone: `6${String(i).padStart(8, '0')}`, code: String(10_000_000 + i), compartment: c.id, board: c.board, lock: c.lock };
    insertAuthorization(store.db, { id: `B-${i}`, phone: doc.phone, code: doc.code, compartment: c.id, expiresAt: '2099-01-01T00:00:00Z' });
    markLoaded(store, c.id);
    return doc;
  });
  store.close();
  const daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), clock: systemClock, env: {} });
  // A kiosk keeps its connection open; a fresh TCP handshake per press is not what is being measured.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    daemon,
    docs,
    post: (path, body) => new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request({ host: '127.0.0.1', port: daemon.kiosk.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(data);
    }),
    async stop() {
      agent.destroy();
      await daemon.stop('benchmark over');
      t.cleanup();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
