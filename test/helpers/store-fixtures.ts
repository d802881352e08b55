import { codeMac, phoneMac } from '../../src/wire/credentials.js';
import type { Db } from '../../src/store/open.js';

export const testKey = Buffer.alloc(32, 0x42);

/** Inserts an authorization as the feed would, with MACs of the given phone and code. */
export function insertAuthorization(db: Db, a: {
  id: string; phone: string; code: string; status?: string; compartment?: number | null; documentType?: string;
  expiresAt?: string; feeSettled?: boolean; consent?: boolean; size?: 'S' | 'M' | 'L'; revoked?: string | null;
}): void {
  db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent,
      accessible, status, reject_reason, revoked_reason, compartment_id, feed_seq)
    VALUES (?, 'USC.5361.1.2026', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 1)`).run(
    a.id, a.documentType ?? 'odpis-skrocony-aktu-urodzenia', a.size ?? 'S', phoneMac(testKey, a.phone), codeMac(testKey, a.code),
    a.expiresAt ?? '2099-12-02T15:00:00Z', a.feeSettled === false ? 0 : 1, a.consent === false ? 0 : 1, a.status ?? 'loaded',
    a.status === 'rejected' ? 'no-consent' : null, a.revoked ?? null, a.compartment === undefined ? 1 : a.compartment);
}
