import { createHash } from 'node:crypto';
import { isoWall, type Clock } from '../clock.js';
import type { Db } from './open.js';

export const genesisHash = '0'.repeat(64);

export interface AuditEntry {
  /** Who caused it: `system`, `staff:S-1`, `technician:SHA256:...`, `resident` (never a phone number). */
  readonly actor: string;
  /** Dotted verb, e.g. `daemon.start`, `compartment.unlock`. */
  readonly action: string;
  /** What it concerns, e.g. `compartment:7`. */
  readonly subject?: string | undefined;
  readonly detail?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export type AuditVerdict =
  | { ok: true; rows: number; lastSeq: number }
  | { ok: false; seq: number; problem: 'gap' | 'broken-link' | 'altered' | 'tail-missing' | 'head-mismatch' };

/** The hash of one row: its content and the previous row's hash, so the rows form one chain. */
export function auditHash(prevHash: string, r: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  const canonical = JSON.stringify([r.seq, r.at, r.actor, r.action, r.subject, r.detail]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** The append-only, hash-chained audit log. Appends join the caller's transaction when there is one. */
export class AuditLog {
  private readonly head;
  private readonly insert;
  private readonly appendTx;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.head = db.prepare('SELECT last_seq, last_hash FROM audit_head WHERE id = 1');
    this.insert = db.prepare(
      'INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.appendTx = db.transaction((e: AuditEntry): number => {
      const head = this.head.get() as { last_seq: number; last_hash: string };
      const row = {
        seq: head.last_seq + 1,
        at: isoWall(this.clock),
        actor: e.actor,
        action: e.action,
        subject: e.subject ?? null,
        detail: JSON.stringify(e.detail ?? {}),
      };
      const hash = auditHash(head.last_hash, row);
      this.insert.run(row.seq, row.at, row.actor, row.action, row.subject, row.detail, head.last_hash, hash);
      return row.seq;
    });
  }

  append(entry: AuditEntry): number {
    return this.appendTx(entry);
  }
}

/**
 * Walks the whole chain. Detects an edited row (its hash no longer matches), a deleted or reordered row
 * (a gap in seq or a link to the wrong predecessor), and rows cut off the end (the head remembers it).
 */
export function verifyAudit(db: Db): AuditVerdict {
  const head = db.prepare('SELECT last_seq, last_hash, archived_through, archived_hash FROM audit_head WHERE id = 1').get() as
    | { last_seq: number; last_hash: string; archived_through: number; archived_hash: string }
    | undefined;
  if (head === undefined) return { ok: false, seq: 0, problem: 'head-mismatch' };
  let expectedSeq = head.archived_through + 1;
  let prev = head.archived_hash;
  let rows = 0;
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (r.seq !== expectedSeq) return { ok: false, seq: expectedSeq, problem: 'gap' };
    if (r.prev_hash !== prev) return { ok: false, seq: r.seq, problem: 'broken-link' };
    if (auditHash(r.prev_hash, r) !== r.hash) return { ok: false, seq: r.seq, problem: 'altered' };
    prev = r.hash;
    expectedSeq += 1;
    rows += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (lastSeq < head.last_seq) return { ok: false, seq: lastSeq + 1, problem: 'tail-missing' };
  if (lastSeq !== head.last_seq || prev !== head.last_hash) return { ok: false, seq: lastSeq, problem: 'head-mismatch' };
  return { ok: true, rows, lastSeq };
}
