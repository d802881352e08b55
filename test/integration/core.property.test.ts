import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { systemClock } from '../../src/clock.js';
import { pinMac } from '../../src/wire/credentials.js';
import { checkTerms, typeMayUseLocker } from '../../src/wire/policy.js';
import { DocumentTypes } from '../../src/store/document-types.js';
import { verifyAudit } from '../../src/store/audit.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { rigBoards, rigLayout, startCore, type CoreRig } from '../helpers/core-rig.js';

const types = ['odpis-skrocony-aktu-urodzenia', 'odpis-zupelny-aktu-zgonu', 'paszport', 'dowod-osobisty', 'nieznany-typ'] as const;
/** Mostly documents that may go in, so loads and pickups happen; the forbidden ones often enough to be tried. */
const mostly = (p: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < p);
const doc = fc.record({
  type: fc.integer({ min: 0, max: 9 }).map((n) => types[n < 6 ? n % 2 : 2 + (n % 3)]!),
  consent: mostly(85),
  fee: mostly(85),
  size: fc.constantFrom('S', 'S', 'M', 'L') as fc.Arbitrary<'S' | 'M' | 'L'>,
});
const op = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('add' as const), doc }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('load' as const), i: fc.nat(7) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('pickup' as const), i: fc.nat(7) }), weight: 3 },
  fc.record({ k: fc.constant('wrong' as const), i: fc.nat(7) }),
  fc.record({ k: fc.constant('revoke' as const), i: fc.nat(7) }),
  fc.record({ k: fc.constant('expire' as const), i: fc.nat(7) }),
  fc.record({ k: fc.constant('fault' as const), f: fc.constantFrom('stuckLatch', 'offline', 'noReply', 'none') }),
);

type Op = { k: string; [x: string]: unknown };
/** What the runs did, so the test fails if the generator stops exercising loads and pickups. */
const done = { loads: 0, pickups: 0, refusedLoads: 0 };

const phoneOf = (i: number) => `6001002${String(i).padStart(2, '0')}`;
const codeOf = (i: number) => `${40000000 + i * 7919}`;

