import { EventEmitter } from 'node:events';
import type { Clock } from '../src/clock.js';
import type { Logger } from '../src/log.js';
import { OtherCommandSetError, type BoardStatus, type LockBoard } from './boards.js';
import type { BoardProtocol } from './protocols/index.js';

export interface LatchChange {
  readonly address: number;
  readonly lock: number;
  readonly latched: boolean;
  /** Monotonic ms of the poll that saw it. */
  readonly atMono: number;
}

export interface PollerEvents {
  /** A lock's latch changed between two polls. */
  latch: [change: LatchChange];
  /** First good poll of a board, or a good poll after it was offline; carries the full state. */
  'board-online': [info: { address: number; status: BoardStatus }];
  'board-offline': [info: { address: number; misses: number; reason: string }];
  cycle: [info: { ms: number }];
}

export interface PollerOptions {
  readonly pollIntervalMs: number;
  readonly offlineAfterMisses: number;
}

interface BoardState {
  online: boolean | undefined;
  misses: number;
  /** Since start: what a technician compares to see a flaky board. */
  pollsOk: number;
  pollsFailed: number;
  lastError: string | undefined;
  answersAs: BoardProtocol | undefined;
  latched: readonly boolean[] | undefined;
  lastOkMono: number | undefined;
  waiters: { since: number; resolve(s: BoardStatus): void; reject(e: unknown): void }[];
}

export interface BoardSnapshot {
  readonly address: number;
  /** undefined until the first poll decided. */
  readonly online: boolean | undefined;
  readonly misses: number;
  readonly latched: readonly boolean[] | undefined;
  readonly lastOkMono: number | undefined;
  readonly pollsOk: number;
  readonly pollsFailed: number;
  readonly lastError: string | undefined;
  /** The last poll failed while the address answered in this other family's command set. */
  readonly answersAs: BoardProtocol | undefined;
}

/**
 * Reads every board's status over and over, turns differences into latch events, and decides when a board
 * is offline (several misses in a row) and back. All boards' polls are queued at once each cycle, so the bus
 * runs them back to back and an unlock can still go in between.
 */
export class Poller extends EventEmitter<PollerEvents> {
  private readonly state = new Map<number, BoardState>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly boards: readonly LockBoard[],
    private readonly opts: PollerOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super();
    for (const b of boards) {
      this.state.set(b.address, { online: undefined, misses: 0, pollsOk: 0, pollsFailed: 0, lastError: undefined, answersAs: undefined, latched: undefined, lastOkMono: undefined, waiters: [] });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  snapshot(address: number): BoardSnapshot {
    const s = this.get(address);
    return {
      address, online: s.online, misses: s.misses, latched: s.latched, lastOkMono: s.lastOkMono, pollsOk: s.pollsOk, pollsFailed: s.pollsFailed, lastError: s.lastError,
      answersAs: s.answersAs,
    };
  }

  /** The status from the next poll of this board that starts after now; rejects if that poll fails. */
  nextStatus(address: number): Promise<BoardStatus> {
    const s = this.get(address);
    return new Promise((resolve, reject) => s.waiters.push({ since: this.clock.monoMs(), resolve, reject }));
  }

  /** One cycle over all boards (the loop calls this; tests may too). */
  async pollOnce(): Promise<void> {
    const t0 = this.clock.monoMs();
    await Promise.all(this.boards.map((b) => this.pollBoard(b)));
    this.emit('cycle', { ms: this.clock.monoMs() - t0 });
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.pollOnce();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = this.clock.setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, this.opts.pollIntervalMs);
        this.wake = () => {
          this.clock.clearTimeout(t);
          this.wake = undefined;
          resolve();
        };
      });
    }
    for (const s of this.state.values()) for (const w of s.waiters.splice(0)) w.reject(new Error('poller stopped'));
  }

  private async pollBoard(board: LockBoard): Promise<void> {
    const s = this.get(board.address);
    const started = this.clock.monoMs();
    const waiting = s.waiters.filter((w) => w.since <= started);
    s.waiters = s.waiters.filter((w) => w.since > started);
    try {
      const status = await board.status();
      const now = this.clock.monoMs();
      const before = s.latched;
      s.latched = status.latched;
      s.misses = 0;
      s.pollsOk += 1;
      s.answersAs = undefined;
      s.lastOkMono = now;
      if (s.online !== true) {
        s.online = true;
        this.log.info({ board: board.address }, 'board online');
        this.emit('board-online', { address: board.address, status });
      } else if (before !== undefined) {
        status.latched.forEach((l, i) => {
          if (l !== before[i]) this.emit('latch', { address: board.address, lock: i + 1, latched: l, atMono: now });
        });
      }
      for (const w of waiting) w.resolve(status);
    } catch (e) {
      s.misses += 1;
      s.pollsFailed += 1;
      const reason = (e as Error).message;
      s.lastError = reason;
      s.answersAs = e instanceof OtherCommandSetError ? e.heard : undefined;
      if (s.misses >= this.opts.offlineAfterMisses && s.online !== false) {
        s.online = false;
        this.log.warn({ board: board.address, misses: s.misses, reason }, 'board offline');
        this.emit('board-offline', { address: board.address, misses: s.misses, reason });
      }
      for (const w of waiting) w.reject(e);
    }
  }

  private get(address: number): BoardState {
    const s = this.state.get(address);
    if (s === undefined) throw new RangeError(`no board at address ${address}`);
    return s;
  }
}
