import type { Clock } from '../src/clock.js';
import { ErrorCodes, UrzError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import type { LockBoard } from './boards.js';
import type { Poller } from './poller.js';

/**
 * What became of one unlock command:
 * - `released`: a status poll after the command showed the latch released;
 * - `not-released`: polls after the command kept showing it latched until the deadline (a confirmed failure);
 * - `unknown`: the command may have gone out, but no poll could read the board (never retry blindly).
 */
export type UnlockOutcome = 'released' | 'not-released' | 'unknown';

export interface LocksOptions {
  readonly unlockMinIntervalMs: number;
  readonly unlockConfirmTimeoutMs: number;
}

/**
 * Unlocks one lock and reads back whether its latch released. Refuses, sending nothing, an unlock of the
 * same lock sooner than unlockMinIntervalMs after the last (a UI bug in a peer project burned out solenoids).
 */
export class Locks {
  private readonly boards = new Map<number, LockBoard>();
  private readonly lastUnlock = new Map<string, number>();

  constructor(
    boards: readonly LockBoard[],
    private readonly poller: Poller,
    private readonly opts: LocksOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    for (const b of boards) this.boards.set(b.address, b);
  }

  /** Whether an unlock of this lock now would pass the rate limit (so a caller can choose another compartment). */
  unlockAllowedNow(address: number, lock: number): boolean {
    const last = this.lastUnlock.get(`${address}/${lock}`);
    return last === undefined || this.clock.monoMs() - last >= this.opts.unlockMinIntervalMs;
  }

  /**
   * Sends one unlock and waits for the verdict. Throws (nothing sent) for an unknown board or lock, the rate
   * limit, or a bus that is down (BUS_CLOSED).
   */
  async unlock(address: number, lock: number): Promise<UnlockOutcome> {
    const board = this.boards.get(address);
    if (board === undefined) throw new UrzError(ErrorCodes.UnknownBoard, `no board at address ${address}`);
    if (!Number.isInteger(lock) || lock < 1 || lock > board.locks) {
      throw new UrzError(ErrorCodes.InvalidLock, `board ${address} has locks 1-${board.locks}, not ${lock}`);
    }
    const key = `${address}/${lock}`;
    const now = this.clock.monoMs();
    const last = this.lastUnlock.get(key);
    if (last !== undefined && now - last < this.opts.unlockMinIntervalMs) {
      throw new UrzError(ErrorCodes.UnlockRateLimited, `lock ${lock} of board ${address} was unlocked ${Math.round(now - last)} ms ago; wait ${this.opts.unlockMinIntervalMs} ms between unlocks`);
    }
    this.lastUnlock.set(key, now);
    try {
      await board.unlock(lock);
    } catch (e) {
      if (e instanceof UrzError && e.code === ErrorCodes.BusClosed) throw e;
      this.log.error({ board: address, lock, err: (e as Error).message }, 'unlock write failed; outcome unknown');
      return 'unknown';
    }
    const outcome = await this.confirm(address, lock);
    this.log.info({ board: address, lock, outcome }, 'unlock');
    return outcome;
  }

  private async confirm(address: number, lock: number): Promise<UnlockOutcome> {
    const deadline = this.clock.monoMs() + this.opts.unlockConfirmTimeoutMs;
    let sawLatched = false;
    while (this.clock.monoMs() < deadline) {
      const remaining = deadline - this.clock.monoMs();
      const status = await this.withDeadline(this.poller.nextStatus(address), remaining);
      if (status === 'timeout') break;
      if (status === 'failed') continue;
      if (status.latched[lock - 1] === false) return 'released';
      sawLatched = true;
    }
    return sawLatched ? 'not-released' : 'unknown';
  }

  private withDeadline<T>(p: Promise<T>, ms: number): Promise<T | 'timeout' | 'failed'> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => resolve('timeout'), ms);
      p.then(
        (v) => {
          this.clock.clearTimeout(t);
          resolve(v);
        },
        () => {
          this.clock.clearTimeout(t);
          resolve('failed');
        },
      );
    });
  }
}
