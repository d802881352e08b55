import type { Db } from './db/db.js';

/**
 * Each locker's last pull and confirmed cursor (the `after` of its newest pull), gathered in memory and
 * written once a second in one statement: a fleet pulling every 30 s would otherwise cost a write per pull.
 * Both values only ever rise (GREATEST), so two office nodes flushing in any order agree.
 */
export class PullRecorder {
  private pending = new Map<string, { cursor: number; at: Date; waiting: number | null }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db, private readonly periodMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.periodMs);
    this.timer.unref();
  }

  /** `waiting`: the events the locker said it holds (null when it did not say). */
  record(lockerId: string, cursor: number, at: Date, waiting: number | null = null): void {
    const p = this.pending.get(lockerId);
    this.pending.set(lockerId, { cursor: Math.max(cursor, p?.cursor ?? 0), at, waiting: waiting ?? p?.waiting ?? null });
  }

  /** Writes what was gathered; safe to call at any time (the tests and shutdown do). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const ids = [...batch.keys()];
      try {
        await this.db.query(
          `UPDATE locker l SET cursor = GREATEST(l.cursor, u.cursor), last_pull_at = GREATEST(COALESCE(l.last_pull_at, u.at), u.at),
                  events_waiting = CASE WHEN u.waiting IS NULL OR u.at < COALESCE(l.last_pull_at, u.at) THEN l.events_waiting ELSE u.waiting END
             FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::int[]) AS u(id, cursor, at, waiting) WHERE l.id = u.id`,
          [ids, ids.map((i) => batch.get(i)!.cursor), ids.map((i) => batch.get(i)!.at), ids.map((i) => batch.get(i)!.waiting)],
        );
      } catch {
        for (const [id, v] of batch) this.record(id, v.cursor, v.at, v.waiting); // next time
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
  }
}
