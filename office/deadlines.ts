import { appendChanges } from './change-log.js';
import type { OfficeContext } from './context.js';
import { recordHistory } from './document-history.js';
import { phonePurpose } from './documents.js';
import { reminderMessage } from './sms/message.js';
import { cancelWaitingSms, queueSms } from './sms/jobs.js';

const dayMs = 86_400_000;

/**
 * What the passing of time does to documents, run every minute by the service:
 * - a document past its deadline and not collected becomes `expired`. The locker is also sent a revocation
 *   (reason `expired`), so one whose clock cannot be trusted still stops releasing it and puts a loaded one on
 *   the staff's list to take back;
 * - a loaded document whose deadline is within a day gets one reminder (without the code, which the office
 *   no longer has).
 * Returns how many of each, for the log and the tests.
 */
export async function sweepDeadlines(ctx: OfficeContext): Promise<{ expired: number; reminded: number }> {
  const now = ctx.now();
  const expired = await ctx.db.transaction(async (tx) => {
    const due = await tx.query<{ id: string; locker_id: string }>(
      `SELECT id, locker_id FROM document WHERE status IN ('pending', 'loaded') AND expires_at <= $1 ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    for (const d of due.rows) {
      // No text goes out for it any more (no new code, no reminder): the phone number goes.
      await tx.query("UPDATE document SET status = 'expired', phone_sealed = NULL, updated_at = now() WHERE id = $1", [d.id]);
      await cancelWaitingSms(tx, d.id, ['code', 'new-code', 'reminder']);
      await recordHistory(tx, d.id, 'expired', null, {}, now);
    }
    await appendChanges(tx, due.rows.map((d) => ({ lockerId: d.locker_id, change: { type: 'authorization.revoke', id: d.id, reason: 'expired' } })));
    return due.rowCount;
  });
  const reminded = await ctx.db.transaction(async (tx) => {
    const due = await tx.query<{ id: string; phone_sealed: string; expires_at: Date; name_pl: string; locker_name: string }>(
      `SELECT d.id, d.phone_sealed, d.expires_at, t.name_pl, l.name AS locker_name
         FROM document d JOIN document_type t ON t.code = d.document_type JOIN locker l ON l.id = d.locker_id
        WHERE d.status = 'loaded' AND NOT d.reminder_queued AND d.phone_sealed IS NOT NULL AND d.expires_at > $1 AND d.expires_at <= $2
        ORDER BY d.id LIMIT 500 FOR UPDATE OF d SKIP LOCKED`,
      [now, new Date(now.getTime() + dayMs)],
    );
    for (const d of due.rows) {
      const phone = ctx.vault.open(d.phone_sealed, phonePurpose(d.id));
      await queueSms(tx, ctx.vault, d.id, 'reminder', phone, reminderMessage({ documentName: d.name_pl, lockerName: d.locker_name, expiresAt: d.expires_at }));
      await tx.query('UPDATE document SET reminder_queued = true WHERE id = $1', [d.id]);
      await recordHistory(tx, d.id, 'sms-queued', null, { kind: 'reminder' }, now);
    }
    return due.rowCount;
  });
  return { expired, reminded };
}
