import type { Queryable } from '../db/db.js';
import type { Vault } from '../vault.js';

export type SmsKind = 'code' | 'new-code' | 'reminder';

export const smsPurpose = (documentId: string, kind: SmsKind): string => `sms:${documentId}:${kind}`;

/**
 * Queues a text message inside the transaction that decides it, so it exists exactly when what it announces
 * was committed (DESIGN.md §6, "messages after commit"). The worker (outbox.ts) sends it afterwards.
 */
export async function queueSms(tx: Queryable, vault: Vault, documentId: string, kind: SmsKind, to: string, message: string): Promise<void> {
  const sealed = vault.seal(JSON.stringify({ to, message }), smsPurpose(documentId, kind));
  await tx.query('INSERT INTO sms_job (document_id, kind, payload_sealed) VALUES ($1, $2, $3)', [documentId, kind, sealed]);
}

/** A code that was replaced or withdrawn must not go out late: waiting jobs are cancelled and their text wiped. */
export async function cancelWaitingSms(tx: Queryable, documentId: string, kinds: readonly SmsKind[]): Promise<void> {
  await tx.query(
    "UPDATE sms_job SET state = 'cancelled', payload_sealed = NULL WHERE document_id = $1 AND state = 'waiting' AND kind = ANY($2::text[])",
    [documentId, kinds],
  );
}
