import { randomBytes } from 'node:crypto';
import { createActor, type Actor } from 'xstate';
import type { Clock } from '../clock.js';
import type { CompartmentConfig } from '../config/schema.js';
import { macEquals, pinMac } from '../wire/credentials.js';
import { chooseCompartment } from '../domain/compartment-choice.js';
import { expire, gate, recordFailure, recordSuccess, type Limits } from '../domain/guess-limits.js';
import { checkTerms, type RefusalReason } from '../wire/policy.js';
import { mayDo, parseRoles, type StaffAction } from '../domain/staff-roles.js';
import type { AuditLog } from '../store/audit.js';
import { termsOf, type AuthorizationRow, type Authorizations } from '../store/authorizations.js';
import type { DocumentTypes } from '../store/document-types.js';
import type { GuessStore } from '../store/guess-store.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';
import { staffSessionMachine } from '../../state-machines/staff-session.js';
import type { CompartmentService } from './compartments.js';

export const staffIdleLimitMs = 10 * 60_000;

export type LoadRefusal = RefusalReason | 'already-loaded' | 'unknown-authorization' | 'not-permitted';

export type StaffAnswer =
  | { readonly status: 200; readonly body: { result: 'opened'; compartment: number } }
  | { readonly status: 401; readonly body: { result: 'session-expired' } }
  | { readonly status: 403; readonly body: { result: 'rejected'; reason?: LoadRefusal | 'not-loaded' } }
  | { readonly status: 409; readonly body: { result: 'no-free-compartment' } }
  /** Another request is opening (or has opened) a compartment for this document right now: nothing sent. */
  | { readonly status: 409; readonly body: { result: 'already-opening'; compartment: number } }
  | { readonly status: 503; readonly body: { result: 'unavailable' } };

export type LoginAnswer =
  | { readonly status: 200; readonly body: { token: string } }
  | { readonly status: 403; readonly body: { result: 'rejected' } }
  | { readonly status: 429; readonly body: { result: 'locked-out'; retryAfterS: number } };

export interface StaffDeps {
  readonly db: Db;
  readonly authorizations: Authorizations;
  readonly documentTypes: DocumentTypes;
  readonly compartments: CompartmentService;
  readonly layout: readonly CompartmentConfig[];
  readonly guesses: GuessStore;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly codeKey: Buffer;
  readonly limits: Limits;
  readonly clock: Clock;
  /** Defaults to the contract's 10 minutes. */
  readonly idleLimitMs?: number;
  /** The time expiry is judged by (the trusted clock's conservative "now"); the wall clock by default. */
  readonly expiryNow?: () => number;
}

interface Session {
  readonly staffId: string;
  readonly actor: Actor<typeof staffSessionMachine>;
}

/**
 * Civil registry staff at the locker: login by id and PIN (compared as MACs, failures limited like codes),
 * sessions that end after 10 minutes without use, loading into a fitting free compartment, retrieving, and
 * reporting a compartment faulty. Every refusal happens before any unlock.
 */
