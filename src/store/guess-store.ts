import { isoWall, type Clock } from '../clock.js';
import { freshDevice, freshPhone, type DeviceState, type PhoneState } from '../domain/guess-limits.js';
import type { Db } from './open.js';

interface Row {
  state: string;
  boot_id: string;
  saved_mono: number;
}

/**
 * Keeps the guessing-limit state across restarts. Deadlines are monotonic; on a new boot they are shifted so
 * that the time remaining when saved is the time remaining now (a power cut never shortens a lockout).
 */
export class GuessStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;

  constructor(private readonly db: Db, private readonly clock: Clock, private readonly boot: string) {
    this.getStmt = db.prepare('SELECT state, boot_id, saved_mono FROM guess_limit WHERE scope = ?');
    this.putStmt = db.prepare(`INSERT INTO guess_limit (scope, state, boot_id, saved_mono, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope) DO UPDATE SET state = excluded.state, boot_id = excluded.boot_id, saved_mono = excluded.saved_mono, updated_at = excluded.updated_at`);
    this.delStmt = db.prepare('DELETE FROM guess_limit WHERE scope = ?');
  }

  /** The whole locker's counters: `device` for pickup codes, `staff-device` for staff PINs. */
  device(scope: 'device' | 'staff-device' = 'device'): DeviceState {
    const s = this.load<DeviceState>(scope);
    if (s === undefined) return freshDevice();
    const shift = s.shift;
    const d = s.value;
    return {
      failuresInRow: d.failuresInRow,
      delayLevel: d.delayLevel,
      nextAttemptAt: d.nextAttemptAt === undefined || d.nextAttemptAt === null ? undefined : d.nextAttemptAt + shift,
      dayFailures: d.dayFailures.map((t) => t + shift),
      dayLockedUntil: d.dayLockedUntil === undefined || d.dayLockedUntil === null ? undefined : d.dayLockedUntil + shift,
    };
  }

  /** One identity's counters: a phone MAC (`phone`) or a staff id (`staff`). */
  phone(key: string, kind: 'phone' | 'staff' = 'phone'): PhoneState {
    const s = this.load<PhoneState>(`${kind}:${key}`);
    if (s === undefined) return freshPhone();
    const p = s.value;
    return {
      failuresInRow: p.failuresInRow,
      lockouts: p.lockouts,
      lockedUntil: p.lockedUntil === undefined || p.lockedUntil === null ? undefined : p.lockedUntil + s.shift,
    };
  }

  saveDevice(d: DeviceState, scope: 'device' | 'staff-device' = 'device'): void {
    this.save(scope, d);
  }

  /** A phone with nothing to remember is deleted, so the table holds only phones under watch. */
  savePhone(key: string, p: PhoneState, kind: 'phone' | 'staff' = 'phone'): void {
    if (p.failuresInRow === 0 && p.lockouts === 0 && p.lockedUntil === undefined) this.delStmt.run(`${kind}:${key}`);
    else this.save(`${kind}:${key}`, p);
  }

  private save(scope: string, value: object): void {
    this.putStmt.run(scope, JSON.stringify(value), this.boot, this.clock.monoMs(), isoWall(this.clock));
  }

  private load<T>(scope: string): { value: T; shift: number } | undefined {
    const row = this.getStmt.get(scope) as Row | undefined;
    if (row === undefined) return undefined;
    // Same boot: the saved times are on today's monotonic clock. New boot: carry the remaining time over.
    const shift = row.boot_id === this.boot ? 0 : this.clock.monoMs() - row.saved_mono;
    return { value: JSON.parse(row.state) as T, shift };
  }
}
