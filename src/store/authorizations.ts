import type { AuthorizationTerms } from '../wire/policy.js';
import type { Db } from './open.js';

export type AuthorizationStatus = 'pending' | 'rejected' | 'loaded' | 'collected' | 'retrieved';

/** An authorization as stored: MACs only, never a phone number or code. */
export interface AuthorizationRow {
  readonly id: string;
  readonly case_ref: string;
  readonly document_type: string;
  readonly size: 'S' | 'M' | 'L';
  readonly phone_mac: string;
  readonly code_mac: string;
  readonly expires_at: string;
  readonly fee_settled: 0 | 1;
  readonly consent: 0 | 1;
  readonly accessible: 0 | 1;
  readonly status: AuthorizationStatus;
  readonly reject_reason: string | null;
  readonly revoked_reason: string | null;
  readonly compartment_id: number | null;
  readonly loaded_at: string | null;
  readonly closed_at: string | null;
  readonly feed_seq: number;
  /** Why staff must look at this loaded document (store/attention.ts); null when nothing is wrong. */
  readonly attention_reason: string | null;
}

/** Reads of the authorization table; writes happen inside the transactions of the services that own them. */
export class Authorizations {
  private readonly byPhone;
  private readonly byId;

  constructor(private readonly db: Db) {
    this.byPhone = db.prepare('SELECT * FROM authorization WHERE phone_mac = ? ORDER BY id');
    this.byId = db.prepare('SELECT * FROM authorization WHERE id = ?');
  }

  /** Every authorization for a phone MAC, whatever its status (the caller decides what each means). */
  forPhone(phoneMac: string): AuthorizationRow[] {
    return this.byPhone.all(phoneMac) as AuthorizationRow[];
  }

  get(id: string): AuthorizationRow | undefined {
    return this.byId.get(id) as AuthorizationRow | undefined;
  }
}

/** The fields the document policy judges. */
export function termsOf(a: AuthorizationRow): AuthorizationTerms {
  return { documentType: a.document_type, consent: a.consent === 1, feeSettled: a.fee_settled === 1, revoked: a.revoked_reason !== null, expiresAtMs: Date.parse(a.expires_at) };
}
