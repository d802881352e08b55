import type { Queryable } from './db/db.js';

/**
 * What happened to a document, for the clerks' panel (issue 16): one row of `document_history` per step, written
 * inside the transaction (or the statement) that makes the step, so the history never tells of something that
 * was rolled back and never misses something that was committed.
 *
 * - `registered`: by whom (`clerk:<login>`, `api:<token name>`); detail: locker, how consent was given...
 * - `sms-queued`, `sms-sent`, `sms-refused`, `sms-given-up`: a text message; detail `kind` (`code`, `new-code`,
 *   `reminder`), and the gateway's `error` for a refusal. Never the text or the number.
 * - `loaded`, `collected`, `retrieved`, `rejected`: what the locker reported (contracts.md §5.3); `at` is the
 *   locker's time of the event; detail: `compartment`, `staffId`, `receiptId`, `reason`.
 * - `revoked` (detail `reason`), `new-code`, `deadline-changed` (detail `from`, `to`): by whom.
 * - `expired`: the office's deadline sweep.
 */
export type HistoryWhat =
  | 'registered'
  | 'sms-queued'
  | 'sms-sent'
  | 'sms-refused'
  | 'sms-given-up'
  | 'loaded'
  | 'collected'
  | 'retrieved'
  | 'rejected'
  | 'revoked'
  | 'new-code'
  | 'deadline-changed'
  | 'expired';

export type HistoryDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface HistoryEntry {
  readonly at: Date;
  readonly what: HistoryWhat;
  /** `clerk:<login>`, `api:<name>`, `staff:<id>`, `locker:<id>`, or null for the office itself (sweeps, the text worker). */
  readonly actor: string | null;
  readonly detail: HistoryDetail;
}

/** Records one step; `at` defaults to the database's clock. */
export async function recordHistory(tx: Queryable, documentId: string, what: HistoryWhat, actor: string | null, detail: HistoryDetail = {}, at?: Date): Promise<void> {
  await tx.query('INSERT INTO document_history (document_id, at, what, actor, detail) VALUES ($1, COALESCE($2, now()), $3, $4, $5)', [
    documentId, at ?? null, what, actor, JSON.stringify(detail),
  ]);
}

/**
 * A document's history in the order the office recorded it (which is the order things happened, except that a
 * locker that was offline reports its events late: their `at` is the locker's own time).
 */
export async function readHistory(q: Queryable, documentId: string): Promise<HistoryEntry[]> {
  const r = await q.query<{ at: Date; what: HistoryWhat; actor: string | null; detail: HistoryDetail | string }>(
    'SELECT at, what, actor, detail FROM document_history WHERE document_id = $1 ORDER BY id',
    [documentId],
  );
  return r.rows.map((h) => ({ at: h.at, what: h.what, actor: h.actor, detail: typeof h.detail === 'string' ? (JSON.parse(h.detail) as HistoryDetail) : h.detail }));
}
