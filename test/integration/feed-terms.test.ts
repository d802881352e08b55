import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import { codeMac, phoneMac } from '../../src/wire/credentials.js';
import { signedEnvelope } from '../../src/wire/envelope.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { tempDir } from '../helpers/fixtures.js';
import { markLoaded, outboxEvents, rigBoards, startCore, type CoreRig } from '../helpers/core-rig.js';
import { testKey } from '../helpers/store-fixtures.js';
import { feedReceiverOn } from '../helpers/feed-receiver.js';

/**
 * Every upsert's terms apply at every stage (issue 14, point 2): a loaded document that the office re-sends as a
 * type the locker may not release, or whose consent is withdrawn, or whose type the catalogue stops allowing,
 * is refused at the keypad, reported once and put on the staff's list to take back. And a revocation that
 * arrives before its authorization is not lost (point 12).
 */

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const lockerId = 'czestochowa-focha-1';
const phone = '600100200';
const code = '12345678';

const rigs: CoreRig[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

function authorization(id: string, over: Record<string, unknown> = {}) {
  return {
    id, caseRef: 'USC.5361.1.2026', documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S', phoneMac: phoneMac(testKey, phone), codeMac: codeMac(testKey, code),
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), feeSettled: true, consent: true, accessible: false, ...over,
  };
}

/** A core on simulated boards with a feed receiver on its database; `feed` sends the next batch. */
async function locker(dir?: string) {
  const t = dir === undefined ? tempDir() : undefined;
  if (t !== undefined) dirs.push(t);
  const r = await startCore(dir ?? t!.dir, simulatedBusFor(rigBoards, systemClock, 5));
  rigs.push(r);
  const { receiver } = feedReceiverOn(r.store, publicKey, systemClock, lockerId);
  const feed = (...changes: Record<string, unknown>[]): void => {
    const after = receiver.cursor().cursor;
    const numbered = changes.map((c, i) => ({ ...c, seq: after + i + 1 }));
    const now = Date.now();
    const res = receiver.receive(signedEnvelope({
      lockerId, after, last: after + changes.length, more: false, serverTime: new Date(now).toISOString(), expiresAt: new Date(now + 300_000).toISOString(), changes: numbered,
    }, privateKey));
    expect(res).toMatchObject({ applied: true });
  };
  return { r, feed };
}

/** A-1 loaded in compartment 2, as a finished staff load leaves it; the locker restarted, so its machines know. */
async function withA1Loaded(change: Record<string, unknown> = {}) {
  const first = await locker();
  first.feed({ type: 'authorization.upsert', authorization: authorization('A-1') }, { type: 'authorization.upsert', authorization: authorization('A-2') });
  first.r.store.db.prepare("UPDATE authorization SET status = 'loaded', compartment_id = 2, loaded_at = ? WHERE id = 'A-1'").run(new Date().toISOString());
  markLoaded(first.r.store, 2);
  await first.r.stop();
  rigs.splice(rigs.indexOf(first.r), 1);
  const l = await locker(first.r.dir);
  expect(l.r.compartments.state(2)).toBe('occupied');
  if (Object.keys(change).length > 0) l.feed({ type: 'authorization.upsert', authorization: authorization('A-1', change) });
  return l;
}

const rejections = (r: CoreRig) => outboxEvents(r.store).filter((e) => e.type === 'authorization.rejected').map((e) => e.data);

describe('the feed’s terms at every stage', () => {
  it.each([
    ['re-sent as an identity card', { documentType: 'dowod-osobisty' }, 'document-type-not-allowed'],
    ['re-sent as a type missing from the catalogue', { documentType: 'nowy-typ-bez-katalogu' }, 'document-type-not-allowed'],
    ['with its consent withdrawn', { consent: false }, 'no-consent'],
  ])('a loaded document %s: refused at the keypad with no unlock, reported once, on the staff’s list', async (_what, change, reason) => {
    const { r: r2, feed } = await withA1Loaded();
    feed({ type: 'authorization.upsert', authorization: authorization('A-1', change) });
    feed({ type: 'authorization.upsert', authorization: authorization('A-1', change) });
    expect(rejections(r2)).toEqual([{ authorizationId: 'A-1', reason }]);
    expect(r2.store.db.prepare("SELECT status, compartment_id, attention_reason FROM authorization WHERE id = 'A-1'").get()).toEqual({ status: 'loaded', compartment_id: 2, attention_reason: reason });
    expect(await r2.pickup.pickup({ phone, code })).toEqual({ status: 403, body: { result: 'rejected', reason } });
    expect(r2.sim.board(0).unlocks).toEqual([]);
    // The keypad does not report it a second time.
    expect(rejections(r2)).toHaveLength(1);
    expect(r2.staff.toRetrieve().map((a) => [a.id, a.attention_reason])).toEqual([['A-1', reason]]);
  });

  it('a catalogue entry that stops allowing a type: its loaded documents go on the staff’s list, its waiting ones are rejected, each reported', async () => {
    const { r, feed } = await withA1Loaded();
    feed({ type: 'documentType.upsert', documentType: { code: 'odpis-skrocony-aktu-urodzenia', namePl: 'Odpis skrócony aktu urodzenia', nameEn: 'Short birth certificate', lockerRelease: false, legalBasis: 'x' } });
    expect(rejections(r)).toEqual([{ authorizationId: 'A-1', reason: 'document-type-not-allowed' }, { authorizationId: 'A-2', reason: 'document-type-not-allowed' }]);
    expect(r.store.db.prepare('SELECT id, status, attention_reason FROM authorization ORDER BY id').all()).toEqual([
      { id: 'A-1', status: 'loaded', attention_reason: 'document-type-not-allowed' },
      { id: 'A-2', status: 'rejected', attention_reason: null },
    ]);
    expect(r.staff.toRetrieve().map((a) => a.id)).toEqual(['A-1']);
  });

  it('terms that allow release again take a loaded document off the list', async () => {
    const { r, feed } = await withA1Loaded({ consent: false });
    expect(r.staff.toRetrieve().map((a) => a.id)).toEqual(['A-1']);
    feed({ type: 'authorization.upsert', authorization: authorization('A-1', { consent: true }) });
    expect(r.staff.toRetrieve()).toEqual([]);
  });
});

describe('a revocation before its authorization (point 12)', () => {
  it('is remembered: the authorization that arrives later, in the same batch or another, is stored revoked and cannot be loaded', async () => {
    const { r, feed } = await locker();
    feed({ type: 'authorization.revoke', id: 'A-1', reason: 'withdrawn' });
    feed({ type: 'authorization.upsert', authorization: authorization('A-1') });
    feed({ type: 'authorization.revoke', id: 'A-2', reason: 'withdrawn' }, { type: 'authorization.upsert', authorization: authorization('A-2') });
    expect(r.store.db.prepare('SELECT id, revoked_reason FROM authorization ORDER BY id').all()).toEqual([
      { id: 'A-1', revoked_reason: 'withdrawn' }, { id: 'A-2', revoked_reason: 'withdrawn' },
    ]);
    expect(r.store.db.prepare('SELECT COUNT(*) AS n FROM early_revocation').get()).toEqual({ n: 0 });
    expect(r.staff.toLoad()).toEqual([]);
    // A re-sent upsert (a new code, say) does not lift it.
    feed({ type: 'authorization.upsert', authorization: authorization('A-1') });
    expect(r.store.db.prepare("SELECT revoked_reason FROM authorization WHERE id = 'A-1'").get()).toEqual({ revoked_reason: 'withdrawn' });
  });
});
