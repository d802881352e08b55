import { randomBytes } from 'node:crypto';
import { isoWall, type Clock } from '../clock.js';
import type { CompartmentEmitted, Purpose } from '../../state-machines/compartment.js';
import { flagForStaff } from '../store/attention.js';
import type { AuditLog } from '../store/audit.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';

export interface IntentRow {
  readonly id: number;
  readonly compartment_id: number;
  readonly purpose: Purpose;
  readonly authorization_id: string | null;
  readonly actor: string;
  readonly status: 'pending' | 'confirmed' | 'failed' | 'unknown' | 'closed';
  readonly reason: string | null;
}

export interface IntentRequest {
  readonly compartmentId: number;
  readonly purpose: Purpose;
  readonly authorizationId?: string | undefined;
  /** `resident`, `staff:S-1`, `technician:<identity>`. */
  readonly actor: string;
  /** Why staff retrieve or a technician opens; reported to the office. */
  readonly reason?: string | undefined;
  /** A technician's open of a compartment that holds a document: only with `--force` (CompartmentService). */
  readonly forced?: boolean | undefined;
  /** With `forced`: the technician says the document stays where it is; otherwise staff must check it. */
  readonly documentStays?: boolean | undefined;
}

/**
 * Writes what the compartment machines decide, each step in one transaction with its audit row and its
 * outbox event: the intent before the unlock bytes go out, and every outcome after.
 */
export class CompartmentJournal {
  constructor(readonly db: Db, readonly audit: AuditLog, readonly outbox: Outbox, private readonly clock: Clock) {}

