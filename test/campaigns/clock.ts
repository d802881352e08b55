/**
 * Campaign 6, the clock: the Pi has no battery-backed clock, so its wall time may start in 1970, or run ten years
 * ahead, or three days behind. Expiry must then be judged conservatively (never later than the office's proven
 * time: a document the office considers expired is refused), guessing lockouts (on the monotonic clock) must not
 * move, and nothing may be ordered by wall time (outbox and audit keep their sequence and chain).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialCheck } from '../../src/core/credential-check.js';
import type { CompartmentService } from '../../src/core/compartments.js';
import { PickupService } from '../../src/core/pickup.js';
import { verifyAudit } from '../../src/store/audit.js';
import { Authorizations } from '../../src/store/authorizations.js';
import { DocumentTypes } from '../../src/store/document-types.js';
import { GuessStore } from '../../src/store/guess-store.js';
import { openStore } from '../../src/store/store.js';
import { TrustedClock } from '../../src/sync/trusted-clock.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { contractLimits } from './keypad-attack.js';

const officeNow = Date.parse('2026-11-25T10:00:00Z');
const day = 86_400_000;

export interface ClockScenario {
  readonly name: string;
  readonly wallMs: number;
  /** What the pickups answered: the document the office considers expired, and the one still valid. */
  readonly expiredDocument: string;
  readonly validDocument: string;
  /** Lockout time left before and after the wall clock jumped (seconds), and whether it lifted after 15 min. */
  readonly lockoutBefore: number;
  readonly lockoutAfterJump: number;
  readonly liftedAfter15Min: boolean;
  readonly seqsInOrder: boolean;
  readonly auditIntact: boolean;
}

export const scenarios: [string, number][] = [
  ['wall clock at 1970', 0],
  ['ten years ahead', officeNow + 3_652 * day],
  ['three days behind', officeNow - 3 * day],
];

export function clockScenario(name: string, wallMs: number): ClockScenario {
  const dir = mkdtempSync(join(tmpdir(), 'urz-clock-'));
  const clock = new ManualClock(officeNow);
  const store = openStore(dir, clock);
  try {
    insertAuthorization(store.db, { id: 'EXPIRED', phone: '600100201', code: '11112222', compartment: 1, expiresAt: new Date(officeNow - day).toISOString() });
    insertAuthorization(store.db, { id: 'VALID', phone: '600100202', code: '22223333', compartment: 2, expiresAt: new Date(officeNow + 2 * day).toISOString() });
    // The office's last feed said it was officeNow; then the wall clock goes wrong.
    const time = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs: () => officeNow });
    time.observe(officeNow);
    const guesses = new GuessStore(store.db, clock, 'campaign');
    const check = new CredentialCheck({ db: store.db, authorizations: new Authorizations(store.db), guesses, outbox: store.outbox, audit: store.audit, codeKey: testKey, limits: contractLimits, clock, lockerId: 'campaign' });
    // authorize() never opens anything: no compartments are needed to see what a pickup would do.
    const pickup = new PickupService({ db: store.db, documentTypes: new DocumentTypes(store.db), check, compartments: {} as CompartmentService, audit: store.audit, outbox: store.outbox, clock, expiryNow: () => time.conservativeNowMs() });
    const answer = (phone: string, code: string): string => {
      const a = pickup.authorize({ phone, code });
      return 'status' in a ? `${a.status} ${'reason' in a.body && a.body.reason !== undefined ? a.body.reason : a.body.result}` : `would open ${a.compartment}`;
    };

    clock.advance(60_000);
    for (let i = 0; i < 6; i++) check.check({ phone: '600999999', code: `0000000${i}` });
    const lockedFor = (): number => { const r = check.check({ phone: '600999999', code: '12345678' }); return r.result === 'locked-out' ? r.retryAfterS : 0; };
    const lockoutBefore = lockedFor();
    const seqBefore = store.outbox.depth().lastSeq;

    clock.setWall(wallMs);
    const lockoutAfterJump = lockedFor();
    clock.advance(15 * 60_000 + 1_000);
    const expiredDocument = answer('600100201', '11112222');
    const validDocument = answer('600100202', '22223333');
    const liftedAfter15Min = !expiredDocument.startsWith('429');
    // Events written while the wall clock is wrong still follow in sequence, and the chain holds.
    store.audit.append({ actor: 'system', action: 'campaign.marker' });
    store.outbox.append('alarm', { kind: 'campaign-marker' });
    const seqs = (store.db.prepare('SELECT seq FROM outbox ORDER BY rowid').all() as { seq: number }[]).map((r) => r.seq);
    const seqsInOrder = seqs.every((s, i) => s === i + 1) && store.outbox.depth().lastSeq > seqBefore;
    return { name, wallMs, expiredDocument, validDocument, lockoutBefore, lockoutAfterJump, liftedAfter15Min, seqsInOrder, auditIntact: verifyAudit(store.db).ok };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
