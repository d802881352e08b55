import type { Db } from './open.js';
import { archiveAuditPrefix } from './audit-archive.js';

export interface RetentionPolicy {
  /** Collected, retrieved, rejected and long-expired records, their receipts and resolved intents, acknowledged events. */
  readonly closedRecordsDays: number;
  /** Audit rows older than this are archived to files, then deleted from the database. */
  readonly auditDays: number;
  readonly archiveDir: string;
  /** Rows in one archive file (tests make it small). */
  readonly auditRowsPerFile?: number | undefined;
}

export interface RetentionResult {
  readonly authorizations: number;
  readonly intents: number;
  readonly events: number;
  readonly guessScopes: number;
  readonly tombstones: number;
  readonly auditArchived: number;
  readonly archiveFiles: string[];
}

const dayMs = 86_400_000;
/** Rows per transaction: a large backlog is worked off in steps that each keep the event loop short. */
const chunk = 2_000;

/**
 * Keeps the database bounded. Nothing is removed that the locker or the office still needs: open documents,
 * intents whose outcome is not settled, events the office has not acknowledged and audit rows that are not
 * yet in an archive file all stay. `nowMs` must be a time the locker trusts (callers skip the run otherwise).
 */
export class Retention {
  private readonly s;

  constructor(private readonly db: Db, private readonly policy: RetentionPolicy) {
    this.s = {
      closed: db.prepare(`SELECT id, expires_at, coalesce(closed_at, expires_at) AS closed_at FROM authorization a
        WHERE ((status IN ('collected', 'retrieved') AND closed_at < @cutoff) OR (status IN ('pending', 'rejected') AND expires_at < @cutoff))
          AND NOT EXISTS (SELECT 1 FROM unlock_intent i WHERE i.authorization_id = a.id AND i.status IN ('pending', 'confirmed', 'unknown'))
        LIMIT ${chunk}`),
      tombstone: db.prepare('INSERT OR REPLACE INTO authorization_closed (id, expires_at, closed_at) VALUES (?, ?, ?)'),
      intentsOf: db.prepare('DELETE FROM unlock_intent WHERE authorization_id = ?'),
      receiptOf: db.prepare('DELETE FROM receipt WHERE authorization_id = ?'),
      authorization: db.prepare('DELETE FROM authorization WHERE id = ?'),
      // Technician opens have no authorization; settled ones go by age.
      loneIntents: db.prepare(`DELETE FROM unlock_intent WHERE authorization_id IS NULL AND status IN ('failed', 'closed') AND resolved_at < ?`),
      events: db.prepare('DELETE FROM outbox WHERE seq <= (SELECT outbox_acked_through FROM sync_state WHERE id = 1) AND at < ?'),
      // A phone or staff id untouched for the period, whose last lockout (if any) ran out long ago.
      guesses: db.prepare(`DELETE FROM guess_limit WHERE scope NOT IN ('device', 'staff-device') AND updated_at < @cutoff
        AND (julianday(@now) - julianday(updated_at)) * 86400000 > coalesce(json_extract(state, '$.lockedUntil') - saved_mono, 0)`),
      tombstones: db.prepare('DELETE FROM authorization_closed WHERE expires_at < ?'),
      // A revocation whose authorization never came (migration 008): kept for the period, then let go.
      earlyRevocations: db.prepare('DELETE FROM early_revocation WHERE received_at < ?'),
    };
  }

  run(nowMs: number): RetentionResult {
    const now = new Date(nowMs).toISOString();
    const cutoff = new Date(nowMs - this.policy.closedRecordsDays * dayMs).toISOString();
    let authorizations = 0;
    let intents = 0;
    const step = this.db.transaction(() => {
      const rows = this.s.closed.all({ cutoff }) as { id: string; expires_at: string; closed_at: string }[];
      for (const r of rows) {
        this.s.tombstone.run(r.id, r.expires_at, r.closed_at);
        intents += this.s.intentsOf.run(r.id).changes;
        this.s.receiptOf.run(r.id);
        this.s.authorization.run(r.id);
      }
      return rows.length;
    });
    for (let n = step(); n > 0; n = step()) authorizations += n;
    const rest = this.db.transaction(() => ({
      intents: this.s.loneIntents.run(cutoff).changes,
      events: this.s.events.run(cutoff).changes,
      guessScopes: this.s.guesses.run({ cutoff, now }).changes,
      tombstones: this.s.tombstones.run(cutoff).changes + this.s.earlyRevocations.run(cutoff).changes,
    }))();
    const archive = archiveAuditPrefix(this.db, this.policy.archiveDir, new Date(nowMs - this.policy.auditDays * dayMs).toISOString(), now, this.policy.auditRowsPerFile);
    return {
      authorizations, intents: intents + rest.intents, events: rest.events, guessScopes: rest.guessScopes, tombstones: rest.tombstones,
      auditArchived: archive.rows, archiveFiles: archive.files,
    };
  }
}
