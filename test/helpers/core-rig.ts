import { pino } from 'pino';
import { systemClock, type Clock } from '../../src/clock.js';
import { CompartmentJournal } from '../../src/core/compartment-journal.js';
import { CompartmentService } from '../../src/core/compartments.js';
import { CredentialCheck } from '../../src/core/credential-check.js';
import { PickupService } from '../../src/core/pickup.js';
import { StaffService } from '../../src/core/staff.js';
import { Authorizations } from '../../src/store/authorizations.js';
import { DocumentTypes } from '../../src/store/document-types.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { syncLayout } from '../../src/store/layout.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createLockSystem, type LockSystem, type LockSystemOptions } from '../../hardware/lock-system.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import type { BoardConfig } from '../../hardware/boards.js';
import type { CompartmentConfig } from '../../src/config/schema.js';
import { until } from './until.js';
import { insertAuthorization, testKey } from './store-fixtures.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';

export const rigBoards: BoardConfig[] = [{ address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }];
export const rigLayout: CompartmentConfig[] = [1, 2, 3, 4].map((id) => ({ id, board: 0, lock: id, size: id === 4 ? 'L' : 'S', low: id === 3 }));
export const contractLimits = { phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5, deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100 };
const timings = { replyTimeoutMs: 30, interFrameGapMs: 1, statusRetries: 1, pollIntervalMs: 5, offlineAfterMisses: 3, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 200 };

export interface CoreRig {
  readonly dir: string;
  readonly store: Store;
  readonly sim: SimulatedBus;
  readonly hw: LockSystem;
  readonly compartments: CompartmentService;
  readonly check: CredentialCheck;
  readonly pickup: PickupService;
  readonly staff: StaffService;
  stop(): Promise<void>;
}

/**
 * The locker's core on simulated boards (real codec, simulated wire), with its database in `dir`. The wire runs at
 * `overrides.baudRate` when given (a family's own speed), else fast, for tests that do not look at its timing.
 */
export async function startCore(
  dir: string, sim: SimulatedBus, clock: Clock = systemClock, overrides: Partial<LockSystemOptions> & { doorOpenLimitMs?: number } = {},
  layout: CompartmentConfig[] = rigLayout, boards: BoardConfig[] = rigBoards,
): Promise<CoreRig> {
  const { doorOpenLimitMs = 60_000, ...busOverrides } = overrides;
  const silent = pino({ level: process.env.RIG_LOG ?? 'silent' }); // RIG_LOG=warn shows what the core reports
  const store = openStore(dir, clock);
  syncLayout(store.db, layout, store.audit, clock);
  const hw = createLockSystem(new SimulatedTransport(sim, { baudRate: busOverrides.baudRate ?? 115_200, replyDelayMs: 1 }, systemClock), boards, { ...timings, ...busOverrides }, systemClock, silent);
  await hw.start();
  await until(() => hw.poller.snapshot(boards[0]!.address).online !== undefined, 3_000, 'first poll');
  const compartments = new CompartmentService({
    db: store.db, journal: new CompartmentJournal(store.db, store.audit, store.outbox, clock), hardware: hw, layout,
    clock, logger: silent, doorOpenLimitMs, openTimeoutMs: 5_000,
  });
  compartments.start();
  const check = new CredentialCheck({
    db: store.db, authorizations: new Authorizations(store.db), guesses: new GuessStore(store.db, clock, 'boot-test'),
    outbox: store.outbox, audit: store.audit, codeKey: testKey, limits: contractLimits, clock, lockerId: 'czestochowa-focha-1',
  });
  const documentTypes = new DocumentTypes(store.db);
  const staff = new StaffService({
    db: store.db, authorizations: new Authorizations(store.db), documentTypes, compartments, layout,
    guesses: new GuessStore(store.db, clock, 'boot-test'), audit: store.audit, outbox: store.outbox, codeKey: testKey, limits: contractLimits, clock, idleLimitMs: 500,
  });
  const pickup = new PickupService({ db: store.db, documentTypes, check, compartments, audit: store.audit, outbox: store.outbox, clock });
  return {
    dir, store, sim, hw, compartments, check, pickup, staff,
    async stop() {
      compartments.stop();
      await hw.stop();
      store.close();
    },
  };
}

/** The office's events in the outbox, as {type, data}. */
export function outboxEvents(store: Store): { type: string; data: Record<string, unknown> }[] {
  return store.outbox.pending(10_000).map((e) => {
    const { type, data } = JSON.parse(e.body) as { type: string; data: Record<string, unknown> };
    return { type, data };
  });
}

/** Puts a loaded document in a compartment as a finished load would have. */
export function markLoaded(store: Store, compartment: number): void {
  store.db.prepare("UPDATE compartment SET state = 'occupied' WHERE id = ?").run(compartment);
}

/**
 * A locker with document A-1 (phone 600100200, code 12345678) loaded in compartment 2 (and `extra` stored too),
 * restarted so that its machines were rebuilt knowing it, with its board online.
 */
export async function startCoreWithDocument(dir: string, extra?: Parameters<typeof insertAuthorization>[1]): Promise<CoreRig> {
  const sim = simulatedBusFor(rigBoards, systemClock, 5);
  const first = await startCore(dir, sim);
  insertAuthorization(first.store.db, { id: 'A-1', phone: '600100200', code: '12345678', status: 'loaded', compartment: 2 });
  markLoaded(first.store, 2);
  if (extra !== undefined) insertAuthorization(first.store.db, extra);
  await first.stop();
  const r = await startCore(dir, sim);
  await until(() => r.hw.poller.snapshot(0).online === true, 3_000, 'online');
  return r;
}
