import { createHash } from 'node:crypto';
import { eventData, type PushedEvent } from '../src/wire/events.js';
import type { OfficeContext } from './context.js';
import type { Queryable } from './db/db.js';
import { recordHistory } from './document-history.js';
import { cancelWaitingSms } from './sms/jobs.js';

export interface Intake {
  readonly ackedThrough: number;
  readonly stored: number;
  readonly conflicts: number;
}

/**
 * Takes in a verified push (its MAC checked by the caller) in one transaction, idempotently by (locker, seq):
 * a resent event with the same content is a no-op; other content under a seen seq is recorded as a conflict
 * and never overwrites what came first. New events update the documents and the locker's alarms. The answer
 * is the highest seq received with every earlier one, which the acknowledgement carries.
 */
export async function takeEvents(ctx: OfficeContext, lockerId: string, events: readonly PushedEvent[]): Promise<Intake> {
  const bodies = events.map((e) => JSON.stringify(e));
  const hashes = bodies.map((b) => createHash('sha256').update(b).digest('hex'));
  // Only the first event of each seq in the push is offered for insertion: a later one under the same seq is
  // judged like a resend (same bytes: nothing; other bytes: a conflict) and never applied.
  const firstOf = new Map<number, number>();
  events.forEach((e, i) => {
    if (!firstOf.has(e.seq)) firstOf.set(e.seq, i);
  });
  const firsts = [...firstOf.values()];
  return ctx.db.transaction(async (tx) => {
    const locker = await tx.query<{ events_through: number }>('SELECT events_through FROM locker WHERE id = $1 FOR UPDATE', [lockerId]);
    const through = locker.rows[0]?.events_through;
    if (through === undefined) throw new Error(`unknown locker ${lockerId}`);
    const inserted = new Set(
      (
        await tx.query<{ seq: number }>(
          `INSERT INTO locker_event (locker_id, seq, type, at, body, body_sha256)
           SELECT $1, u.seq, u.type, u.at, u.body, u.hash
             FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS u(seq, type, at, body, hash)
           ON CONFLICT (locker_id, seq) DO NOTHING RETURNING seq`,
          [lockerId, firsts.map((i) => events[i]!.seq), firsts.map((i) => events[i]!.type), firsts.map((i) => events[i]!.at), firsts.map((i) => bodies[i]!), firsts.map((i) => hashes[i]!)],
        )
      ).rows.map((r) => Number(r.seq)),
    );
    const taken = new Set(firsts.filter((i) => inserted.has(events[i]!.seq)));
    const conflicts = await recordConflicts(tx, lockerId, events, bodies, hashes, taken);
    for (const i of firsts) if (taken.has(i)) await apply(tx, lockerId, events[i]!);
    const ackedThrough = await advance(tx, lockerId, through);
    await tx.query('UPDATE locker SET events_through = $2, last_event_at = $3 WHERE id = $1', [lockerId, ackedThrough, ctx.now()]);
    return { ackedThrough, stored: inserted.size, conflicts };
  });
}

/** `taken`: the indices of the events just stored; every other one is compared with what is stored under its seq. */
async function recordConflicts(tx: Queryable, lockerId: string, events: readonly PushedEvent[], bodies: string[], hashes: string[], taken: Set<number>): Promise<number> {
  const seen = events.map((e, i) => ({ seq: e.seq, body: bodies[i]!, hash: hashes[i]! })).filter((_e, i) => !taken.has(i));
  if (seen.length === 0) return 0;
  const stored = new Map(
    (await tx.query<{ seq: number; body_sha256: string }>('SELECT seq, body_sha256 FROM locker_event WHERE locker_id = $1 AND seq = ANY($2::bigint[])', [lockerId, seen.map((e) => e.seq)])).rows.map((r) => [Number(r.seq), r.body_sha256]),
  );
  const differing = seen.filter((e) => stored.get(e.seq) !== e.hash);
  for (const e of differing) await tx.query('INSERT INTO event_conflict (locker_id, seq, body) VALUES ($1, $2, $3)', [lockerId, e.seq, e.body]);
  return differing.length;
}

