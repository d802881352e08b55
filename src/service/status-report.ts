import type { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../store/outbox.js';
import { lockerStatusType, type CompartmentCounts, type LockerStatus } from '../wire/locker-status.js';
import type { BoardSnapshot } from '../../hardware/poller.js';

/** An unchanged status is sent again this often, so the office can tell "nothing changed" from "nothing heard". */
export const statusEveryMs = 15 * 60_000;
/** After a change, wait this long for the rest of it (a pickup is several transitions in a few seconds). */
export const statusSettleMs = 10_000;
/** Never two status events closer than this: a flapping board or a busy hour makes one a minute at most. */
export const statusMinGapMs = 60_000;

type PublicState = keyof CompartmentCounts;

export interface StatusReportDeps {
  /** The configured boards' addresses, in config order. */
  readonly boards: readonly number[];
  /** The hardware poller: `snapshot(address).online`, and its `board-online`/`board-offline` events. */
  readonly poller: { snapshot(address: number): Pick<BoardSnapshot, 'online'> } & Pick<EventEmitter, 'on' | 'off'>;
  readonly compartments: { states(): { id: number; state: PublicState }[]; readonly changes: Pick<EventEmitter, 'on' | 'off'> };
  readonly outbox: Pick<Outbox, 'append'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly everyMs?: number;
  readonly settleMs?: number;
  readonly minGapMs?: number;
}

/** What `diag status` shows of boards and compartments, reduced to what the office's lockers view needs. */
export function currentStatus(d: Pick<StatusReportDeps, 'boards' | 'poller' | 'compartments'>): LockerStatus {
  const compartments: CompartmentCounts = { free: 0, occupied: 0, open: 0, reserved: 0, fault: 0, disabled: 0 };
  for (const c of d.compartments.states()) compartments[c.state] += 1;
  return { boards: d.boards.map((address) => ({ address, online: d.poller.snapshot(address).online === true })), compartments };
}

/**
 * Queues a `locker.status` event through the outbox: once after start, after each change (settled, and at most
 * one a `minGapMs`), and every `everyMs` when nothing changed. A change that ends where it began (a door opened
 * and shut within the settling time) queues nothing.
 */
export class StatusReporter {
  private readonly everyMs: number;
  private readonly settleMs: number;
  private readonly minGapMs: number;
  private lastKey: string | undefined;
  private lastMono: number | undefined;
  private timer: unknown;
  private dueMono = Infinity;
  private running = false;
  private readonly onChange = (): void => this.changed();

  constructor(private readonly d: StatusReportDeps) {
    this.everyMs = d.everyMs ?? statusEveryMs;
    this.settleMs = d.settleMs ?? statusSettleMs;
    this.minGapMs = d.minGapMs ?? statusMinGapMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.d.poller.on('board-online', this.onChange);
    this.d.poller.on('board-offline', this.onChange);
    this.d.compartments.changes.on('change', this.onChange);
    this.changed();
  }

  stop(): void {
    this.running = false;
    this.d.poller.off('board-online', this.onChange);
    this.d.poller.off('board-offline', this.onChange);
    this.d.compartments.changes.off('change', this.onChange);
    this.cancel();
  }

  /** Looks now, and queues an event if the status changed or the last one is `everyMs` old. Returns its seq. */
  check(): number | undefined {
    const now = this.d.clock.monoMs();
    let seq: number | undefined;
    try {
      const status = currentStatus(this.d);
      const key = JSON.stringify(status);
      if (key !== this.lastKey || this.lastMono === undefined || now - this.lastMono >= this.everyMs) {
        seq = this.d.outbox.append(lockerStatusType, { ...status });
        this.lastKey = key;
        this.lastMono = now;
      }
    } catch (e) {
      // From a timer: a full disk must not end the process. Tried again at the next change or heartbeat.
      this.d.logger.error({ err: e }, 'locker status not queued');
    }
    if (this.running) this.schedule((this.lastMono ?? now) + this.everyMs - now);
    return seq;
  }

  private changed(): void {
    const now = this.d.clock.monoMs();
    const earliest = this.lastMono === undefined ? now : this.lastMono + this.minGapMs;
    this.schedule(Math.max(this.settleMs, earliest - now));
  }

  /** Keeps the sooner of the pending check and this one. */
  private schedule(inMs: number): void {
    if (!this.running) return;
    const at = this.d.clock.monoMs() + Math.max(0, inMs);
    if (this.timer !== undefined && this.dueMono <= at) return;
    this.cancel();
    this.dueMono = at;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = undefined;
      this.dueMono = Infinity;
      this.check();
    }, at - this.d.clock.monoMs());
  }

  private cancel(): void {
    if (this.timer !== undefined) this.d.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueMono = Infinity;
  }
}
