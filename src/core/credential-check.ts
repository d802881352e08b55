import type { Clock } from '../clock.js';
import { codeMac, macEquals, normalizeCode, normalizePhone, parseQr, phoneMac } from '../wire/credentials.js';
import { expire, gate, recordFailure, recordSuccess, resetDevice, type Limits } from '../domain/guess-limits.js';
import type { AuditLog } from '../store/audit.js';
import type { AuthorizationRow, Authorizations } from '../store/authorizations.js';
import type { GuessStore } from '../store/guess-store.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';

export type PickupCredentials = { readonly phone: string; readonly code: string } | { readonly qr: string };

export type CheckResult =
  | { readonly result: 'locked-out'; readonly retryAfterS: number }
  | { readonly result: 'rejected' }
  /** The code is right: every authorization it opens (usually one), for the pickup rules to judge. */
  | { readonly result: 'match'; readonly authorizations: readonly AuthorizationRow[]; readonly phoneMac: string };

export interface CredentialCheckDeps {
  readonly db: Db;
  readonly authorizations: Authorizations;
  readonly guesses: GuessStore;
  readonly outbox: Outbox;
  readonly audit: AuditLog;
  readonly codeKey: Buffer;
  readonly limits: Limits;
  readonly clock: Clock;
  readonly lockerId: string;
}

/**
 * Checks a phone number and code (or a QR string) against the stored MACs under the guessing limits.
 * Every comparison runs over a fixed number of MACs, right or wrong, so the answer's timing does not tell
 * whether the phone number is known. Failures, lockouts and the brute-force alarm are committed together.
 */
export class CredentialCheck {
  /** Comparisons made per check whatever the number of candidates: more candidates than this are all compared. */
  static readonly minComparisons = 4;
  private readonly dummyMac: string;

  constructor(private readonly d: CredentialCheckDeps) {
    this.dummyMac = codeMac(d.codeKey, 'dummy');
  }

  check(input: PickupCredentials): CheckResult {
    const parsed = 'qr' in input ? parseQr(input.qr, this.d.lockerId) : { phone: normalizePhone(input.phone), code: normalizeCode(input.code) };
    const phone = parsed?.phone;
    const code = parsed?.code;
    const pMac = phoneMac(this.d.codeKey, phone ?? 'invalid');
    const cMac = codeMac(this.d.codeKey, code ?? 'invalid');

    return this.d.db.transaction((): CheckResult => {
      const now = this.d.clock.monoMs();
      const device = this.d.guesses.device();
      expire(device, now);
      const phoneState = phone === undefined ? undefined : this.d.guesses.phone(pMac);
      const g = gate(device, phoneState, now);
      if (!g.open) return { result: 'locked-out', retryAfterS: g.retryAfterS };

      const candidates = phone === undefined ? [] : this.d.authorizations.forPhone(pMac);
      const matches: AuthorizationRow[] = [];
      const rounds = Math.max(CredentialCheck.minComparisons, candidates.length);
      for (let i = 0; i < rounds; i++) {
        const c = candidates[i];
        const equal = macEquals(c?.code_mac ?? this.dummyMac, cMac);
        if (c !== undefined && equal && code !== undefined) matches.push(c);
      }

      if (matches.length > 0) {
        // A right code is neither a failure nor, by itself, a success: anyone who knows one code (their own
        // document, collected long ago) could otherwise type it between guesses to wipe the rows. Only a release
        // that opened a compartment resets them (`recordRelease`). The state is written back unchanged all the
        // same: the same work as a failure, so the answer's time does not tell a right code from a wrong one.
        this.d.guesses.saveDevice(device);
        if (phoneState !== undefined) this.d.guesses.savePhone(pMac, phoneState);
        return { result: 'match', authorizations: matches, phoneMac: pMac };
      }

      const outcome = recordFailure(this.d.limits, device, phoneState, now);
      this.d.guesses.saveDevice(device);
      if (phoneState !== undefined) this.d.guesses.savePhone(pMac, phoneState);
      if (outcome.bruteForce) {
        this.d.outbox.append('alarm', { kind: 'brute-force', failuresInRow: device.failuresInRow });
        this.d.audit.append({ actor: 'system', action: 'alarm.brute-force', detail: { failuresInRow: device.failuresInRow } });
      }
      if (outcome.dayLocked) {
        this.d.outbox.append('alarm', { kind: 'brute-force', dailyLimitReached: true });
        this.d.audit.append({ actor: 'system', action: 'lockout.day', detail: { failures: device.dayFailures.length } });
      }
      if (outcome.phoneLocked) this.d.audit.append({ actor: 'system', action: 'lockout.phone', detail: { lockouts: phoneState?.lockouts ?? 0 } });
      return { result: 'rejected' };
    })();
  }

  /** A compartment opened for this phone's document: the rows of failures start again (not the daily count). */
  recordRelease(phoneMacHex: string): void {
    this.d.db.transaction(() => {
      const device = this.d.guesses.device();
      const phoneState = this.d.guesses.phone(phoneMacHex);
      recordSuccess(device, phoneState);
      this.d.guesses.saveDevice(device);
      this.d.guesses.savePhone(phoneMacHex, phoneState);
    })();
  }

  /** The device-wide guessing state, for the technician (no phone number or code in it). */
  deviceLockout(): { locked: boolean; retryAfterS: number; scope: string | undefined; failuresInRow: number; failuresToday: number } {
    const now = this.d.clock.monoMs();
    const device = this.d.guesses.device();
    expire(device, now);
    const g = gate(device, undefined, now);
    return {
      locked: !g.open, retryAfterS: g.open ? 0 : g.retryAfterS, scope: g.open ? undefined : g.scope,
      failuresInRow: device.failuresInRow, failuresToday: device.dayFailures.length,
    };
  }

  /**
   * Staff, the technician or the office lift the device-wide lockouts: the residents' keypad and the staff login
   * (after a day's cap of PIN failures, no member of staff can log in to do it).
   */
  resetDeviceLockout(actor: string): void {
    this.d.db.transaction(() => {
      for (const scope of ['device', 'staff-device'] as const) {
        const device = this.d.guesses.device(scope);
        resetDevice(device);
        this.d.guesses.saveDevice(device, scope);
      }
      this.d.audit.append({ actor, action: 'lockout.reset' });
    })();
  }
}
