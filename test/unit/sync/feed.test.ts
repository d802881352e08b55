import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { FeedReceiver } from '../../../src/sync/feed-receiver.js';
import { signedEnvelope } from '../../../src/wire/envelope.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { tempDir } from '../../helpers/fixtures.js';
import { feedReceiverOn } from '../../helpers/feed-receiver.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const lockerId = 'czestochowa-focha-1';
const mac = (c: string) => c.repeat(64);

function authorization(id: string, over: Record<string, unknown> = {}) {
  return {
    id, caseRef: 'USC.5361.1.2026', documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S', phoneMac: mac('a'), codeMac: mac('b'),
    expiresAt: '2099-12-02T15:00:00Z', feeSettled: true, consent: true, accessible: false, ...over,
  };
}

function batch(after: number, changes: Record<string, unknown>[], over: Record<string, unknown> = {}) {
  const last = changes.length === 0 ? after : (changes.at(-1)!.seq as number);
  return { lockerId, after, last, more: false, serverTime: '2026-11-25T10:00:00Z', expiresAt: '2026-11-25T10:05:00Z', changes, ...over };
}

let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let receiver: FeedReceiver;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock(Date.parse('2026-11-25T10:00:30Z'));
  store = openStore(t.dir, clock);
  receiver = feedReceiverOn(store, publicKey, clock, lockerId).receiver;
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const table = () => JSON.stringify(store.db.prepare('SELECT * FROM authorization ORDER BY id').all());
const kinds = () => store.outbox.pending(10_000).map((e) => JSON.parse(e.body)).map((e) => `${e.type}:${e.data.kind ?? e.data.reason ?? ''}`);