/** The highest seq such that every seq up to it has been received. */
async function advance(tx: Queryable, lockerId: string, from: number): Promise<number> {
  let through = from;
  for (;;) {
    const r = await tx.query<{ seq: number }>('SELECT seq FROM locker_event WHERE locker_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000', [lockerId, through]);
    for (const { seq } of r.rows) {
      if (Number(seq) !== through + 1) return through;
      through += 1;
    }
    if (r.rows.length < 5000) return through;
  }
}

/** What an event means for the office's records. A locker only ever changes its own documents. */
async function apply(tx: Queryable, lockerId: string, e: PushedEvent): Promise<void> {
  switch (e.type) {
    case 'document.loaded': {
      const d = eventData['document.loaded'].safeParse(e.data);
      if (!d.success) return;
      const r = await tx.query(
        `UPDATE document SET status = CASE WHEN status = 'pending' THEN 'loaded' ELSE status END, compartment = $3, loaded_at = $4, loaded_by = $5, updated_at = now()
          WHERE id = $1 AND locker_id = $2`,
        [d.data.authorizationId, lockerId, d.data.compartment, e.at, d.data.staffId],
      );
      if (r.rowCount > 0) await history(tx, lockerId, e, d.data.authorizationId, 'loaded', d.data.staffId, { compartment: d.data.compartment, staffId: d.data.staffId });
      return;
    }
    case 'document.collected': {
      const d = eventData['document.collected'].safeParse(e.data);
      if (!d.success) return;
      const r = await tx.query(
        `UPDATE document SET status = 'collected', compartment = $3, collected_at = $4, receipt_id = $5, phone_sealed = NULL, updated_at = now()
          WHERE id = $1 AND locker_id = $2`,
        [d.data.authorizationId, lockerId, d.data.compartment, e.at, d.data.receiptId],
      );
      if (r.rowCount > 0) {
        await cancelWaitingSms(tx, d.data.authorizationId, ['code', 'new-code', 'reminder']);
        await history(tx, lockerId, e, d.data.authorizationId, 'collected', undefined, { compartment: d.data.compartment, receiptId: d.data.receiptId });
      }
      return;
    }
    case 'document.retrieved': {
      const d = eventData['document.retrieved'].safeParse(e.data);
      if (!d.success) return;
      const r = await tx.query(
        `UPDATE document SET status = 'retrieved', compartment = $3, retrieved_at = $4, retrieved_reason = $5, phone_sealed = NULL, updated_at = now()
          WHERE id = $1 AND locker_id = $2 AND status <> 'collected'`,
        [d.data.authorizationId, lockerId, d.data.compartment, e.at, d.data.reason],
      );
      if (r.rowCount > 0) {
        await cancelWaitingSms(tx, d.data.authorizationId, ['code', 'new-code', 'reminder']);
        await history(tx, lockerId, e, d.data.authorizationId, 'retrieved', d.data.staffId, { compartment: d.data.compartment, staffId: d.data.staffId, reason: d.data.reason });
      }
      return;
    }
    case 'authorization.rejected': {
      const d = eventData['authorization.rejected'].safeParse(e.data);
      if (!d.success) return;
      const r = await tx.query(
        "UPDATE document SET status = 'rejected', rejected_reason = $3, updated_at = now() WHERE id = $1 AND locker_id = $2 AND status IN ('pending', 'loaded')",
        [d.data.authorizationId, lockerId, d.data.reason],
      );
      if (r.rowCount > 0) await history(tx, lockerId, e, d.data.authorizationId, 'rejected', undefined, { reason: d.data.reason });
      return;
    }
    case 'alarm': {
      const d = eventData.alarm.safeParse(e.data);
      if (!d.success) return;
      await tx.query('INSERT INTO locker_alarm (locker_id, event_seq, kind, compartment, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
        lockerId, e.seq, d.data.kind, d.data.compartment ?? null, e.at,
      ]);
      return;
    }
    default:
      return; // stored; the office has nothing to update for it
  }
}

/**
 * A document's history row for a locker's event: at the locker's time of it, by the member of staff named, or
 * by the locker itself (a collection, a rejection).
 */
function history(tx: Queryable, lockerId: string, e: PushedEvent, documentId: string, what: 'loaded' | 'collected' | 'retrieved' | 'rejected', staffId: string | undefined, detail: Record<string, string | number>): Promise<void> {
  return recordHistory(tx, documentId, what, staffId === undefined || staffId === '' ? `locker:${lockerId}` : `staff:${staffId}`, detail, new Date(e.at));
}
