import { EventEmitter } from 'node:events';
import { createActor, type Actor } from 'xstate';
import { bootId } from '../boot-id.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { Authorizations } from '../store/authorizations.js';
import { DocumentTypes } from '../store/document-types.js';
import { GuessStore } from '../store/guess-store.js';
import type { Store } from '../store/store.js';
import type { GpioPort } from '../../hardware/gpio/port.js';
import type { LockSystem } from '../../hardware/lock-system.js';
import { lockerMachine, lockerMode, type LockerMode } from '../../state-machines/locker.js';
import { CompartmentJournal } from './compartment-journal.js';
import { CompartmentService } from './compartments.js';
import { CredentialCheck, type PickupCredentials } from './credential-check.js';
import { PickupService, type Authorized, type PickupAnswer } from './pickup.js';
import { receiptFor, receiptSvg, type Receipt } from './receipt.js';
import { StaffService } from './staff.js';

export interface LockerCoreDeps {
  readonly config: Config;
  readonly store: Store;
  readonly hardware: LockSystem;
  readonly gpio: GpioPort | undefined;
  readonly codeKey: Buffer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The time expiry is judged by; the trusted clock's conservative "now" in the daemon. */
  readonly expiryNow?: () => number;
}

/**
 * The one in-process service the kiosk, the technician's tool and the office sync drive: pickups, staff
 * work, compartments and the locker's mode. Built once by the daemon.
 */
export class LockerCore {
  readonly compartments: CompartmentService;
  readonly credentials: CredentialCheck;
  readonly staff: StaffService;
  readonly documentTypes: DocumentTypes;
  /** The locker's mode whenever it changes (out of service, back in service), for the screen. */
  readonly modeChanges = new EventEmitter<{ mode: [LockerMode] }>();
  private readonly pickups: PickupService;
  private readonly locker: Actor<typeof lockerMachine>;
  private lastMode: LockerMode = 'starting';

  constructor(private readonly d: LockerCoreDeps) {
    const { config, store, clock } = d;
    const log = d.logger.child({ layer: 'core' });
    const authorizations = new Authorizations(store.db);
    const documentTypes = new DocumentTypes(store.db);
    this.documentTypes = documentTypes;
    const guesses = new GuessStore(store.db, clock, bootId());
    this.compartments = new CompartmentService({
      db: store.db, journal: new CompartmentJournal(store.db, store.audit, store.outbox, clock), hardware: d.hardware, layout: config.compartments,
      clock, logger: log, doorOpenLimitMs: config.doors.leftOpenAfterS * 1000,
      openTimeoutMs: 2 * config.bus.unlockConfirmTimeoutMs + config.bus.unlockMinIntervalMs + 10_000,
    });
    this.credentials = new CredentialCheck({
      db: store.db, authorizations, guesses, outbox: store.outbox, audit: store.audit, codeKey: d.codeKey, limits: config.limits, clock, lockerId: config.lockerId,
    });
    this.pickups = new PickupService({ db: store.db, documentTypes, check: this.credentials, compartments: this.compartments, audit: store.audit, outbox: store.outbox, clock, ...(d.expiryNow ? { expiryNow: d.expiryNow } : {}) });
    this.staff = new StaffService({
      db: store.db, authorizations, documentTypes, compartments: this.compartments, layout: config.compartments, guesses, audit: store.audit, outbox: store.outbox, codeKey: d.codeKey, limits: config.limits, clock,
      ...(d.expiryNow ? { expiryNow: d.expiryNow } : {}),
    });
    this.locker = createActor(lockerMachine, { input: { boardsTotal: config.boards.length } });
    this.locker.on('mode', (e) => {
      if (e.mode === this.lastMode) return;
      this.lastMode = e.mode;
      log.warn({ mode: e.mode, offlineBoards: e.offline, busUp: e.busUp, tamperOpen: e.tamperOpen }, 'locker mode');
      this.modeChanges.emit('mode', e.mode);
    });
    this.locker.start();
  }

  /** After the hardware started: waits for a first poll of the boards, rebuilds the compartments, goes in service. */
  async start(firstPollTimeoutMs = 5_000): Promise<void> {
    const { hardware, store, gpio } = this.d;
    hardware.poller.on('board-online', ({ address }) => this.locker.send({ type: 'BOARD_ONLINE', address }));
    hardware.poller.on('board-offline', ({ address }) => {
      this.locker.send({ type: 'BOARD_OFFLINE', address });
      store.db.transaction(() => {
        store.outbox.append('alarm', { kind: 'board-offline', board: address });
        store.audit.append({ actor: 'system', action: 'alarm.board-offline', subject: `board:${address}` });
      })();
    });
    hardware.transport.on('state', (s) => this.locker.send({ type: s.open ? 'BUS_UP' : 'BUS_DOWN' }));
    if (!hardware.transport.isOpen) this.locker.send({ type: 'BUS_DOWN' });
    gpio?.on('input', ({ name, active }) => {
      if (name !== 'tamper') return;
      this.locker.send({ type: 'TAMPER', open: active });
      if (active) {
        store.db.transaction(() => {
          store.outbox.append('alarm', { kind: 'tamper' });
          store.audit.append({ actor: 'system', action: 'alarm.tamper' });
        })();
      }
    });
    if (gpio?.isActive('tamper') === true) this.locker.send({ type: 'TAMPER', open: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, firstPollTimeoutMs);
      hardware.poller.once('cycle', () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.compartments.start();
    this.locker.send({ type: 'READY' });
  }

  mode(): LockerMode {
    return lockerMode(this.locker.getSnapshot().value);
  }

  /** A resident's pickup (contracts.md §3) in one step. Out of service: 503 before any code is checked. */
  async pickup(creds: PickupCredentials): Promise<PickupAnswer> {
    const a = this.authorizePickup(creds);
    return 'status' in a ? a : this.releasePickup(a);
  }

  /** Step one of a pickup: credentials and law; names the compartment, or gives the answer to show. */
  authorizePickup(creds: PickupCredentials): Authorized | PickupAnswer {
    if (!this.inService()) return { status: 503, body: { result: 'unavailable' } };
    return this.pickups.authorize(creds);
  }

  /** Step two: open that compartment once and read the latch back. */
  releasePickup(a: Authorized): Promise<PickupAnswer> {
    if (!this.inService()) return Promise.resolve({ status: 503, body: { result: 'unavailable' } });
    return this.pickups.release(a);
  }

  /** The receipt of a collected document, as the QR code the resident's screen shows. */
  async receipt(authorizationId: string): Promise<{ receipt: Receipt; svg: string } | undefined> {
    const receipt = receiptFor(this.d.store.db, authorizationId);
    return receipt === undefined ? undefined : { receipt, svg: await receiptSvg(this.d.config.lockerId, receipt) };
  }

  private inService(): boolean {
    const m = this.mode();
    return m !== 'outOfService' && m !== 'starting';
  }

  stop(): void {
    this.modeChanges.removeAllListeners();
    this.staff.stop();
    this.compartments.stop();
    this.locker.stop();
  }
}
