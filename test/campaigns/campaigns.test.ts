import { describe, expect, it } from 'vitest';
import { auditTampering } from './audit-tampering.js';
import { busFaultFamilies, busFaults } from './bus-faults.js';
import { clockScenario, scenarios } from './clock.js';
import { feedAttack } from './feed-attack.js';
import { soak, soakVerdict } from './soak.js';
import { contractLimits, keypadAttack } from './keypad-attack.js';

/**
 * The reliability campaigns in their short mode, as CI runs them (`npm run campaigns -- --long` runs them at
 * full size by hand; the figures are in docs/RELIABILITY.md).
 */
describe('campaign: keypad attack (short)', () => {
  it.each([
    ['a bot at one guess a second', { guesses: 2_000, codes: 200, paceMs: 1_000, patient: false }],
    ['a patient attacker who waits as told', { guesses: 400, codes: 200, paceMs: 1_000, patient: true }],
    ['a bot that types a code it knows between every four guesses', { guesses: 2_000, codes: 200, paceMs: 1_000, patient: false, knownCodeEvery: 4 }],
  ])('%s: nothing opens, failures held to the limits, the alarm within a minute', (_who, o) => {
    const r = keypadAttack(o);
    expect(r.opens).toBe(0);
    expect(r.checked + r.lockedOutAnswers).toBe(o.guesses);
    expect(r.longestQuickRun).toBeLessThanOrEqual(contractLimits.deviceFailuresInRow);
    expect(r.maxCheckedPer24h).toBeLessThanOrEqual(contractLimits.deviceFailuresPerDay);
    expect(r.alarmAfterS).toBeDefined();
    expect(r.alarmAfterS!).toBeLessThanOrEqual(60);
  });
});

describe('campaign: audit tampering (short)', () => {
  it('200 random edits, forgeries, deletions (inside and at the tail) and reorderings: all detected', () => {
    const r = auditTampering({ trials: 200, rows: 120 });
    expect(r.detected).toBe(r.trials);
    for (const k of Object.values(r.byKind)) expect(k.tried).toBeGreaterThanOrEqual(40);
  });
});

describe('campaign: feed attack (short)', () => {
  it('220 forged or mangled batches and every genuine batch replayed twice after a restart: none applied', () => {
    const r = feedAttack({ forgeries: 220, genuineBatches: 10 });
    expect(r.applied).toBe(0);
    expect(r.tableUnchanged).toBe(true);
    expect(r.cursor).toBe(50);
    expect(r.replayed).toBe(20);
    expect(Object.keys(r.kinds)).toHaveLength(11);
  });
});

describe('campaign: clock', () => {
  it.each(scenarios)('%s: expiry judged conservatively, lockouts unmoved, sequence and chain intact', (name, wallMs) => {
    const r = clockScenario(name, wallMs);
    expect(r.expiredDocument).toBe('403 expired'); // never released because the wall clock lags or is lost
    // A clock far ahead makes everything look expired: refused, never released late.
    expect(r.validDocument).toBe(wallMs > Date.parse('2027-01-01T00:00:00Z') ? '403 expired' : 'would open 2');
    expect(r.lockoutAfterJump).toBe(r.lockoutBefore);
    expect(r.liftedAfter15Min).toBe(true);
    expect(r.seqsInOrder).toBe(true);
    expect(r.auditIntact).toBe(true);
  });
});

describe('campaign: bus faults (short), once per board family', () => {
  // The CU48 runs as long as before the other families came; the others a little shorter, to hold CI time.
  it.each(busFaultFamilies.map((family) => [family, family === 'kerong-cu48' ? 30 : 20] as const))(
    '%s: %i loads and pickups with replies dropped, corrupted and delayed and the board cut off now and then',
    async (family, pickups) => {
      const r = await busFaults({ family, pickups });
      expect(r.unaskedUnlocks).toBe(0);
      expect(r.overRetried).toBe(0);
      expect(r.wrongDoors).toBe(0);
      expect(r.forbiddenFrames).toBe(0); // xor-8a open-all or long power never reached a board
      expect(r.busForbiddenFrames).toBe(0);
      expect(r.stuck).toBe(0);
      expect(r.collected + r.stranded + r.notLoaded).toBe(r.pickups);
      expect(r.collected).toBeGreaterThan(r.pickups / 2);
      // The campaign did what it says: each document collected took a load and a pickup unlock seen on the wire,
      // and each cable cut lasted until the board was declared offline.
      expect(r.wireUnlocks).toBeGreaterThanOrEqual(2 * r.collected);
      expect(r.offlineEvents).toBeGreaterThanOrEqual(r.offlineSpells);
    },
    120_000,
  );

  it('notices a board that opens the lock next to the one commanded (xor-8a, no reply faults)', async () => {
    const r = await busFaults({
      family: 'xor-8a', pickups: 3, replyFaults: false,
      tamper: (board) => {
        const unlock = board.unlock.bind(board);
        board.unlock = (lock: number): void => unlock((lock % board.locks) + 1);
      },
    });
    expect(r.wrongDoors).toBeGreaterThan(0);
    expect(r.collected).toBe(0);
  }, 60_000);
});

describe('campaign: soak (short)', () => {
  it('2,000 loads and pickups over 24 simulated hours: every document collected, the database levels off, the audit archived and whole', async () => {
    const r = await soak({ operations: 2_000, auditRowsPerFile: 500 });
    expect(soakVerdict(r).problems).toEqual([]);
    expect(r.samples).toHaveLength(24);
    // Without retention the table would hold all 1,000 documents at the end.
    expect(r.samples.at(-1)!.authorizations).toBeLessThan(200);
    expect(r.archiveFiles).toBeGreaterThanOrEqual(5);
  }, 180_000);
});
