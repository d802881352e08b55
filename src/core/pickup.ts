import type { Clock } from '../clock.js';
import { checkTerms, type RefusalReason } from '../wire/policy.js';
import { flagForStaff, isLawReason } from '../store/attention.js';
import type { AuditLog } from '../store/audit.js';
import { termsOf, type AuthorizationRow } from '../store/authorizations.js';
import type { DocumentTypes } from '../store/document-types.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';
import type { CompartmentService } from './compartments.js';
import type { CredentialCheck, PickupCredentials } from './credential-check.js';

/**
 * Why a right code still opens nothing; only ever said to someone who proved they know the code.
 * Everything wrong with the phone or code itself is the one uniform `rejected`.
 */
export type PickupRefusal = RefusalReason | 'not-loaded-yet' | 'already-collected' | 'retrieved' | 'already-open' | 'held-for-check';

/** The kiosk API's answers (contracts.md §3), status and body. */
export type PickupAnswer =
  | { readonly status: 200; readonly body: { result: 'opened'; compartment: number } }
  | { readonly status: 403; readonly body: { result: 'rejected'; reason?: PickupRefusal } }
  | { readonly status: 429; readonly body: { result: 'locked-out'; retryAfterS: number } }
  | { readonly status: 503; readonly body: { result: 'unavailable' } };

export interface PickupDeps {
  readonly db: Db;
  readonly documentTypes: DocumentTypes;
  readonly check: CredentialCheck;
  readonly compartments: CompartmentService;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly clock: Clock;
  /** The time expiry is judged by (the trusted clock's conservative "now"); the wall clock by default. */
  readonly expiryNow?: () => number;
}

/** Credentials and law checked: the compartment that holds the document. */
export interface Authorized {
  readonly authorizationId: string;
  readonly compartment: number;
}

const rejected: PickupAnswer = { status: 403, body: { result: 'rejected' } };

/**
 * A resident's pickup: credentials under the guessing limits, the law checked a third time at release, then
 * the one compartment that holds the document opened and read back. The document counts as collected when
 * its door shuts again (the compartment service records that, with the receipt).
 */
export class PickupService {
  constructor(private readonly d: PickupDeps) {}

  /** Both steps at once: the kiosk API's `POST /api/pickup`. */
  async pickup(creds: PickupCredentials): Promise<PickupAnswer> {
    const a = this.authorize(creds);
    return 'status' in a ? a : this.release(a);
  }

  /** Step one: the credentials and the law. Names the compartment to open, or gives the answer to show. */
  authorize(creds: PickupCredentials): Authorized | PickupAnswer {
    const r = this.d.check.check(creds);
    if (r.result === 'locked-out') return { status: 429, body: { result: 'locked-out', retryAfterS: r.retryAfterS } };
    if (r.result === 'rejected') return rejected;

    const loaded = r.authorizations.filter((a) => a.status === 'loaded' && a.compartment_id !== null);
    const a = loaded[0];
    if (a === undefined) return { status: 403, body: { result: 'rejected', reason: this.whyNotHere(r.authorizations) } };

    const verdict = checkTerms(termsOf(a), this.d.documentTypes.get(a.document_type), 'release', this.d.expiryNow?.() ?? this.d.clock.wallMs());
    if (!verdict.ok) {
      this.refused(a, verdict.reason);
      return { status: 403, body: { result: 'rejected', reason: verdict.reason } };
    }
    if (a.attention_reason === 'opened-by-technician') {
      // A technician forced its compartment open without vouching for it: nobody can say it is still there and
      // untouched, so it no longer counts as loaded for release; staff take it back (the kiosk sends the resident
      // to the counter).
      this.d.audit.append({ actor: 'resident', action: 'pickup.refused', subject: `authorization:${a.id}`, detail: { reason: 'held-for-check', compartment: a.compartment_id } });
      return { status: 403, body: { result: 'rejected', reason: 'held-for-check' } };
    }
    return { authorizationId: a.id, compartment: a.compartment_id! };
  }

  /** Step two: open that compartment once and read the latch back. */
  async release(a: Authorized): Promise<PickupAnswer> {
    const opened = await this.d.compartments.open({ compartmentId: a.compartment, purpose: 'release', authorizationId: a.authorizationId, actor: 'resident' });
    switch (opened.result) {
      case 'opened': {
        // A real release, and only that, starts the rows of failures again (its phone's and the device's).
        const owner = this.d.db.prepare('SELECT phone_mac AS p FROM authorization WHERE id = ?').get(a.authorizationId) as { p: string } | undefined;
        if (owner !== undefined) this.d.check.recordRelease(owner.p);
        return { status: 200, body: { result: 'opened', compartment: opened.compartment } };
      }
      case 'busy':
        // Its door is open or opening now: never a second unlock for one code.
        return { status: 403, body: { result: 'rejected', reason: 'already-open' } };
      default:
        return { status: 503, body: { result: 'unavailable' } };
    }
  }

  private whyNotHere(all: readonly AuthorizationRow[]): PickupRefusal {
    if (all.some((a) => a.status === 'pending')) return 'not-loaded-yet';
    if (all.some((a) => a.status === 'collected')) return 'already-collected';
    if (all.some((a) => a.status === 'retrieved')) return a0(all).revoked_reason !== null ? 'revoked' : 'retrieved';
    return 'document-type-not-allowed';
  }

  /** A refusal at release is recorded; a document the law keeps at the counter is also reported. */
  private refused(a: AuthorizationRow, reason: RefusalReason): void {
    this.d.db.transaction(() => {
      this.d.audit.append({ actor: 'resident', action: 'pickup.refused', subject: `authorization:${a.id}`, detail: { reason, compartment: a.compartment_id } });
      if (isLawReason(reason)) {
        // Reported to the office once (it may have been already, when the feed changed the terms), and on the
        // staff's list to take back.
        flagForStaff(this.d, a.id, reason, 'resident');
        this.d.outbox.append('alarm', { kind: 'policy-refused-at-release', compartment: a.compartment_id });
      }
    })();
  }

}

function a0(all: readonly AuthorizationRow[]): AuthorizationRow {
  return all.find((a) => a.status === 'retrieved') ?? all[0]!;
}
