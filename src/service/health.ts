import type { Clock } from '../clock.js';
import type { Db } from '../store/open.js';
import type { Poller } from '../../hardware/poller.js';

export interface HealthInputs {
  readonly clock: Clock;
  readonly db: Db;
  readonly poller: Poller;
  readonly boards: readonly number[];
  /** A bus poll older than this is a sick bus. */
  readonly maxPollAgeMs: number;
  /** What the office link's freshness is (contracts.md §5.3): reported, never a reason to withhold the ping. */
  readonly officeProblems?: () => readonly string[];
}

/**
 * `notes`: what is wrong but must not restart the locker (an office feed or acknowledgement grown old: the
 * locker works offline by design). Shown in systemd's status line and the journal.
 */
export type Health = { readonly ok: true; readonly notes: readonly string[] } | { readonly ok: false; readonly why: string };

/**
 * What the watchdog ping vouches for: the event loop turns (this runs at all, and on time), some board
 * answered a poll recently, and the database takes a write lock (acquired and released, nothing written, so
 * the SD card is not worn by the check). The office link is reported beside it, never part of the verdict.
 */
export function checkHealth(h: HealthInputs, loopLagMs: number, maxLagMs: number): Health {
  if (loopLagMs > maxLagMs) return { ok: false, why: `event loop ${Math.round(loopLagMs)} ms late` };
  const now = h.clock.monoMs();
  const newest = Math.max(...h.boards.map((a) => h.poller.snapshot(a).lastOkMono ?? -Infinity));
  if (!(now - newest <= h.maxPollAgeMs)) return { ok: false, why: newest === -Infinity ? 'no board has answered yet' : `no board answered for ${Math.round(now - newest)} ms` };
  try {
    h.db.exec('BEGIN IMMEDIATE');
    h.db.exec('ROLLBACK');
  } catch (e) {
    return { ok: false, why: `database not writable: ${(e as Error).message}` };
  }
  return { ok: true, notes: h.officeProblems?.() ?? [] };
}
