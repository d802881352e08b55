import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { CU16 } from '../../hardware/protocols/kerong-cu16/codec.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { runnableConfig, tempDir } from './fixtures.js';
import { until } from './until.js';

export interface KioskRig {
  readonly daemon: Daemon;
  readonly url: string;
  /** Every frame the simulated boards received, raw, in order. */
  readonly frames: Buffer[];
  /** The unlock commands among them, as hex. */
  unlockFrames(): string[];
  addStaff(id: string, pin: string): void;
  /** A pending authorization, as the office's feed would have delivered it. */
  addDocument(a: { id: string; phone: string; code: string; expiresAt?: string; size?: 'S' | 'M' | 'L'; documentType?: string }): void;
  /** Loads a pending document as staff would (through the core, door shut after); returns its compartment. */
  load(authorizationId: string): Promise<number>;
  /** Forgets the frames seen so far. */
  resetFrames(): void;
  /** Shuts a compartment's door on the simulated board, as a person would. */
  closeDoor(compartment: number): void;
  stop(): Promise<void>;
}

/**
 * The whole daemon in this process on simulated boards (a CU48 at 0 and a CU16 at 1, so both codecs are on the
 * wire), with its kiosk on a random loopback port, the office unreachable, and documents put straight into the
 * database as the feed would have.
 */
export async function startKioskRig(mutate: (raw: Record<string, any>) => void = () => undefined): Promise<KioskRig> {
  const t = tempDir('urz-kiosk-');
  const raw = runnableConfig(t.dir);
  raw.bus = { transport: 'simulated', pollIntervalMs: 20, unlockMinIntervalMs: 200, unlockConfirmTimeoutMs: 600 };
  raw.boards = [
    { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
    { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 },
  ];
  raw.compartments = [
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, board: 0, lock: id, size: id % 4 === 0 ? 'M' : 'S', low: id % 4 === 0 })),
    ...[9, 10, 11, 12].map((id) => ({ id, board: 1, lock: id - 8, size: 'L', low: id === 12 })),
  ];
  mutate(raw);
  const config = parseConfig(raw, t.dir);
  const daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), clock: systemClock });
  const key = Buffer.from(readFileSync(config.office.codeKeyFile, 'utf8').trim(), 'hex');
  const frames: Buffer[] = [];
  const unlocks: string[] = [];
  daemon.simBus!.on('request', (f) => {
    frames.push(Buffer.from(f.raw));
    if ((f.kind === 'cu48-request' && f.command === CU48.cmdUnlock) || (f.kind === 'cu16-request' && f.command === CU16.cmdUnlock)) unlocks.push(f.raw.toString('hex'));
  });
  const db = daemon.store.db;
  let loaderReady = false;
  const rig: KioskRig = {
    daemon,
    url: `http://127.0.0.1:${daemon.kiosk.port}/`,
    frames,
    unlockFrames: () => [...unlocks],
    addStaff(id, pin) {
      db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES (?, 'Anna Nowak', ?, '[\"loader\"]', 1, 1)").run(id, pinMac(key, id, pin));
    },
    addDocument(a) {
      db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, 0, 1)`).run(
        a.id, `USC.5361.${a.id}.2026`, a.documentType ?? 'odpis-skrocony-aktu-urodzenia', a.size ?? 'S', phoneMac(key, a.phone), codeMac(key, a.code),
        a.expiresAt ?? '2099-01-01T00:00:00Z');
    },
    async load(authorizationId): Promise<number> {
      const core = daemon.core;
      if (!loaderReady) {
        db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-LOADER', 'Loader', ?, '[\"loader\"]', 1, 1)").run(pinMac(key, 'S-LOADER', '9090'));
        loaderReady = true;
      }
      const login = core.staff.login('S-LOADER', '9090');
      if (login.status !== 200) throw new Error('loader login failed');
      const r = await core.staff.load(login.body.token, authorizationId);
      if (r.status !== 200) throw new Error(`load of ${authorizationId} failed: ${JSON.stringify(r.body)}`);
      const n = r.body.compartment;
      rig.closeDoor(n);
      await until(() => core.compartments.state(n) === 'occupied', 5_000, `compartment ${n} occupied`);
      core.staff.logout(login.body.token);
      // The next unlock of this lock must wait for the per-lock minimum interval.
      await new Promise((r) => setTimeout(r, config.bus.unlockMinIntervalMs));
      return n;
    },
    resetFrames() {
      frames.length = 0;
      unlocks.length = 0;
    },
    closeDoor(compartment) {
      const c = config.compartments.find((x) => x.id === compartment)!;
      daemon.simBus!.board(c.board).closeDoor(c.lock);
    },
    async stop() {
      await daemon.stop('test over');
      t.cleanup();
    },
  };
  return rig;
}