async function run(ops: Op[]): Promise<void> {
  const t = tempDir();
  const sim = simulatedBusFor(rigBoards, systemClock, 2);
  let r: CoreRig | undefined;
  try {
    r = await startCore(t.dir, sim, systemClock, { unlockMinIntervalMs: 0, unlockConfirmTimeoutMs: 60 });
    await until(() => r!.hw.poller.snapshot(0).online === true, 3_000, 'online');
    r.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'x', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    const login = r.staff.login('S-1', '1234');
    if (login.status !== 200) throw new Error('login');
    const token = login.body.token;
    const docTypes = new DocumentTypes(r.store.db);
    const ids: string[] = [];
    const opened = new Map<string, number>(); // authorization → pickups answered 200
    const requested = new Map<number, number>(); // compartment → opens answered 200
    const countOpen = (c: number) => requested.set(c, (requested.get(c) ?? 0) + 1);
    for (const o of ops) {
      if (o.k === 'add') {
        const d = o.doc as { type: string; consent: boolean; fee: boolean; size: 'S' | 'M' | 'L' };
        const id = `A-${ids.length}`;
        // As the feed stores it: refused on arrival when the type or consent does not allow the locker.
        const arrival = checkTerms({ documentType: d.type, consent: d.consent, feeSettled: d.fee, revoked: false, expiresAtMs: Date.parse('2099-01-01') }, docTypes.get(d.type), 'arrival', Date.now());
        insertAuthorization(r.store.db, {
          id, phone: phoneOf(ids.length), code: codeOf(ids.length), status: arrival.ok ? 'pending' : 'rejected', compartment: null,
          documentType: d.type, consent: d.consent, feeSettled: d.fee, size: d.size, expiresAt: '2099-01-01T00:00:00Z',
        });
        ids.push(id);
        continue;
      }
      const i = typeof o.i === 'number' && ids.length > 0 ? o.i % ids.length : undefined;
      if (o.k === 'fault') {
        const f = sim.board(0).faults;
        f.stuckLatch = o.f === 'stuckLatch';
        f.offline = o.f === 'offline';
        f.noReply = o.f === 'noReply';
        continue;
      }
      if (i === undefined) continue;
      if (o.k === 'load') {
        const a = await r.staff.load(token, ids[i]!);
        if (a.status === 200) {
          done.loads += 1;
          countOpen(a.body.compartment);
          sim.board(0).closeDoor(a.body.compartment);
        } else if (a.status === 403) done.refusedLoads += 1;
      } else if (o.k === 'pickup') {
        const a = await r.pickup.pickup({ phone: phoneOf(i), code: codeOf(i) });
        if (a.status === 200) {
          done.pickups += 1;
          countOpen(a.body.compartment);
          opened.set(ids[i]!, (opened.get(ids[i]!) ?? 0) + 1);
          sim.board(0).closeDoor(a.body.compartment);
        }
      } else if (o.k === 'wrong') {
        expect((await r.pickup.pickup({ phone: phoneOf(i), code: '99999999' })).status).not.toBe(200);
      } else if (o.k === 'revoke') {
        r.store.db.prepare("UPDATE authorization SET revoked_reason = 'withdrawn' WHERE id = ?").run(ids[i]);
      } else if (o.k === 'expire') {
        r.store.db.prepare("UPDATE authorization SET expires_at = '2020-01-01T00:00:00Z' WHERE id = ?").run(ids[i]);
      }
      // Let the shut doors register before the next step.
      await until(() => rigLayout.every((c) => ['free', 'occupied', 'fault', 'disabled'].includes(r!.compartments.state(c.id) ?? '') || sim.board(0).faults.offline || sim.board(0).faults.noReply), 2_000, 'doors settled').catch(() => undefined);
    }

    // No forbidden document (type the law keeps at the counter, or no consent) ever had a compartment opened for it.
    const opens = r.store.db.prepare(`SELECT a.id, a.document_type AS type, a.consent FROM unlock_intent i JOIN authorization a ON a.id = i.authorization_id
      WHERE i.purpose IN ('load', 'release')`).all() as { id: string; type: string; consent: number }[];
    for (const row of opens) {
      expect(typeMayUseLocker(docTypes.get(row.type))).toBe(true);
      expect(row.consent).toBe(1);
    }
    const held = r.store.db.prepare("SELECT document_type AS type FROM authorization WHERE status IN ('loaded', 'collected')").all() as { type: string }[];
    for (const row of held) expect(typeMayUseLocker(docTypes.get(row.type))).toBe(true);
    // No code released twice, and one receipt at most per authorization.
    for (const n of opened.values()) expect(n).toBe(1);
    const receipts = r.store.db.prepare('SELECT authorization_id, COUNT(*) AS n FROM receipt GROUP BY authorization_id').all() as { n: number }[];
    for (const x of receipts) expect(x.n).toBe(1);
    // No compartment unlocked but one the service was asked to open, and at most one retry per open.
    const intents = r.store.db.prepare('SELECT compartment_id AS c, COUNT(*) AS n FROM unlock_intent GROUP BY compartment_id').all() as { c: number; n: number }[];
    const byCompartment = new Map(intents.map((x) => [x.c, x.n]));
    const unlocks = new Map<number, number>();
    for (const lock of sim.board(0).unlocks) unlocks.set(lock, (unlocks.get(lock) ?? 0) + 1);
    for (const [lock, n] of unlocks) {
      expect(byCompartment.has(lock)).toBe(true);
      expect(n).toBeLessThanOrEqual(2 * byCompartment.get(lock)!);
    }
    // The outbox is gap-free from 1.
    const seqs = (r.store.db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq);
    expect(seqs).toEqual(seqs.map((_, k) => k + 1));
    expect(verifyAudit(r.store.db).ok).toBe(true);
  } finally {
    await r?.stop();
    t.cleanup();
  }
}

describe('the locker core under random use (property)', () => {
  it('never loads or releases a forbidden document, never releases a code twice, unlocks only what it chose, keeps the outbox gap-free', async () => {
    // Every run starts with a load and a pickup that must work, then goes where the generator takes it.
    const prefix: Op[] = [
      { k: 'add', doc: { type: 'odpis-skrocony-aktu-urodzenia', consent: true, fee: true, size: 'S' } },
      { k: 'load', i: 0 },
      { k: 'pickup', i: 0 },
    ];
    const runs = 40;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 16 }), (ops) => run([...prefix, ...ops])), { numRuns: runs });
    expect(done.loads).toBeGreaterThanOrEqual(runs);
    expect(done.pickups).toBeGreaterThanOrEqual(runs);
    expect(done.refusedLoads).toBeGreaterThan(0);
  });
});
