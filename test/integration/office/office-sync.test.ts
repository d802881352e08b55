import { createPublicKey, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { verifyAck } from '../../../src/wire/ack.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { eventsKey, eventsMac } from '../../../src/wire/event-mac.js';
import { payloadSchema, type FeedPayload } from '../../../src/wire/feed-schema.js';
import { registration, startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The lockers' side of the office (contracts.md §5.2, §5.3) over real HTTP, on both database backends: the
 * signed, paged feed, and the event push with its MAC and its signed acknowledgement.
 */

interface Event {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

const PAGE = 3;
/** The catalogue every new locker's log starts with (office/migrations/002-catalogue.sql). */
const CATALOGUE = 7;

describe.each(['embedded', 'postgres'] as const)('office sync endpoints (%s)', (backend) => {
  let t: TestOffice;
  let publicKey: KeyObject;
  const secrets = new Map<string, NewLockerSecrets>();
  /** P: paging only; A and B: documents and events; G: the gap. */
  const P = 'sync-p';
  const A = 'sync-a';
  const B = 'sync-b';
  const G = 'sync-g';

  beforeAll(async () => {
    t = await startTestOffice({ backend, config: { feed: { pageSize: PAGE, batchTtlS: 300 } } });
    publicKey = createPublicKey(t.office.ctx.signing.publicKeyPem);
    for (const id of [P, A, B, G]) secrets.set(id, await t.addLocker(id));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const token = (id: string): string => secrets.get(id)!.token;
  const kev = (id: string): Buffer => eventsKey(secrets.get(id)!.codeKey);

  async function getFeed(lockerId: string, after: string | number, bearer = token(lockerId)): Promise<{ status: number; text: string }> {
    const res = await fetch(`${t.url}/v1/lockers/${lockerId}/feed?after=${after}`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: res.status, text: await res.text() };
  }

  async function batch(lockerId: string, after: number): Promise<FeedPayload> {
    const r = await getFeed(lockerId, after);
    expect(r.status).toBe(200);
    const opened = openEnvelope(r.text, publicKey);
    if (!opened.ok) throw new Error(`batch does not verify: ${opened.reason}`);
    expect(opened.keyId).toBe('office-1');
    return payloadSchema.parse(opened.payload);
  }

  async function push(lockerId: string, body: string, o: { bearer?: string; mac?: string | null } = {}): Promise<{ status: number; text: string }> {
    const mac = o.mac === undefined ? eventsMac(kev(lockerId), body) : o.mac;
    const res = await fetch(`${t.url}/v1/lockers/${lockerId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.bearer ?? token(lockerId)}`, 'content-type': 'application/json', ...(mac === null ? {} : { 'x-urzedomat-mac': mac }) },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  /** Pushes events as the locker does and returns what the verified acknowledgement says. */
  async function pushEvents(lockerId: string, events: Event[], lastSentSeq = Math.max(...events.map((e) => e.seq))): Promise<number> {
    const r = await push(lockerId, JSON.stringify({ events }));
    expect(r.status, r.text).toBe(200);
    const ack = verifyAck(r.text, publicKey, { lockerId, lastSentSeq });
    if (!ack.ok) throw new Error(`ack refused: ${ack.reason} ${ack.detail}`);
    expect(Math.abs(Date.parse(ack.serverTime) - Date.now())).toBeLessThan(60_000);
    return ack.ackedThrough;
  }

  async function count(sql: string, params: unknown[]): Promise<number> {
    return Number((await t.office.ctx.db.query<{ n: number }>(sql, params)).rows[0]!.n);
  }
  const eventRows = (lockerId: string): Promise<number> => count('SELECT count(*)::int AS n FROM locker_event WHERE locker_id = $1', [lockerId]);
  const conflictRows = (lockerId: string): Promise<number> => count('SELECT count(*)::int AS n FROM event_conflict WHERE locker_id = $1', [lockerId]);
  const headOf = (lockerId: string): Promise<number> => count('SELECT last AS n FROM locker_log_head WHERE locker_id = $1', [lockerId]);
  const alarmRows = (lockerId: string): Promise<number> => count('SELECT count(*)::int AS n FROM locker_alarm WHERE locker_id = $1', [lockerId]);

  async function register(lockerId: string): Promise<string> {
    const r = await t.api('POST', '/api/v1/documents', registration(lockerId));
    expect(r.status).toBe(201);
    return r.body.id as string;
  }
  async function document(id: string): Promise<Record<string, unknown>> {
    const r = await t.api('GET', `/api/v1/documents/${id}`);
    expect(r.status).toBe(200);
    return r.body as Record<string, unknown>;
  }
  async function locker(id: string): Promise<Record<string, any>> {
    const r = await t.api('GET', `/api/v1/lockers/${id}`);
    expect(r.status).toBe(200);
    return r.body as Record<string, any>;
  }
  /** The next event seq of a locker: one past what the office has received with every earlier one. */
  async function nextSeq(lockerId: string): Promise<number> {
    return Number((await locker(lockerId)).eventsThrough) + 1;
  }
  const at = (offsetS = 0): string => new Date(Math.floor(Date.now() / 1000) * 1000 + offsetS * 1000).toISOString();

  describe('GET /v1/lockers/{id}/feed', () => {
    it('serves signed batches that verify, page by page, each continuing where the last ended', async () => {
      const r = await getFeed(P, 0);
      expect(r.status).toBe(200);
      // The signature covers the payload: one bit changed and it no longer verifies.
      const envelope = JSON.parse(r.text) as { keyId: string; payload: string; signature: string };
      const bytes = Buffer.from(envelope.payload, 'base64');
      bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
      expect(openEnvelope(JSON.stringify({ ...envelope, payload: bytes.toString('base64') }), publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
      expect(openEnvelope(r.text, createPublicKey(t.office.ctx.signing.publicKeyPem))).toMatchObject({ ok: true });

      const batches: FeedPayload[] = [];
      let after = 0;
      for (let i = 0; i < 10; i++) {
        const b = await batch(P, after);
        batches.push(b);
        after = b.last;
        if (!b.more) break;
      }
      expect(batches.map((b) => [b.after, b.last, b.more, b.changes.length])).toEqual([
        [0, 3, true, 3],
        [3, 6, true, 3],
        [6, 7, false, 1],
      ]);
      for (const b of batches) {
        expect(b.lockerId).toBe(P);
        b.changes.forEach((c, i) => expect(c.seq).toBe(b.after + i + 1));
        expect(b.last).toBe(b.changes.at(-1)!.seq);
        const serverTime = Date.parse(b.serverTime);
        expect(Math.abs(serverTime - Date.now())).toBeLessThan(60_000);
        expect(Date.parse(b.expiresAt) - serverTime).toBe(300_000);
      }
      expect(batches.flatMap((b) => b.changes).map((c) => c.type)).toEqual(Array(CATALOGUE).fill('documentType.upsert'));

      // At the head: an empty batch with last = after, still signed and still dated.
      const empty = await batch(P, CATALOGUE);
      expect(empty).toMatchObject({ lockerId: P, after: CATALOGUE, last: CATALOGUE, more: false, changes: [] });
      expect(Date.parse(empty.expiresAt)).toBeGreaterThan(Date.parse(empty.serverTime));

      // A new change continues the chain.
      const id = await register(P);
      const next = await batch(P, CATALOGUE);
      expect(next.changes).toHaveLength(1);
      expect(next.changes[0]).toMatchObject({ seq: CATALOGUE + 1, type: 'authorization.upsert', authorization: { id } });
      expect(next.last).toBe(CATALOGUE + 1);
    });

    it('refuses another locker\'s token and a bad one (401), a malformed cursor (400) and a cursor beyond the head (409)', async () => {
      for (const bearer of [token(B), 'x'.repeat(43)]) {
        const r = await getFeed(P, 0, bearer);
        expect(r.status).toBe(401);
        expect(JSON.parse(r.text)).toEqual({ error: 'unauthorized' });
      }
      const none = await fetch(`${t.url}/v1/lockers/${P}/feed?after=0`);
      expect(none.status).toBe(401);
      for (const after of ['-1', 'abc', '1.5', '']) {
        const r = await getFeed(P, after);
        expect({ after, status: r.status, body: JSON.parse(r.text) }).toEqual({ after, status: 400, body: { error: 'bad-request' } });
      }
      const head = await headOf(P);
      expect(head).toBeGreaterThanOrEqual(CATALOGUE);
      for (const after of [head + 1, head + 1000]) {
        const r = await getFeed(P, after);
        expect(r.status).toBe(409);
        expect(JSON.parse(r.text)).toEqual({ error: 'cursor-ahead', head });
      }
      expect((await getFeed(P, head)).status).toBe(200);
    });
  });

  describe('POST /v1/lockers/{id}/events', () => {
    it('takes a document through loaded and collected, and answers with a signed acknowledgement', async () => {
      const id = await register(A);
      const seq = await nextSeq(A);
      expect(seq).toBe(1);
      const loadedAt = at(-120);
      expect(await pushEvents(A, [{ seq, type: 'document.loaded', at: loadedAt, data: { authorizationId: id, compartment: 4, staffId: 'S-1' } }])).toBe(seq);
      expect(await document(id)).toEqual({ id, status: 'loaded', lockerId: A, expiresAt: expect.any(String), compartment: 4 });

      const collectedAt = at(-60);
      expect(await pushEvents(A, [{ seq: seq + 1, type: 'document.collected', at: collectedAt, data: { authorizationId: id, compartment: 4, receiptId: 'R-1001' } }])).toBe(seq + 1);
      expect(await document(id)).toEqual({ id, status: 'collected', lockerId: A, expiresAt: expect.any(String), compartment: 4, collectedAt, receiptId: 'R-1001' });
      expect((await locker(A)).eventsThrough).toBe(seq + 1);
    });

    it('records a retrieval, a rejection and alarms; ignores types it does not know', async () => {
      const retrieved = await register(A);
      const rejected = await register(A);
      const seq = await nextSeq(A);
      const events: Event[] = [
        { seq, type: 'document.loaded', at: at(-50), data: { authorizationId: retrieved, compartment: 2, staffId: 'S-1' } },
        { seq: seq + 1, type: 'document.retrieved', at: at(-40), data: { authorizationId: retrieved, compartment: 2, staffId: 'S-1', reason: 'expired' } },
        { seq: seq + 2, type: 'authorization.rejected', at: at(-30), data: { authorizationId: rejected, reason: 'no-consent' } },
        { seq: seq + 3, type: 'alarm', at: at(-20), data: { kind: 'forced-open', compartment: 3 } },
        { seq: seq + 4, type: 'alarm', at: at(-10), data: { kind: 'tamper' } },
        { seq: seq + 5, type: 'something.from.the.future', at: at(-5), data: { anything: [1, 2] } },
      ];
      expect(await pushEvents(A, events)).toBe(seq + 5);
      expect(await document(retrieved)).toMatchObject({ id: retrieved, status: 'retrieved', compartment: 2 });
      expect(await document(rejected)).toMatchObject({ id: rejected, status: 'rejected' });
      const health = await locker(A);
      expect(health.eventsThrough).toBe(seq + 5);
      expect(health.openAlarms).toEqual([
        { kind: 'forced-open', compartment: 3, at: events[3]!.at, seq: seq + 3 },
        { kind: 'tamper', compartment: null, at: events[4]!.at, seq: seq + 4 },
      ]);
    });

    it('treats a resend as done, and keeps the first content when a seen seq comes back with other content', async () => {
      const id = await register(A);
      const seq = await nextSeq(A);
      const events: Event[] = [
        { seq, type: 'document.loaded', at: at(-20), data: { authorizationId: id, compartment: 5, staffId: 'S-2' } },
        { seq: seq + 1, type: 'document.collected', at: at(-10), data: { authorizationId: id, compartment: 5, receiptId: 'R-2001' } },
        { seq: seq + 2, type: 'alarm', at: at(-5), data: { kind: 'door-left-open', compartment: 5 } },
      ];
      expect(await pushEvents(A, events)).toBe(seq + 2);
      const rows = await eventRows(A);
      const alarms = await alarmRows(A);
      const collected = await document(id);
      expect(collected).toMatchObject({ status: 'collected', receiptId: 'R-2001' });

      // The same bytes again (the acknowledgement was lost): nothing new.
      expect(await pushEvents(A, events)).toBe(seq + 2);
      expect(await eventRows(A)).toBe(rows);
      expect(await alarmRows(A)).toBe(alarms);
      expect(await conflictRows(A)).toBe(0);
      expect(await document(id)).toEqual(collected);

      // Other content under a seen seq: the first stays, the other is recorded as a conflict.
      const forged = { ...events[1]!, data: { ...events[1]!.data, receiptId: 'R-9999' } };
      expect(await pushEvents(A, [forged], seq + 2)).toBe(seq + 2);
      expect(await eventRows(A)).toBe(rows);
      expect(await document(id)).toEqual(collected);
      const conflicts = (await t.office.ctx.db.query<{ seq: number; body: string }>('SELECT seq, body FROM event_conflict WHERE locker_id = $1', [A])).rows;
      expect(conflicts.map((c) => Number(c.seq))).toEqual([seq + 1]);
      expect(JSON.parse(conflicts[0]!.body)).toEqual(forged);
      const kept = (await t.office.ctx.db.query<{ body: string }>('SELECT body FROM locker_event WHERE locker_id = $1 AND seq = $2', [A, seq + 1])).rows;
      expect(JSON.parse(kept[0]!.body)).toEqual(events[1]);
      expect((await locker(A)).eventsThrough).toBe(seq + 2);
    });

    it('takes only the first of one seq sent twice in one push, and records the other as a conflict', async () => {
      const id = await register(A);
      const seq = await nextSeq(A);
      const conflicts = await conflictRows(A);
      const first: Event = { seq, type: 'document.loaded', at: at(-20), data: { authorizationId: id, compartment: 6, staffId: 'S-1' } };
      const second: Event = { seq, type: 'document.collected', at: at(-10), data: { authorizationId: id, compartment: 6, receiptId: 'R-5001' } };
      expect(await pushEvents(A, [first, second])).toBe(seq);
      expect(await document(id)).toEqual({ id, status: 'loaded', lockerId: A, expiresAt: expect.any(String), compartment: 6 });
      const kept = (await t.office.ctx.db.query<{ body: string }>('SELECT body FROM locker_event WHERE locker_id = $1 AND seq = $2', [A, seq])).rows;
      expect(kept.map((r) => JSON.parse(r.body) as unknown)).toEqual([first]);
      expect(await conflictRows(A)).toBe(conflicts + 1);
      // The same event twice in one push is a resend, not a conflict.
      const alarm: Event = { seq: seq + 1, type: 'alarm', at: at(-5), data: { kind: 'tamper' } };
      expect(await pushEvents(A, [alarm, alarm])).toBe(seq + 1);
      expect(await conflictRows(A)).toBe(conflicts + 1);
    });

    it('acknowledges only what arrived without a gap, and the whole run once the gap is filled', async () => {
      expect(await nextSeq(G)).toBe(1);
      // Built once: a resend is byte-for-byte the same event, `at` included, however long the test takes.
      const events = new Map([1, 2, 3, 4].map((seq): [number, Event] => [seq, { seq, type: 'compartment.fault', at: at(-10 + seq), data: { compartment: seq, kind: 'not-latched' } }]));
      const ev = (seq: number): Event => events.get(seq)!;
      expect(await pushEvents(G, [ev(1), ev(2), ev(4)])).toBe(2);
      expect((await locker(G)).eventsThrough).toBe(2);
      expect(await eventRows(G)).toBe(3);
      expect(await pushEvents(G, [ev(3)], 4)).toBe(4);
      expect((await locker(G)).eventsThrough).toBe(4);
      expect(await eventRows(G)).toBe(4);
      // And a resend of all four, as a locker that lost the answers would send them.
      expect(await pushEvents(G, [ev(1), ev(2), ev(3), ev(4)])).toBe(4);
      expect(await eventRows(G)).toBe(4);
      expect(await conflictRows(G)).toBe(0);
    });

    it('refuses a push whose MAC does not verify (401) or that is not a push (400), recording nothing', async () => {
      const id = await register(A);
      const seq = await nextSeq(A);
      const rows = await eventRows(A);
      const conflicts = await conflictRows(A);
      const body = JSON.stringify({ events: [{ seq, type: 'document.collected', at: at(-5), data: { authorizationId: id, compartment: 1, receiptId: 'R-3001' } }] });
      const refusals: Array<[string, string | null]> = [
        ['a MAC of other bytes', eventsMac(kev(A), body + ' ')],
        ['no MAC', null],
        ['a MAC with K instead of Kev', eventsMac(secrets.get(A)!.codeKey, body)],
      ];
      for (const [what, mac] of refusals) {
        const r = await push(A, body, { mac });
        expect({ what, status: r.status, body: JSON.parse(r.text) }).toEqual({ what, status: 401, body: { error: 'bad-mac' } });
      }
      // Another locker's token on this locker's path, with a MAC that is right for this locker.
      const foreign = await push(A, body, { bearer: token(B) });
      expect(foreign.status).toBe(401);

      for (const malformed of ['{"events": [', '{"events": [{"seq": 0, "type": "alarm", "at": "x", "data": {}}]}', '{"evts": []}', '[]']) {
        const r = await push(A, malformed);
        expect({ malformed, status: r.status, body: JSON.parse(r.text) }).toEqual({ malformed, status: 400, body: { error: 'bad-request' } });
      }
      expect(await eventRows(A)).toBe(rows);
      expect(await conflictRows(A)).toBe(conflicts);
      expect((await document(id)).status).toBe('pending');
      expect(await nextSeq(A)).toBe(seq);

      // The same body with its right MAC is taken.
      expect(await pushEvents(A, JSON.parse(body).events as Event[])).toBe(seq);
      expect(await document(id)).toMatchObject({ status: 'collected', receiptId: 'R-3001' });
    });

    it('never lets a locker change another locker\'s document', async () => {
      const ofB = await register(B);
      const seq = await nextSeq(A);
      const events: Event[] = [
        { seq, type: 'document.loaded', at: at(-30), data: { authorizationId: ofB, compartment: 7, staffId: 'S-1' } },
        { seq: seq + 1, type: 'document.collected', at: at(-20), data: { authorizationId: ofB, compartment: 7, receiptId: 'R-4001' } },
        { seq: seq + 2, type: 'document.retrieved', at: at(-15), data: { authorizationId: ofB, compartment: 7, staffId: 'S-1', reason: 'revoked' } },
        { seq: seq + 3, type: 'authorization.rejected', at: at(-10), data: { authorizationId: ofB, reason: 'no-consent' } },
      ];
      // Stored and acknowledged as A's events (A's seq are used up), but B's document is untouched.
      expect(await pushEvents(A, events)).toBe(seq + 3);
      expect(await document(ofB)).toEqual({ id: ofB, status: 'pending', lockerId: B, expiresAt: expect.any(String) });
      expect((await locker(B)).eventsThrough).toBe(0);
    });
  });
});

afterAll(async () => {
  await stopPostgresCluster();
});
