import type { AuditLog } from './audit.js';
import type { Db } from './open.js';
import type { Outbox } from './outbox.js';

/**
 * Why staff must look at a loaded document (column `attention_reason`): its terms as last sent by the office no
 * longer allow release, or a technician opened its compartment and did not say the document stays. Such a
 * document is on the staff's list to take back. A reason of the law is reported to the office once, as
 * `authorization.rejected`, however many times the feed or a resident at the keypad runs into it.
 */
export type AttentionReason = 'document-type-not-allowed' | 'no-consent' | 'opened-by-technician';

const lawReasons: ReadonlySet<string> = new Set(['document-type-not-allowed', 'no-consent']);

/** The reasons that keep a document from release by law (the arrival checks of wire/policy.ts). */
export function isLawReason(r: string): r is 'document-type-not-allowed' | 'no-consent' {
  return lawReasons.has(r);
}

/** Marks a loaded document for staff; call inside the caller's transaction. Returns whether anything changed. */
export function flagForStaff(d: { db: Db; outbox: Outbox; audit: AuditLog }, authorizationId: string, reason: AttentionReason, actor: string): boolean {
  const row = d.db.prepare("SELECT attention_reason AS r, compartment_id AS c FROM authorization WHERE id = ? AND status = 'loaded'").get(authorizationId) as { r: string | null; c: number } | undefined;
  if (row === undefined || row.r === reason) return false;
  // A reason of the law outranks a technician's open: it says the document must not be released at all.
  if (row.r !== null && lawReasons.has(row.r) && !lawReasons.has(reason)) return false;
  d.db.prepare('UPDATE authorization SET attention_reason = ? WHERE id = ?').run(reason, authorizationId);
  d.audit.append({ actor, action: 'authorization.needs-staff', subject: `authorization:${authorizationId}`, detail: { reason, compartment: row.c } });
  if (lawReasons.has(reason) && (row.r === null || !lawReasons.has(row.r))) d.outbox.append('authorization.rejected', { authorizationId, reason });
  return true;
}

/** The office's terms allow release again: a reason of the law no longer holds (a technician's open still does). */
export function clearLawFlag(db: Db, authorizationId: string): void {
  db.prepare("UPDATE authorization SET attention_reason = NULL WHERE id = ? AND attention_reason IN ('document-type-not-allowed', 'no-consent')").run(authorizationId);
}
