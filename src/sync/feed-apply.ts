import { isoWall, type Clock } from '../clock.js';
import { checkTerms, isHardDenied, typeMayUseLocker } from '../wire/policy.js';
import { clearLawFlag, flagForStaff, isLawReason } from '../store/attention.js';
import type { AuditLog } from '../store/audit.js';
import { DocumentTypes } from '../store/document-types.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';
import type { FeedChange, FeedPayload } from '../wire/feed-schema.js';

export interface ApplyResult {
  readonly cursor: number;
  readonly authorizations: number;
  readonly rejected: number;
  /** staff.upsert changes in the batch (a deactivation among them ends that member's sessions). */
  readonly staff: number;
}

export interface FeedApplyDeps {
  readonly db: Db;
  readonly outbox: Outbox;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

/**
 * Applies a verified batch and moves the cursor to `last`, in one transaction: all of it or none of it.
 * The law is checked on arrival: an authorization for a document the locker may not release, or without
 * consent, is stored as rejected and reported (`authorization.rejected`); it can never be loaded or released.
 */
export class FeedApplier {
  private readonly types: DocumentTypes;
  private readonly stmts;

  constructor(private readonly d: FeedApplyDeps) {
    this.types = new DocumentTypes(d.db);
    const db = d.db;
    this.stmts = {
      upsertType: db.prepare(`INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis, source, updated_at) VALUES (?, ?, ?, ?, ?, 'feed', ?)
        ON CONFLICT (code) DO UPDATE SET name_pl = excluded.name_pl, name_en = excluded.name_en, locker_release = excluded.locker_release,
          legal_basis = excluded.legal_basis, source = 'feed', updated_at = excluded.updated_at`),
      getAuth: db.prepare('SELECT status FROM authorization WHERE id = ?'),
      // Most upserts are new authorizations: try the insert first and look at the row only when it exists.
      // An id whose closed record retention has deleted is not taken as new (see migration 006).
      insertAuth: db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, status, reject_reason, feed_seq)
        SELECT @id, @caseRef, @documentType, @size, @phoneMac, @codeMac, @expiresAt, @feeSettled, @consent, @accessible, @status, @rejectReason, @seq
        WHERE NOT EXISTS (SELECT 1 FROM authorization_closed WHERE id = @id)
        ON CONFLICT (id) DO NOTHING`),
      updateWaiting: db.prepare(`UPDATE authorization SET case_ref = @caseRef, document_type = @documentType, size = @size, phone_mac = @phoneMac, code_mac = @codeMac,
        expires_at = @expiresAt, fee_settled = @feeSettled, consent = @consent, accessible = @accessible, status = @status, reject_reason = @rejectReason, feed_seq = @seq WHERE id = @id`),
      // A loaded document stays where it is (size and compartment are what they are); every term the office sends
      // applies, its type included: a type that may not be released stops the release.
      updateLoaded: db.prepare(`UPDATE authorization SET case_ref = @caseRef, document_type = @documentType, phone_mac = @phoneMac, code_mac = @codeMac,
        expires_at = @expiresAt, fee_settled = @feeSettled, consent = @consent, feed_seq = @seq WHERE id = @id`),
      revoke: db.prepare("UPDATE authorization SET revoked_reason = ?, feed_seq = ? WHERE id = ? AND status IN ('pending', 'rejected', 'loaded')"),
      exists: db.prepare('SELECT 1 FROM authorization WHERE id = ? UNION ALL SELECT 1 FROM authorization_closed WHERE id = ?'),
      earlyRevoke: db.prepare(`INSERT INTO early_revocation (id, reason, feed_seq, received_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, feed_seq = excluded.feed_seq`),
      takeEarlyRevocation: db.prepare('DELETE FROM early_revocation WHERE id = ? RETURNING reason'),
      anyEarlyRevocation: db.prepare('SELECT 1 FROM early_revocation LIMIT 1'),
      markRevoked: db.prepare('UPDATE authorization SET revoked_reason = ? WHERE id = ?'),
      loadedOfType: db.prepare("SELECT id, consent FROM authorization WHERE status = 'loaded' AND document_type = ?"),
      pendingOfType: db.prepare("SELECT id FROM authorization WHERE status = 'pending' AND document_type = ?"),
      rejectPending: db.prepare("UPDATE authorization SET status = 'rejected', reject_reason = ? WHERE id = ? AND status = 'pending'"),
      upsertStaff: db.prepare(`INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_mac = excluded.pin_mac, roles = excluded.roles, active = excluded.active, feed_seq = excluded.feed_seq`),
      cursor: db.prepare('UPDATE sync_state SET feed_cursor = ?, feed_server_time = ? WHERE id = 1 AND feed_cursor = ?'),
      serverTime: db.prepare('SELECT feed_server_time AS t FROM sync_state WHERE id = 1'),
    };
  }

  /** Document types read during one batch (a batch of 10,000 authorizations names a handful of types). */
  private typeCache = new Map<string, ReturnType<DocumentTypes['get']>>();

  /** Whether any revocation waits for its authorization: most batches need not look (a write per row is dear). */
  private earlyRevocations = false;

  apply(p: FeedPayload): ApplyResult {
    this.typeCache.clear();
    return this.d.db.transaction((): ApplyResult => {
      this.earlyRevocations = this.stmts.anyEarlyRevocation.get() !== undefined;
      let authorizations = 0;
      let rejected = 0;
      let staff = 0;
      for (const c of p.changes) {
        if (c.type === 'staff.upsert') staff += 1;
        const r = this.change(c);
        if (r === 'authorization') authorizations += 1;
        if (r === 'rejected') {
          authorizations += 1;
          rejected += 1;
        }
      }
      // Guarded by the old cursor too: a concurrent apply of the same batch changes nothing twice. The newest
      // serverTime ever applied only moves forward: an old batch replayed at the cursor must not lower the bar
      // that the next batches' expiry is held to (contracts.md §5.2).
      const moved = this.stmts.cursor.run(p.last, newestServerTime(this.stmts.serverTime.get() as { t: string | null }, p.serverTime), p.after);
      if (moved.changes !== 1) throw new Error(`feed cursor moved under the batch (expected ${p.after})`);
      if (p.changes.length > 0) this.d.audit.append({ actor: 'office', action: 'feed.applied', detail: { after: p.after, last: p.last, authorizations, rejected } });
      return { cursor: p.last, authorizations, rejected, staff };
    })();
  }

  /**
   * A catalogue entry changed: its terms apply at once to what waits and to what is already in a compartment.
   * A type that may no longer go through the locker rejects the waiting documents of that type and puts the
   * loaded ones on the staff's list, each reported to the office.
   */
  private reviewType(code: string): void {
    const allowed = typeMayUseLocker(this.type(code));
    for (const r of this.stmts.loadedOfType.all(code) as { id: string; consent: number }[]) {
      if (!allowed) flagForStaff(this.d, r.id, 'document-type-not-allowed', 'office');
      else if (r.consent === 1) clearLawFlag(this.d.db, r.id);
    }
    if (allowed) return;
    for (const r of this.stmts.pendingOfType.all(code) as { id: string }[]) {
      this.stmts.rejectPending.run('document-type-not-allowed', r.id);
      this.d.outbox.append('authorization.rejected', { authorizationId: r.id, reason: 'document-type-not-allowed' });
    }
  }

  private type(code: string): ReturnType<DocumentTypes['get']> {
    if (!this.typeCache.has(code)) this.typeCache.set(code, this.types.get(code));
    return this.typeCache.get(code);
  }

  private change(c: FeedChange): 'authorization' | 'rejected' | 'other' {
    const now = isoWall(this.d.clock);
    switch (c.type) {
      case 'documentType.upsert': {
        const t = c.documentType;
        // The hard deny list wins over any catalogue entry.
        this.stmts.upsertType.run(t.code, t.namePl, t.nameEn, t.lockerRelease && !isHardDenied(t) ? 1 : 0, t.legalBasis, now);
        this.typeCache.delete(t.code);
        this.reviewType(t.code);
        return 'other';
      }
      case 'authorization.upsert': {
        const a = c.authorization;
        const verdict = checkTerms({ documentType: a.documentType, consent: a.consent, feeSettled: a.feeSettled, revoked: false, expiresAtMs: Date.parse(a.expiresAt) },
          this.type(a.documentType), 'arrival', 0);
        const status = verdict.ok ? 'pending' : 'rejected';
        const row = {
          id: a.id, caseRef: a.caseRef, documentType: a.documentType, size: a.size, phoneMac: a.phoneMac, codeMac: a.codeMac, expiresAt: a.expiresAt,
          feeSettled: a.feeSettled ? 1 : 0, consent: a.consent ? 1 : 0, accessible: a.accessible ? 1 : 0, status, rejectReason: verdict.ok ? null : verdict.reason, seq: c.seq,
        };
        const inserted = this.stmts.insertAuth.run(row).changes === 1;
        const existing = inserted ? undefined : ((this.stmts.getAuth.get(a.id) as { status: string } | undefined) ?? { status: 'closed' });
        if (existing === undefined) {
          // New. A revocation that came first is not lost: the authorization is stored revoked.
          const early = this.earlyRevocations ? (this.stmts.takeEarlyRevocation.get(a.id) as { reason: string } | undefined) : undefined;
          if (early !== undefined) this.stmts.markRevoked.run(early.reason, a.id);
        } else if (existing.status === 'pending' || existing.status === 'rejected') this.stmts.updateWaiting.run(row);
        else if (existing.status === 'loaded') {
          this.stmts.updateLoaded.run(row);
          // In the compartment already: it stays there, but may no longer be released; staff take it back.
          if (verdict.ok) clearLawFlag(this.d.db, a.id);
          else if (isLawReason(verdict.reason)) flagForStaff(this.d, a.id, verdict.reason, 'office');
          return verdict.ok ? 'authorization' : 'rejected';
        } else return 'authorization'; // collected, retrieved or closed and deleted: the document is gone, nothing to change
        const newlyRejected = !verdict.ok && existing?.status !== 'rejected';
        if (newlyRejected) this.d.outbox.append('authorization.rejected', { authorizationId: a.id, reason: verdict.reason });
        return verdict.ok ? 'authorization' : 'rejected';
      }
      case 'authorization.revoke':
        if (this.stmts.revoke.run(c.reason, c.seq, c.id).changes === 0 && this.stmts.exists.get(c.id, c.id) === undefined) {
          // Before its authorization (the office's log may be read in another order across pages or retries).
          this.stmts.earlyRevoke.run(c.id, c.reason, c.seq, now);
          this.earlyRevocations = true;
        }
        return 'other';
      case 'staff.upsert': {
        const s = c.staff;
        this.stmts.upsertStaff.run(s.id, s.name, s.pinMac, JSON.stringify(s.roles), s.active ? 1 : 0, c.seq);
        return 'other';
      }
    }
  }
}

/** The later of the stored and the batch's serverTime, as an ISO string (compared as times, not as text). */
function newestServerTime(stored: { t: string | null }, batch: string): string {
  const b = Date.parse(batch);
  const s = stored.t === null ? Number.NEGATIVE_INFINITY : Date.parse(stored.t);
  return s >= b ? stored.t! : new Date(b).toISOString();
}
