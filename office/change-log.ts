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
    // One round trip: the head's new value is the seq, spliced into the change's JSON text.
    const r = await tx.query<{ seq: number }>(
      `WITH head AS (UPDATE locker_log_head SET last = last + 1 WHERE locker_id = $1 RETURNING last)
       INSERT INTO locker_change (locker_id, seq, body) SELECT $1, last, '{"seq":' || last || ',' || $2 FROM head RETURNING seq`,
      [lockerId, JSON.stringify(change).slice(1)],
    );
    const seq = r.rows[0]?.seq;
    if (seq === undefined) throw new Error(`no log head for locker ${lockerId}`);
    seqs.set(lockerId, Number(seq));
  }
  return seqs;
}

export interface Page {
  /** The changes' JSON texts, in seq order. */
  readonly bodies: string[];
  readonly last: number;
  readonly more: boolean;
}

/**
 * The committed changes after `after`, at most `limit`, and the log's head, in one round trip (most pulls
 * find nothing new, and the head tells a caught-up locker from one that is ahead of the office).
 */
export async function readPage(db: Queryable, lockerId: string, after: number, limit: number): Promise<Page & { head: number | undefined }> {
  const r = await db.query<{ head: number; seq: number | null; body: string | null }>(
    `SELECT h.last AS head, c.seq, c.body FROM locker_log_head h
       LEFT JOIN LATERAL (SELECT seq, body FROM locker_change WHERE locker_id = h.locker_id AND seq > $2 ORDER BY seq LIMIT $3) c ON true
      WHERE h.locker_id = $1 ORDER BY c.seq`,
    [lockerId, after, limit + 1],
  );
  const head = r.rows[0] === undefined ? undefined : Number(r.rows[0].head);
  const rows = r.rows.filter((x) => x.seq !== null).slice(0, limit);
  return { bodies: rows.map((x) => x.body!), last: rows.length === 0 ? after : Number(rows.at(-1)!.seq), more: r.rows.filter((x) => x.seq !== null).length > limit, head };
}
