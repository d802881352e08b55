import { EventEmitter } from 'node:events';
import { createActor, fromPromise, waitFor, type Actor } from 'xstate';
import type { Clock } from '../clock.js';
import type { CompartmentConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/open.js';
import type { LockSystem } from '../../hardware/lock-system.js';
import {
  compartmentMachine, publicState, type CompartmentEmitted, type CompartmentInput, type Purpose, type RestingState, type UnlockOutcome,
} from '../../state-machines/compartment.js';
import type { CompartmentJournal, IntentRow, IntentRequest } from './compartment-journal.js';

export type OpenResult =
  | { readonly result: 'opened'; readonly compartment: number }
  /** The compartment is not in a state that allows this (occupied for a load, already opening...). Nothing sent. */
  | { readonly result: 'busy' }
  /** Nothing was sent: the board is offline, the bus is down, or the lock was unlocked a moment ago. */
  | { readonly result: 'unavailable' }
  /** Nothing was sent: another compartment is opening or open for the same authorization right now. */
  | { readonly result: 'authorization-busy'; readonly compartment: number }
  /** Nothing was sent: a technician's open of a compartment holding a document, without `force`. */
  | { readonly result: 'holds-document'; readonly authorizationId: string }
  /** Sent, and the latch did not release (`unlock-failed`) or nobody could tell (`unlock-unknown`). */
  | { readonly result: 'failed'; readonly kind: string };

export interface CompartmentServiceDeps {
  readonly db: Db;
  readonly journal: CompartmentJournal;
  readonly hardware: Pick<LockSystem, 'locks' | 'poller'>;
  readonly layout: readonly CompartmentConfig[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly doorOpenLimitMs: number;
  /** Longest an open may take from request to verdict (unlock, confirm, one retry). */
  readonly openTimeoutMs: number;
}

type CompartmentActor = Actor<typeof compartmentMachine>;

/** A recorded compartment event with the compartment's contract state after it: what screens show live. */
export type CompartmentChange = CompartmentEmitted & { readonly publicState: ReturnType<typeof publicState> };

/**
 * One compartment machine per compartment, rebuilt at start from the database and the latches as read (never
 * from a snapshot), fed with the poller's latch events, and journalled: every decision is written to the
 * database with its audit row and outbox event. The only way the rest of the program opens a compartment.
 */
export class CompartmentService {
  /** Every event once it is recorded in the database, for live screens; never a source of truth. */
  readonly changes = new EventEmitter<{ change: [CompartmentChange] }>();
  private readonly actors = new Map<number, CompartmentActor>();
  private readonly intents = new Map<number, IntentRow>();
  private readonly byLock = new Map<string, CompartmentConfig>();
  private readonly byId = new Map<number, CompartmentConfig>();

  constructor(private readonly d: CompartmentServiceDeps) {
    for (const c of d.layout) {
      this.byLock.set(`${c.board}/${c.lock}`, c);
      this.byId.set(c.id, c);
    }
  }

  /** Call once the poller has read the boards (or given up on them). */
  start(): void {
    const open = this.d.journal.openIntents();
    for (const c of this.d.layout) {
      const latest = open.find((i) => i.compartment_id === c.id);
      this.spawn(c, this.restingInput(c, latest));
    }
    this.d.hardware.poller.on('latch', (ch) => {
      const c = this.byLock.get(`${ch.address}/${ch.lock}`);
      if (c !== undefined) this.actors.get(c.id)?.send({ type: ch.latched ? 'LATCH_CLOSED' : 'LATCH_RELEASED' });
    });
    // Doors may have moved while a board was offline: compare with what each machine believes.
    this.d.hardware.poller.on('board-online', ({ address, status }) => {
      for (const c of this.d.layout) {
        if (c.board !== address) continue;
        const latched = status.latched[c.lock - 1];
        const value = String(this.actors.get(c.id)?.getSnapshot().value);
        const expectsOpen = value === 'open' || value === 'doorLeftOpen' || value === 'forcedOpen';
        if (latched === true && expectsOpen) this.actors.get(c.id)?.send({ type: 'LATCH_CLOSED' });
        if (latched === false && !expectsOpen && value !== 'opening') this.actors.get(c.id)?.send({ type: 'LATCH_RELEASED' });
      }
    });
  }

  stop(): void {
    for (const a of this.actors.values()) a.stop();
  }

  /** The contract's state of a compartment (contracts.md §4). */
  state(id: number): ReturnType<typeof publicState> | undefined {
    const s = this.actors.get(id)?.getSnapshot();
    return s === undefined ? undefined : publicState(String(s.value), s.context.purpose);
  }

  /** Whether a compartment could take this kind of open now (for choosing one). */
  /** Every compartment's contract state, in layout order. */
  states(): { id: number; state: ReturnType<typeof publicState> }[] {
    return this.d.layout.map((c) => ({ id: c.id, state: this.state(c.id) ?? 'fault' }));
  }

  accepts(id: number, purpose: Purpose): boolean {
    return this.actors.get(id)?.getSnapshot().can({ type: 'OPEN', purpose }) ?? false;
  }

  /**
   * Writes the intent, then unlocks, and resolves with the verdict once the latch was read back (or the
   * machine gave up). Never sends a second command for one request except the one retry after a confirmed
   * failure, and never for a compartment whose board is offline.
   */
  /** False while the compartment's lock is in its pause since the last unlock (a load then picks another). */
  unlockAllowedNow(id: number): boolean {
    const cfg = this.byId.get(id);
    return cfg !== undefined && this.d.hardware.locks.unlockAllowedNow(cfg.board, cfg.lock);
  }

  async open(request: IntentRequest): Promise<OpenResult> {
    const actor = this.actors.get(request.compartmentId);
    const cfg = this.byId.get(request.compartmentId);
    if (actor === undefined || cfg === undefined) return { result: 'unavailable' };
    let req = request;
    if (req.purpose === 'technician') {
      // Whatever the compartment's state (occupied, disabled, fault...), a document inside needs `force`, and the
      // open then names it (contracts.md §4).
      const inside = this.d.db.prepare("SELECT id FROM authorization WHERE compartment_id = ? AND status = 'loaded'").get(req.compartmentId) as { id: string } | undefined;
      if (inside !== undefined && req.forced !== true) return { result: 'holds-document', authorizationId: inside.id };
      req = { ...req, authorizationId: inside?.id, forced: inside !== undefined, documentStays: inside !== undefined && req.documentStays === true };
    }
    if (!actor.getSnapshot().can({ type: 'OPEN', purpose: req.purpose })) return { result: 'busy' };
    // At most one compartment opening or open for one document: two loads at once must not open two doors.
    const other = req.authorizationId === undefined ? undefined : this.openFor(req.authorizationId);
    if (other !== undefined) return { result: 'authorization-busy', compartment: other };
    if (this.d.hardware.poller.snapshot(cfg.board).online !== true) return { result: 'unavailable' };
    const intentId = this.d.journal.writeIntent(req);
    this.intents.set(req.compartmentId, this.d.journal.intent(intentId)!);
    actor.send({ type: 'OPEN', purpose: req.purpose, authorizationId: req.authorizationId });
    const s = await waitFor(actor, (x) => !x.matches('opening'), { timeout: this.d.openTimeoutMs });
    if (s.matches('open')) return { result: 'opened', compartment: req.compartmentId };
    if (s.matches('fault')) return { result: 'failed', kind: s.context.faultKind ?? 'unlock-failed' };
    return { result: 'unavailable' };
  }

  /** The compartment whose open for this authorization is under way (intent taken, door not shut again), if any. */
  private openFor(authorizationId: string): number | undefined {
    for (const [id, intent] of this.intents) if (intent.authorization_id === authorizationId) return id;
    return undefined;
  }

  send(id: number, event: { type: 'DISABLE' } | { type: 'ENABLE' } | { type: 'REPORT_FAULT'; kind: string }): boolean {
    const a = this.actors.get(id);
    if (a === undefined || !a.getSnapshot().can(event)) return false;
    a.send(event);
    return true;
  }

  private restingInput(c: CompartmentConfig, latest: IntentRow | undefined): CompartmentInput {
    const row = this.d.db.prepare('SELECT state, fault_kind FROM compartment WHERE id = ?').get(c.id) as { state: string; fault_kind: string | null };
    const hasDocument = this.d.db.prepare("SELECT 1 FROM authorization WHERE compartment_id = ? AND status = 'loaded'").get(c.id) !== undefined;
    const latched = this.d.hardware.poller.snapshot(c.board).latched?.[c.lock - 1];
    const base = { id: c.id, hasDocument, latched, doorOpenLimitMs: this.d.doorOpenLimitMs };
    if (latest !== undefined && (latest.status === 'pending' || latest.status === 'unknown')) {
      // The process died between intent and outcome (or the outcome was unknown): never repeat the unlock.
      if (latest.status === 'pending') this.d.journal.markUnknownAfterRestart(latest);
      const intent = { ...latest, status: 'unknown' as const };
      if (latched === false) {
        // The latch is released: the unlock went out. Complete the open as if confirmed.
        this.intents.set(c.id, intent);
        return { ...base, state: 'open', purpose: latest.purpose, authorizationId: latest.authorization_id ?? undefined };
      }
      return { ...base, state: 'fault', faultKind: 'unlock-unknown' };
    }
    if (latest !== undefined && latest.status === 'confirmed') {
      this.intents.set(c.id, latest);
      return { ...base, state: 'open', purpose: latest.purpose, authorizationId: latest.authorization_id ?? undefined };
    }
    const state: RestingState = row.state === 'free' || row.state === 'occupied' || row.state === 'fault' || row.state === 'disabled' ? row.state : 'fault';
    return { ...base, state, faultKind: row.fault_kind ?? (state === 'fault' ? 'forced-open' : undefined) };
  }

  private spawn(c: CompartmentConfig, input: CompartmentInput): void {
    const log = this.d.logger.child({ compartment: c.id });
    const machine = compartmentMachine.provide({
      actors: {
        unlock: fromPromise<UnlockOutcome, { id: number; purpose: Purpose }>(() => this.d.hardware.locks.unlock(c.board, c.lock)),
      },
    });
    const actor = createActor(machine, { input, clock: { setTimeout: (fn, ms) => this.d.clock.setTimeout(fn, ms), clearTimeout: (h) => this.d.clock.clearTimeout(h) } });
    actor.on('*', (e) => {
      const ev = e as CompartmentEmitted;
      const intent = this.intents.get(c.id);
      try {
        this.d.journal.record(ev, intent);
      } catch (err) {
        log.error({ err: (err as Error).message, event: ev.type }, 'could not record a compartment event');
      }
      if (ev.type === 'closed' || ev.type === 'fault' || ev.type === 'open-refused') this.intents.delete(c.id);
      // Emitted during the transition: the snapshot the listeners read is the one after it.
      queueMicrotask(() => this.changes.emit('change', { ...ev, publicState: this.state(c.id) ?? 'fault' }));
      if (ev.type !== 'state') log.info({ event: ev.type, ...('kind' in ev ? { kind: ev.kind } : {}), ...('purpose' in ev ? { purpose: ev.purpose } : {}) }, 'compartment');
    });
    actor.subscribe({ error: (err) => log.error({ err: (err as Error).message }, 'compartment machine failed') });
    this.actors.set(c.id, actor);
    actor.start();
  }
}
