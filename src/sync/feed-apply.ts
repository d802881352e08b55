import { isoWall, type Clock } from '../clock.js';
import { checkTerms, isHardDenied } from '../domain/policy.js';
import type { AuditLog } from '../store/audit.js';
import { DocumentTypes } from '../store/document-types.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';
import type { FeedChange, FeedPayload } from './feed-schema.js';

export interface ApplyResult {
  readonly cursor: number;
  readonly authorizations: number;
  readonly rejected: number;
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
      // A loaded document stays where it is; its terms may change (fee paid, hold extended, code reissued).
      updateLoaded: db.prepare(`UPDATE authorization SET case_ref = @caseRef, phone_mac = @phoneMac, code_mac = @codeMac, expires_at = @expiresAt,
        fee_settled = @feeSettled, consent = @consent, feed_seq = @seq WHERE id = @id`),
      revoke: db.prepare("UPDATE authorization SET revoked_reason = ?, feed_seq = ? WHERE id = ? AND status IN ('pending', 'rejected', 'loaded')"),
      upsertStaff: db.prepare(`INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_mac = excluded.pin_mac, roles = excluded.roles, active = excluded.active, feed_seq = excluded.feed_seq`),
      cursor: db.prepare('UPDATE sync_state SET feed_cursor = ?, feed_server_time = ? WHERE id = 1 AND feed_cursor = ?'),
    };
  }

  /** Document types read during one batch (a batch of 10,000 authorizations names a handful of types). */
  private typeCache = new Map<string, ReturnType<DocumentTypes['get']>>();

  apply(p: FeedPayload): ApplyResult {
    this.typeCache.clear();
    return this.d.db.transaction((): ApplyResult => {
      let authorizations = 0;
      let rejected = 0;
      for (const c of p.changes) {
        const r = this.change(c);
        if (r === 'authorization') authorizations += 1;
        if (r === 'rejected') {
          authorizations += 1;
          rejected += 1;
        }
      }
      // Guarded by the old cursor too: a concurrent apply of the same batch changes nothing twice.
      const moved = this.stmts.cursor.run(p.last, p.serverTime, p.after);
      if (moved.changes !== 1) throw new Error(`feed cursor moved under the batch (expected ${p.after})`);
      if (p.changes.length > 0) this.d.audit.append({ actor: 'office', action: 'feed.applied', detail: { after: p.after, last: p.last, authorizations, rejected } });
      return { cursor: p.last, authorizations, rejected };
    })();
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
          // new: inserted above
        } else if (existing.status === 'pending' || existing.status === 'rejected') this.stmts.updateWaiting.run(row);
        else if (existing.status === 'loaded') this.stmts.updateLoaded.run(row);
        else return 'authorization'; // collected, retrieved or closed and deleted: the document is gone, nothing to change
        const newlyRejected = !verdict.ok && existing?.status !== 'rejected' && existing?.status !== 'loaded';
        if (newlyRejected) this.d.outbox.append('authorization.rejected', { authorizationId: a.id, reason: verdict.reason });
        return verdict.ok ? 'authorization' : 'rejected';
      }
      case 'authorization.revoke':
        this.stmts.revoke.run(c.reason, c.seq, c.id);
        return 'other';
      case 'staff.upsert': {
        const s = c.staff;
        this.stmts.upsertStaff.run(s.id, s.name, s.pinMac, JSON.stringify(s.roles), s.active ? 1 : 0, c.seq);
        return 'other';
      }
    }
  }
}
