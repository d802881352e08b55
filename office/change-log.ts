import type { FeedChange } from '../src/wire/feed-schema.js';
import type { Queryable } from './db/db.js';

export type NewChange = FeedChange extends infer C ? (C extends { seq: number } ? Omit<C, 'seq'> : never) : never;

/**
 * Appends one change to each locker's ordered log, inside the caller's transaction. The seq comes from the
 * locker's head row, whose row lock the transaction keeps until it commits or rolls back: a second writer to
 * the same locker waits, so no seq commits before a smaller one and a pull never skips a change that was still
 * being written (the visibility trap of issue 15; proven by test/integration/office/change-log-concurrency).
 * Heads are locked in one order (by locker id) so that writers to several lockers cannot deadlock.
 */
export async function appendChanges(tx: Queryable, entries: ReadonlyArray<{ lockerId: string; change: NewChange }>): Promise<Map<string, number>> {
  const sorted = [...entries].sort((a, b) => (a.lockerId < b.lockerId ? -1 : a.lockerId > b.lockerId ? 1 : 0));
  const seqs = new Map<string, number>();
  for (const { lockerId, change } of sorted) {
    const head = await tx.query<{ last: number }>('UPDATE locker_log_head SET last = last + 1 WHERE locker_id = $1 RETURNING last', [lockerId]);
    const seq = head.rows[0]?.last;
    if (seq === undefined) throw new Error(`no log head for locker ${lockerId}`);
    await tx.query('INSERT INTO locker_change (locker_id, seq, body) VALUES ($1, $2, $3)', [lockerId, seq, JSON.stringify({ seq, ...change })]);
    seqs.set(lockerId, seq);
  }
  return seqs;
}

export interface Page {
  /** The changes' JSON texts, in seq order. */
  readonly bodies: string[];
  readonly last: number;
  readonly more: boolean;
}

/** The committed changes after `after`, at most `limit`. */
export async function readPage(db: Queryable, lockerId: string, after: number, limit: number): Promise<Page> {
  const r = await db.query<{ seq: number; body: string }>(
    'SELECT seq, body FROM locker_change WHERE locker_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [lockerId, after, limit + 1],
  );
  const rows = r.rows.slice(0, limit);
  return { bodies: rows.map((x) => x.body), last: rows.at(-1)?.seq ?? after, more: r.rows.length > limit };
}

export async function logHead(db: Queryable, lockerId: string): Promise<number | undefined> {
  const r = await db.query<{ last: number }>('SELECT last FROM locker_log_head WHERE locker_id = $1', [lockerId]);
  return r.rows[0]?.last;
}