  /** Before the bytes: the intent, its audit row, and for a technician the `technician.open` event. */
  writeIntent(r: IntentRequest): number {
    return this.db.transaction((): number => {
      const now = isoWall(this.clock);
      const info = this.db.prepare('INSERT INTO unlock_intent (compartment_id, purpose, authorization_id, actor, status, created_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.compartmentId, r.purpose, r.authorizationId ?? null, r.actor, 'pending', now, r.reason ?? null);
      const id = Number(info.lastInsertRowid);
      const forced = r.purpose === 'technician' ? { forced: r.forced === true, ...(r.forced === true ? { documentStays: r.documentStays === true } : {}) } : {};
      this.audit.append({
        actor: r.actor, action: 'compartment.unlock', subject: `compartment:${r.compartmentId}`,
        detail: { intent: id, purpose: r.purpose, authorizationId: r.authorizationId ?? null, reason: r.reason ?? null, ...forced },
      });
      if (r.purpose === 'technician') {
        this.outbox.append('technician.open', { compartment: r.compartmentId, reason: r.reason ?? '', actor: r.actor, ...forced, ...(r.authorizationId !== undefined ? { authorizationId: r.authorizationId } : {}) });
        // What becomes of the document is said, not assumed: unless the technician vouches for it, staff check it.
        if (r.forced === true && r.authorizationId !== undefined && r.documentStays !== true) flagForStaff(this, r.authorizationId, 'opened-by-technician', r.actor);
      }
      return id;
    })();
  }

  intent(id: number): IntentRow | undefined {
    return this.db.prepare('SELECT id, compartment_id, purpose, authorization_id, actor, status, reason FROM unlock_intent WHERE id = ?').get(id) as IntentRow | undefined;
  }

  /** The open intents (an unlock sent or about to be) of every compartment, newest first. */
  openIntents(): IntentRow[] {
    return this.db.prepare("SELECT id, compartment_id, purpose, authorization_id, actor, status, reason FROM unlock_intent WHERE status IN ('pending', 'confirmed', 'unknown') ORDER BY id DESC").all() as IntentRow[];
  }

  /** A pending intent found at start: the process died between the intent and its outcome. Never repeated. */
  markUnknownAfterRestart(intent: IntentRow): void {
    this.db.transaction(() => {
      this.setIntent(intent.id, 'unknown');
      this.audit.append({ actor: 'system', action: 'compartment.unlock-unknown-after-restart', subject: `compartment:${intent.compartment_id}`, detail: { intent: intent.id, purpose: intent.purpose } });
    })();
  }

  /** Persists one emitted event of a compartment machine. `intent` is the request it belongs to, if any. */
  record(e: CompartmentEmitted, intent: IntentRow | undefined): void {
    this.db.transaction(() => {
      const now = isoWall(this.clock);
      const setState = (state: string, faultKind: string | null = null): void => {
        this.db.prepare('UPDATE compartment SET state = ?, fault_kind = ?, updated_at = ? WHERE id = ?').run(state, faultKind, now, e.id);
      };
      switch (e.type) {
        case 'state': {
          const row = this.db.prepare('SELECT state FROM compartment WHERE id = ?').get(e.id) as { state: string } | undefined;
          if (row !== undefined && row.state !== e.state) setState(e.state, e.state === 'fault' ? this.faultKind(e.id) : null);
          return;
        }
        case 'opened':
          if (intent !== undefined) this.setIntent(intent.id, 'confirmed');
          setState('open');
          this.audit.append({ actor: intent?.actor ?? 'system', action: 'compartment.opened', subject: `compartment:${e.id}`, detail: { purpose: e.purpose, authorizationId: e.authorizationId ?? null } });
          return;
        case 'open-refused':
          if (intent !== undefined) this.setIntent(intent.id, 'failed');
          this.audit.append({ actor: intent?.actor ?? 'system', action: 'compartment.open-refused', subject: `compartment:${e.id}`, detail: { purpose: e.purpose, error: e.error } });
          return;
        case 'fault':
          if (intent !== undefined) this.setIntent(intent.id, e.kind === 'unlock-unknown' ? 'unknown' : 'failed');
          setState('fault', e.kind);
          this.outbox.append('compartment.fault', { compartment: e.id, kind: e.kind });
          this.audit.append({ actor: 'system', action: 'compartment.fault', subject: `compartment:${e.id}`, detail: { kind: e.kind, purpose: e.purpose ?? null } });
          return;
        case 'alarm':
          this.outbox.append('alarm', { kind: e.kind, compartment: e.id });
          this.audit.append({ actor: 'system', action: `alarm.${e.kind}`, subject: `compartment:${e.id}` });
          if (e.kind === 'forced-open') setState('open');
          return;
        case 'closed':
          this.closed(e, intent, now);
          return;
      }
    })();
  }

  private closed(e: Extract<CompartmentEmitted, { type: 'closed' }>, intent: IntentRow | undefined, now: string): void {
    const actor = intent?.actor ?? 'system';
    const staffId = actor.startsWith('staff:') ? actor.slice('staff:'.length) : actor;
    if (intent !== undefined) this.setIntent(intent.id, 'closed');
    const auth = e.authorizationId;
    if (e.purpose === 'load' && auth !== undefined) {
      const ok = this.db.prepare("UPDATE authorization SET status = 'loaded', compartment_id = ?, loaded_at = ? WHERE id = ? AND status = 'pending'").run(e.id, now, auth);
      if (ok.changes === 1) this.outbox.append('document.loaded', { authorizationId: auth, compartment: e.id, staffId });
    } else if (e.purpose === 'release' && auth !== undefined) {
      // Single use: only a still-loaded authorization becomes collected, once.
      const ok = this.db.prepare("UPDATE authorization SET status = 'collected', compartment_id = NULL, closed_at = ? WHERE id = ? AND status = 'loaded'").run(now, auth);
      if (ok.changes === 1) {
        const receiptId = `R-${randomBytes(6).toString('hex').toUpperCase()}`;
        this.db.prepare('INSERT INTO receipt (id, authorization_id, compartment_id, at) VALUES (?, ?, ?, ?)').run(receiptId, auth, e.id, now);
        this.outbox.append('document.collected', { authorizationId: auth, compartment: e.id, receiptId });
      }
    } else if (e.purpose === 'retrieve' && auth !== undefined) {
      const ok = this.db.prepare("UPDATE authorization SET status = 'retrieved', compartment_id = NULL, closed_at = ? WHERE id = ? AND status = 'loaded'").run(now, auth);
      if (ok.changes === 1) this.outbox.append('document.retrieved', { authorizationId: auth, compartment: e.id, staffId, reason: intent?.reason ?? 'on-request' });
    }
    this.db.prepare('UPDATE compartment SET state = ?, fault_kind = NULL, updated_at = ? WHERE id = ?').run(e.hasDocument ? 'occupied' : 'free', now, e.id);
    this.audit.append({ actor, action: 'compartment.closed', subject: `compartment:${e.id}`, detail: { purpose: e.purpose, authorizationId: auth ?? null } });
  }

  private faultKind(id: number): string | null {
    const row = this.db.prepare('SELECT fault_kind FROM compartment WHERE id = ?').get(id) as { fault_kind: string | null } | undefined;
    return row?.fault_kind ?? null;
  }

  private setIntent(id: number, status: IntentRow['status']): void {
    this.db.prepare('UPDATE unlock_intent SET status = ?, resolved_at = ? WHERE id = ?').run(status, isoWall(this.clock), id);
  }
}