describe('feed', () => {
  it('applies a signed batch: types, authorizations (a passport stored as rejected and reported), revocation, staff, cursor', () => {
    const r = receiver.receive(signedEnvelope(batch(0, [
      { seq: 1, type: 'documentType.upsert', documentType: { code: 'odpis-skrocony-aktu-urodzenia', namePl: 'Odpis skrócony aktu urodzenia', nameEn: 'Short birth certificate', lockerRelease: true, legalBasis: 'x' } },
      // The office claims a passport may go in: the hard deny list wins.
      { seq: 2, type: 'documentType.upsert', documentType: { code: 'paszport', namePl: 'Paszport', nameEn: 'Passport', lockerRelease: true, legalBasis: 'x' } },
      { seq: 3, type: 'authorization.upsert', authorization: authorization('A-1') },
      { seq: 4, type: 'authorization.upsert', authorization: authorization('A-2', { documentType: 'paszport' }) },
      { seq: 5, type: 'authorization.upsert', authorization: authorization('A-3', { consent: false }) },
      { seq: 7, type: 'authorization.revoke', id: 'A-1', reason: 'withdrawn' },
      { seq: 9, type: 'staff.upsert', staff: { id: 'S-1', name: 'Anna Nowak', pinMac: mac('c'), roles: ['loader'], active: true } },
    ]), privateKey));
    expect(r).toEqual({ applied: true, cursor: 9, more: false, authorizations: 3 });
    expect(store.db.prepare('SELECT id, status, reject_reason, revoked_reason FROM authorization ORDER BY id').all()).toEqual([
      { id: 'A-1', status: 'pending', reject_reason: null, revoked_reason: 'withdrawn' },
      { id: 'A-2', status: 'rejected', reject_reason: 'document-type-not-allowed', revoked_reason: null },
      { id: 'A-3', status: 'rejected', reject_reason: 'no-consent', revoked_reason: null },
    ]);
    expect(store.db.prepare("SELECT locker_release FROM document_type WHERE code = 'paszport'").get()).toEqual({ locker_release: 0 });
    expect(kinds()).toEqual(['authorization.rejected:document-type-not-allowed', 'authorization.rejected:no-consent']);
    expect(receiver.cursor().cursor).toBe(9);
  });

  it('an empty batch moves nothing; the next must start at the cursor', () => {
    expect(receiver.receive(signedEnvelope(batch(0, []), privateKey))).toMatchObject({ applied: true, cursor: 0 });
    expect(receiver.receive(signedEnvelope(batch(1, []), privateKey))).toEqual({ applied: false, reason: 'wrong-after' });
  });

  it.each([
    ['signed by another key', () => signedEnvelope(batch(0, []), other.privateKey), 'bad-signature'],
    ['for another locker', () => signedEnvelope(batch(0, [], { lockerId: 'elsewhere' }), privateKey), 'wrong-locker'],
    ['not starting at the cursor', () => signedEnvelope(batch(3, [{ seq: 4, type: 'authorization.revoke', id: 'A', reason: 'x' }]), privateKey), 'wrong-after'],
    ['with a decreasing seq', () => signedEnvelope(batch(0, [{ seq: 2, type: 'authorization.revoke', id: 'A', reason: 'x' }, { seq: 1, type: 'authorization.revoke', id: 'A', reason: 'x' }], { last: 1 }), privateKey), 'seq-not-increasing'],
    ['with a wrong last', () => signedEnvelope(batch(0, [{ seq: 1, type: 'authorization.revoke', id: 'A', reason: 'x' }], { last: 5 }), privateKey), 'wrong-last'],
    ['unsigned', () => JSON.stringify({ keyId: 'office-1', payload: Buffer.from(JSON.stringify(batch(0, []))).toString('base64'), signature: '' }), 'envelope-malformed'],
    ['not JSON', () => 'not json at all', 'envelope-malformed'],
    ['a signed payload that is not JSON', () => {
      const bytes = Buffer.from('{"lockerId":');
      return JSON.stringify({ keyId: 'k', payload: bytes.toString('base64'), signature: sign(null, bytes, privateKey).toString('base64') });
    }, 'payload-not-json'],
    ['huge', () => 'x'.repeat(33 * 1024 * 1024), 'too-large'],
  ])('refuses a batch %s, changing nothing, and raises feed-rejected', (_what, make, reason) => {
    const before = table();
    expect(receiver.receive(make())).toEqual({ applied: false, reason });
    expect(table()).toBe(before);
    expect(kinds()).toEqual([`alarm:feed-rejected`]);
    expect(receiver.cursor().cursor).toBe(0);
  });

  it('a replay of an applied batch, or an older one, is refused (rollback), and a stale one even with an untrusted clock', () => {
    const first = signedEnvelope(batch(0, [{ seq: 1, type: 'authorization.upsert', authorization: authorization('A-1') }], { serverTime: '2026-11-25T10:00:00Z', expiresAt: '2026-11-25T10:05:00Z' }), privateKey);
    expect(receiver.receive(first)).toMatchObject({ applied: true });
    expect(receiver.receive(first)).toEqual({ applied: false, reason: 'wrong-after' });
    // A batch that starts at the cursor but expired before the newest applied serverTime: a frozen or replayed feed.
    clock.advance(-1); // (the trusted clock is not what refuses it)
    const stale = signedEnvelope(batch(1, [], { serverTime: '2026-11-25T09:00:00Z', expiresAt: '2026-11-25T09:05:00Z' }), privateKey);
    expect(receiver.receive(stale)).toEqual({ applied: false, reason: 'stale' });
  });

  it('once the office agreed with the wall clock, a batch past its expiresAt is refused', () => {
    expect(receiver.receive(signedEnvelope(batch(0, []), privateKey))).toMatchObject({ applied: true });
    const expired = signedEnvelope(batch(0, [], { expiresAt: '2026-11-25T10:00:10Z' }), privateKey);
    expect(receiver.receive(expired)).toEqual({ applied: false, reason: 'expired' });
  });

  it('the same failure polled again raises its alarm once; a different one, or one after a good batch, again', () => {
    for (let i = 0; i < 5; i++) receiver.receive(signedEnvelope(batch(0, [], { serverTime: `2026-11-25T10:00:0${i}Z` }), other.privateKey));
    expect(kinds()).toEqual(['alarm:feed-rejected']);
    receiver.receive(signedEnvelope(batch(0, [], { lockerId: 'x' }), privateKey));
    expect(kinds()).toEqual(['alarm:feed-rejected', 'alarm:feed-rejected']);
    receiver.receive(signedEnvelope(batch(0, []), privateKey));
    receiver.receive(signedEnvelope(batch(0, [], { lockerId: 'x' }), privateKey));
    expect(kinds()).toHaveLength(3);
  });

  it('1,000 mutated batches: none applied, the authorization table byte-identical, the alarm raised', () => {
    receiver.receive(signedEnvelope(batch(0, [{ seq: 1, type: 'authorization.upsert', authorization: authorization('A-0') }]), privateKey));
    const before = table();
    const base = batch(1, Array.from({ length: 5 }, (_, i) => ({ seq: i + 2, type: 'authorization.upsert', authorization: authorization(`A-${i + 1}`) })));
    const good = signedEnvelope(base, privateKey);
    const mutation = fc.oneof(
      fc.record({ k: fc.constant('flip-payload'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ k: fc.constant('flip-signature'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ k: fc.constant('resign'), field: fc.constantFrom('lockerId', 'after', 'seq', 'last', 'expired') , n: fc.integer({ min: 2, max: 50 }) }),
      fc.record({ k: fc.constant('garbage'), text: fc.string({ maxLength: 200 }) }),
      fc.record({ k: fc.constant('unsigned'), sig: fc.constantFrom('', 'AAAA', '====') }),
      fc.record({ k: fc.constant('huge') }),
    );
    const huge = JSON.stringify({ keyId: 'office-1', payload: 'A'.repeat(33 * 1024 * 1024), signature: 'A'.repeat(88) });
    let runs = 0;
    fc.assert(fc.property(mutation, (m) => {
      runs += 1;
      const env = JSON.parse(good) as { keyId: string; payload: string; signature: string };
      let body: string;
      if (m.k === 'flip-payload' || m.k === 'flip-signature') {
        const key = m.k === 'flip-payload' ? 'payload' : 'signature';
        const bytes = Buffer.from(env[key], 'base64');
        bytes[m.at % bytes.length] = bytes[m.at % bytes.length]! ^ (1 << m.bit);
        body = JSON.stringify({ ...env, [key]: bytes.toString('base64') });
      } else if (m.k === 'resign') {
        const p = structuredClone(base) as ReturnType<typeof batch>;
        if (m.field === 'lockerId') p.lockerId = `locker-${m.n}`;
        if (m.field === 'after') p.after = m.n % 2 === 0 ? 0 : m.n;
        if (m.field === 'seq') (p.changes[2] as { seq: number }).seq = 1;
        if (m.field === 'last') p.last = p.last + m.n;
        if (m.field === 'expired') p.expiresAt = '2026-11-25T10:00:01Z';
        body = signedEnvelope(p, privateKey);
      } else if (m.k === 'garbage') {
        body = m.text;
      } else if (m.k === 'huge') {
        body = huge;
      } else {
        body = JSON.stringify({ ...env, signature: m.sig });
      }
      expect(receiver.receive(body)).toMatchObject({ applied: false });
      expect(table()).toBe(before);
    }), { numRuns: 1_000 });
    expect(runs).toBe(1_000);
    expect(receiver.cursor().cursor).toBe(1);
    // One alarm per distinct failure (each kind of mutation), not one per batch.
    const alarms = kinds().filter((k) => k === 'alarm:feed-rejected').length;
    expect(alarms).toBeGreaterThan(3);
    expect(alarms).toBeLessThan(1_000);
    // And the good batch still applies afterwards.
    expect(receiver.receive(good)).toMatchObject({ applied: true, cursor: 6 });
  });
});
