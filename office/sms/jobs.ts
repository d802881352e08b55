import type { Queryable } from '../db/db.js';
import type { Vault } from '../vault.js';

export type SmsKind = 'code' | 'new-code' | 'reminder';

export const smsPurpose = (documentId: string, kind: SmsKind): string => `sms:${documentId}:${kind}`;

/** What an sms_job row keeps of a message until the gateway took it. */
export function sealSms(vault: Vault, documentId: string, kind: SmsKind, to: string, message: string): string {
  return vault.seal(JSON.stringify({ to, message }), smsPurpose(documentId, kind));
}

/**
 * Queues a text message inside the transaction that decides it, so it exists exactly when what it announces
 * was committed (DESIGN.md §6, "messages after commit"). The worker (outbox.ts) sends it afterwards.
 */
export async function queueSms(tx: Queryable, vault: Vault, documentId: string, kind: SmsKind, to: string, message: string): Promise<void> {
  const sealed = sealSms(vault, documentId, kind, to, message);
  await tx.query('INSERT INTO sms_job (document_id, kind, payload_sealed) VALUES ($1, $2, $3)', [documentId, kind, sealed]);
}

/**
 * A code that was replaced or withdrawn must not go out late: jobs not yet sent are cancelled and their text wiped,
 * those being sent too (an attempt that fails then leaves them cancelled, see SmsOutbox's mark; one that succeeds
 * is still recorded as sent).
 */
export async function cancelWaitingSms(tx: Queryable, documentId: string, kinds: readonly SmsKind[]): Promise<void> {
  await tx.query(
    "UPDATE sms_job SET state = 'cancelled', payload_sealed = NULL WHERE document_id = $1 AND state IN ('waiting', 'sending') AND kind = ANY($2::text[])",
    [documentId, kinds],
  );
}