export class StaffService {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly d: StaffDeps) {}

  login(staffId: string, pin: string): LoginAnswer {
    return this.d.db.transaction((): LoginAnswer => {
      const now = this.d.clock.monoMs();
      const device = this.d.guesses.device('staff-device');
      expire(device, now);
      const person = this.d.guesses.phone(staffId, 'staff');
      const g = gate(device, person, now);
      if (!g.open) return { status: 429, body: { result: 'locked-out', retryAfterS: g.retryAfterS } };
      const row = this.d.db.prepare('SELECT pin_mac, active FROM staff WHERE id = ?').get(staffId) as { pin_mac: string; active: number } | undefined;
      const ok = macEquals(row?.pin_mac ?? '0'.repeat(64), pinMac(this.d.codeKey, staffId, pin)) && row?.active === 1;
      if (!ok) {
        const outcome = recordFailure(this.d.limits, device, person, now);
        this.d.guesses.saveDevice(device, 'staff-device');
        this.d.guesses.savePhone(staffId, person, 'staff');
        this.d.audit.append({ actor: `staff:${staffId}`, action: 'staff.login-failed', detail: { locked: outcome.phoneLocked } });
        // PIN guessing is brute force like code guessing: the same alarm, told apart by its scope.
        if (outcome.bruteForce) {
          this.d.outbox.append('alarm', { kind: 'brute-force', scope: 'staff', failuresInRow: device.failuresInRow });
          this.d.audit.append({ actor: 'system', action: 'alarm.brute-force', detail: { scope: 'staff', failuresInRow: device.failuresInRow } });
        }
        if (outcome.dayLocked) {
          this.d.outbox.append('alarm', { kind: 'brute-force', scope: 'staff', dailyLimitReached: true });
          this.d.audit.append({ actor: 'system', action: 'lockout.day', detail: { scope: 'staff', failures: device.dayFailures.length } });
        }
        return { status: 403, body: { result: 'rejected' } };
      }
      recordSuccess(device, person);
      this.d.guesses.saveDevice(device, 'staff-device');
      this.d.guesses.savePhone(staffId, person, 'staff');
      const token = randomBytes(32).toString('base64url');
      const actor = createActor(staffSessionMachine, {
        input: { staffId, idleLimitMs: this.d.idleLimitMs ?? staffIdleLimitMs },
        clock: { setTimeout: (fn, ms) => this.d.clock.setTimeout(fn, ms), clearTimeout: (h) => this.d.clock.clearTimeout(h) },
      });
      actor.subscribe({
        complete: () => {
          this.sessions.delete(token);
          // A session timing out after its store was closed (a test tearing down) has nowhere to be recorded.
          if (this.d.db.open) this.d.audit.append({ actor: `staff:${staffId}`, action: 'staff.logout', detail: { how: String(actor.getSnapshot().value) } });
        },
      });
      actor.start();
      this.sessions.set(token, { staffId, actor });
      this.d.audit.append({ actor: `staff:${staffId}`, action: 'staff.login' });
      return { status: 200, body: { token } };
    })();
  }

  /** Ends every session (the daemon is stopping); their idle timers must not keep the process alive. */
  stop(): void {
    for (const s of this.sessions.values()) s.actor.stop();
    this.sessions.clear();
  }

  logout(token: string): void {
    this.sessions.get(token)?.actor.send({ type: 'LOGOUT' });
  }

  /**
   * The staff id of a live session, which this use keeps alive; undefined once it expired, or when the member
   * is no longer active (the session ends then, whatever the feed's timing: see `endInactiveSessions`).
   */
  session(token: string): string | undefined {
    const s = this.sessions.get(token);
    if (s === undefined || s.actor.getSnapshot().status !== 'active') return undefined;
    if (this.member(s.staffId)?.active !== 1) {
      s.actor.send({ type: 'DEACTIVATED' });
      return undefined;
    }
    s.actor.send({ type: 'USE' });
    return s.staffId;
  }

  /** After a feed batch: ends at once the sessions of members the office deactivated (or removed). */
  endInactiveSessions(): number {
    let ended = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.actor.getSnapshot().status === 'active' && this.member(s.staffId)?.active !== 1) {
        s.actor.send({ type: 'DEACTIVATED' });
        ended += 1;
      }
    }
    return ended;
  }

  /** A live session whose member's roles allow `action` (contracts.md §5.2 roles; domain/staff-roles.ts). */
  private permitted(token: string, action: StaffAction): { staffId: string } | StaffAnswer {
    const staffId = this.session(token);
    if (staffId === undefined) return { status: 401, body: { result: 'session-expired' } };
    if (!mayDo(parseRoles(this.member(staffId)?.roles ?? '[]'), action)) {
      this.d.audit.append({ actor: `staff:${staffId}`, action: 'staff.not-permitted', detail: { action } });
      return { status: 403, body: { result: 'rejected', reason: 'not-permitted' } };
    }
    return { staffId };
  }

  private member(staffId: string): { active: number; roles: string } | undefined {
    return this.d.db.prepare('SELECT active, roles FROM staff WHERE id = ?').get(staffId) as { active: number; roles: string } | undefined;
  }

  async load(token: string, authorizationId: string): Promise<StaffAnswer> {
    const who = this.permitted(token, 'load');
    if ('status' in who) return who;
    const { staffId } = who;
    const a = this.d.authorizations.get(authorizationId);
    if (a === undefined) return { status: 403, body: { result: 'rejected', reason: 'unknown-authorization' } };
    if (a.status !== 'pending') {
      return { status: 403, body: { result: 'rejected', reason: a.status === 'rejected' ? ((a.reject_reason ?? 'document-type-not-allowed') as RefusalReason) : 'already-loaded' } };
    }
    const verdict = this.terms(a, 'load');
    if (!verdict.ok) {
      this.refuseLoad(a, staffId, verdict.reason);
      return { status: 403, body: { result: 'rejected', reason: verdict.reason } };
    }
    const free = this.d.layout.filter((c) => this.d.compartments.accepts(c.id, 'load') && this.d.compartments.state(c.id) === 'free');
    // A compartment just emptied is still in its lock's pause between unlocks (loading it now would be refused):
    // another that fits is better; if none does, the answer says to try again in a moment.
    const ready = free.filter((c) => this.d.compartments.unlockAllowedNow(c.id));
    const id = chooseCompartment(ready, a.size, a.accessible === 1) ?? chooseCompartment(free, a.size, a.accessible === 1);
    if (id === undefined) return { status: 409, body: { result: 'no-free-compartment' } };
    const r = await this.d.compartments.open({ compartmentId: id, purpose: 'load', authorizationId: a.id, actor: `staff:${staffId}` });
    if (r.result === 'authorization-busy') return { status: 409, body: { result: 'already-opening', compartment: r.compartment } };
    return r.result === 'opened' ? { status: 200, body: { result: 'opened', compartment: r.compartment } } : { status: 503, body: { result: 'unavailable' } };
  }

  async retrieve(token: string, authorizationId: string, reason?: string): Promise<StaffAnswer> {
    const who = this.permitted(token, 'retrieve');
    if ('status' in who) return who;
    const { staffId } = who;
    const a = this.d.authorizations.get(authorizationId);
    if (a === undefined || a.status !== 'loaded' || a.compartment_id === null) return { status: 403, body: { result: 'rejected', reason: 'not-loaded' } };
    // An office expires a document at its deadline by revoking it with reason `expired`: staff take it back as expired.
    const why = reason ?? (a.revoked_reason === 'expired' ? 'expired' : a.revoked_reason !== null ? 'revoked' : this.now() >= Date.parse(a.expires_at) ? 'expired' : a.attention_reason ?? 'on-request');
    const r = await this.d.compartments.open({ compartmentId: a.compartment_id, purpose: 'retrieve', authorizationId: a.id, actor: `staff:${staffId}`, reason: why });
    if (r.result === 'authorization-busy') return { status: 409, body: { result: 'already-opening', compartment: r.compartment } };
    return r.result === 'opened' ? { status: 200, body: { result: 'opened', compartment: r.compartment } } : { status: 503, body: { result: 'unavailable' } };
  }

  reportFault(token: string, compartmentId: number, kind = 'reported-by-staff'): boolean {
    const who = this.permitted(token, 'report-fault');
    if ('status' in who) return false;
    const { staffId } = who;
    const ok = this.d.compartments.send(compartmentId, { type: 'REPORT_FAULT', kind });
    if (ok) this.d.audit.append({ actor: `staff:${staffId}`, action: 'compartment.reported-faulty', subject: `compartment:${compartmentId}`, detail: { kind } });
    return ok;
  }

  /** Documents waiting to be loaded that may be loaded now (allowed, consented, paid, not revoked or expired). */
  toLoad(): AuthorizationRow[] {
    return (this.d.db.prepare("SELECT * FROM authorization WHERE status = 'pending' ORDER BY id").all() as AuthorizationRow[])
      .filter((a) => this.terms(a, 'load').ok);
  }

  /**
   * Loaded documents staff must take back or look at: expired, revoked, no longer releasable under the terms
   * the office last sent, or in a compartment a technician opened (store/attention.ts).
   */
  toRetrieve(): AuthorizationRow[] {
    const now = this.now();
    return (this.d.db.prepare("SELECT * FROM authorization WHERE status = 'loaded' ORDER BY id").all() as AuthorizationRow[])
      .filter((a) => a.revoked_reason !== null || now >= Date.parse(a.expires_at) || a.attention_reason !== null);
  }

  /**
   * Recorded always; when the law itself refuses (the catalogue changed since the authorization arrived, or the
   * consent is missing) the authorization becomes rejected and the office is told, as on arrival.
   */
  private refuseLoad(a: AuthorizationRow, staffId: string, reason: RefusalReason): void {
    this.d.db.transaction(() => {
      this.d.audit.append({ actor: `staff:${staffId}`, action: 'load.refused', subject: `authorization:${a.id}`, detail: { reason } });
      if (reason === 'document-type-not-allowed' || reason === 'no-consent') {
        this.d.db.prepare("UPDATE authorization SET status = 'rejected', reject_reason = ? WHERE id = ? AND status = 'pending'").run(reason, a.id);
        this.d.outbox.append('authorization.rejected', { authorizationId: a.id, reason });
      }
    })();
  }

  private terms(a: AuthorizationRow, stage: 'load' | 'release'): ReturnType<typeof checkTerms> {
    return checkTerms(termsOf(a), this.d.documentTypes.get(a.document_type), stage, this.now());
  }

  private now(): number {
    return this.d.expiryNow?.() ?? this.d.clock.wallMs();
  }
}
