import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../../office/http/auth-failures.js';
import { buildOfficeApp } from '../../../office/http/app.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { codeMac, phoneMac, pinMac } from '../../../src/wire/credentials.js';
import type { FeedChange } from '../../../src/wire/feed-schema.js';
import { dumpDatabase as dumpDb, pullFeed, registration, startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';
import { until } from '../../helpers/until.js';

/**
 * The integration API of contracts.md §7.3 over real HTTP, on both database backends: what the city's
 * document system sees, and what reaches the resident (the text message) and the lockers (the signed feed).
 */

const PHONE = '600100200';
const DAY_MS = 86_400_000;

interface Text {
  to: string;
  message: string;
  at: string;
}

type AuthorizationUpsert = Extract<FeedChange, { type: 'authorization.upsert' }>;
type StaffUpsert = Extract<FeedChange, { type: 'staff.upsert' }>;

describe.each(['embedded', 'postgres'] as const)('office integration API (%s)', (backend) => {
  let t: TestOffice;
  const A = 'api-a';
  const B = 'api-b';
  const secrets = new Map<string, NewLockerSecrets>();

  beforeAll(async () => {
    t = await startTestOffice({ backend });
    for (const id of [A, B]) secrets.set(id, await t.addLocker(id));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const key = (lockerId: string): Buffer => secrets.get(lockerId)!.codeKey;

  /** Every text the file gateway wrote so far. */
  function texts(): Text[] {
    if (!existsSync(t.smsFile)) return [];
    return readFileSync(t.smsFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Text);
  }

  /** Waits for `n` texts beyond the `before` already written (the worker sends them after commit), and no more. */
  async function newTexts(before: number, n = 1): Promise<Text[]> {
    await until(() => texts().length >= before + n, 15_000, `${n} text message(s)`);
    const all = texts();
    expect(all).toHaveLength(before + n);
    return all.slice(before);
  }

  /** The one run of 8+ digits in a text: the code. */
  function codeIn(message: string): string {
    const runs = message.match(/\d{8,}/g) ?? [];
    expect(runs, message).toHaveLength(1);
    expect(runs[0]).toMatch(/^\d{8}$/);
    return runs[0]!;
  }

  const pull = (lockerId: string, after = 0) => pullFeed(t, lockerId, secrets.get(lockerId)!.token, after);

  const upserts = (changes: FeedChange[], id: string): AuthorizationUpsert['authorization'][] =>
    changes.filter((c): c is AuthorizationUpsert => c.type === 'authorization.upsert' && c.authorization.id === id).map((c) => c.authorization);
  const staffUpserts = (changes: FeedChange[], id: string): StaffUpsert['staff'][] =>
    changes.filter((c): c is StaffUpsert => c.type === 'staff.upsert' && c.staff.id === id).map((c) => c.staff);

  /** Registers a document, waits for its text and returns the id and the code the resident got. */
  async function register(over: Record<string, unknown> = {}, lockerId = A): Promise<{ id: string; code: string; expiresAt: string; text: Text }> {
    const before = texts().length;
    const r = await t.api('POST', '/api/v1/documents', registration(lockerId, over));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const [text] = await newTexts(before);
    return { id: r.body.id as string, code: codeIn(text!.message), expiresAt: r.body.expiresAt as string, text: text! };
  }

  const dumpDatabase = (): Promise<string> => dumpDb(t.office.ctx.db, ['document', 'sms_job', 'locker_change', 'locker', 'staff']);

  /** What a refusal must leave as it was: documents, queued texts, every locker's log. */
  async function stored(): Promise<{ documents: number; smsJobs: number; heads: Record<string, number> }> {
    const db = t.office.ctx.db;
    const documents = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM document')).rows[0]!.n);
    const smsJobs = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_job')).rows[0]!.n);
    const heads = Object.fromEntries((await db.query<{ locker_id: string; last: number }>('SELECT locker_id, last FROM locker_log_head')).rows.map((r) => [r.locker_id, Number(r.last)]));
    return { documents, smsJobs, heads };
  }

  describe('POST /api/v1/documents', () => {
    it('registers: 201 pending with the hold period, one text whose only long digit run is the code, MACs in the feed, the code nowhere else', async () => {
      const { last: cursor } = await pull(A);
      const before = texts().length;
      const t0 = Date.now();
      const r = await t.api('POST', '/api/v1/documents', registration(A, { caseRef: 'USC.5362.7.2026' }));
      const t1 = Date.now();
      expect(r.status).toBe(201);
      expect(r.body).toEqual({ id: expect.any(String), status: 'pending', expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/) });
      const expiresAt = Date.parse(r.body.expiresAt as string);
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 + 7 * DAY_MS);
      expect(expiresAt).toBeLessThanOrEqual(t1 + 7 * DAY_MS);
      const id = r.body.id as string;

      const [text] = await newTexts(before);
      expect(text!.to).toBe(PHONE);
      const code = codeIn(text!.message);

      const { changes } = await pull(A, cursor);
      expect(changes.map((c) => c.type)).toEqual(['authorization.upsert']);
      const [auth] = upserts(changes, id);
      expect(auth).toEqual({
        id, caseRef: 'USC.5362.7.2026', documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S', accessible: false, consent: true, feeSettled: true,
        phoneMac: phoneMac(key(A), PHONE), codeMac: codeMac(key(A), code), expiresAt: new Date(expiresAt).toISOString(),
      });
      // The other locker's key gives other MACs, and the other locker hears nothing of this document.
      expect(auth!.codeMac).not.toBe(codeMac(key(B), code));
      expect(upserts((await pull(B)).changes, id)).toEqual([]);

      // Not in the API's answer, the database or the log; the sanity checks show each was really searched.
      expect(JSON.stringify(r.body)).not.toContain(code);
      const dump = await dumpDatabase();
      expect(dump).toContain(id);
      expect(dump).toContain(auth!.codeMac);
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(PHONE);
      const log = t.logLines.join('');
      expect(log).toContain(id);
      expect(log).not.toContain(code);
      expect(log).not.toContain(PHONE);
    });

    it('accepts the phone as +48 600 100 200 and 0048600100200, fed as the 9-digit number', async () => {
      const { last: cursor } = await pull(A);
      const one = await register({ phone: '+48 600 100 200' });
      const two = await register({ phone: '0048600100200' });
      expect(one.text.to).toBe(PHONE);
      expect(two.text.to).toBe(PHONE);
      const { changes } = await pull(A, cursor);
      expect(upserts(changes, one.id).map((a) => a.phoneMac)).toEqual([phoneMac(key(A), PHONE)]);
      expect(upserts(changes, two.id).map((a) => a.phoneMac)).toEqual([phoneMac(key(A), PHONE)]);
    });

    it('refuses with 422, storing, texting and feeding nothing', async () => {
      // A type the catalogue allows but the hard deny list does not: the office's own check, not the catalogue's.
      await t.office.ctx.db.query(
        "INSERT INTO document_type (code, name_pl, name_en, locker_release) VALUES ('paszport-tymczasowy', 'Paszport tymczasowy', 'Temporary passport', true) ON CONFLICT (code) DO NOTHING",
      );
      const smsBefore = texts().length;
      const before = await stored();
      const cursors: Record<string, number> = { [A]: (await pull(A)).last, [B]: (await pull(B)).last };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ documentType: 'dowod-osobisty' }, 'document-type-not-allowed'],
        [{ documentType: 'zaswiadczenie-o-niczym' }, 'document-type-not-allowed'],
        [{ documentType: 'paszport' }, 'document-type-not-allowed'],
        [{ documentType: 'paszport-tymczasowy' }, 'document-type-not-allowed'],
        [{ consent: false }, 'no-consent'],
        [{ lockerId: 'no-such-locker' }, 'unknown-locker'],
        [{ phone: '60010020' }, 'invalid-phone'],
        [{ phone: 'abc' }, 'invalid-phone'],
        [{ phone: '+49 600 100 200' }, 'invalid-phone'],
      ];
      for (const [over, error] of cases) {
        const r = await t.api('POST', '/api/v1/documents', registration(A, over));
        expect({ over, status: r.status, body: r.body }).toEqual({ over, status: 422, body: { error } });
      }
      expect(await stored()).toEqual(before);
      for (const id of [A, B]) expect((await pull(id, cursors[id])).changes).toEqual([]);
      // Texts go out in the order they were queued: once a later registration's text is out, none of the
      // refused ones can still come.
      await register();
      expect(texts()).toHaveLength(smsBefore + 1);
    });

    it('answers a malformed body 400 bad-request and a missing or wrong token 401, with nothing stored', async () => {
      const before = await stored();
      const { phone: _phone, ...noPhone } = registration(A);
      const bodies: unknown[] = [
        '{"lockerId": "api-a", "caseRef": ',
        'not json at all',
        { ...registration(A), extra: 1 },
        noPhone,
        registration(A, { consent: 'yes' }),
        registration(A, { size: 'XL' }),
        registration(A, { accessible: 1 }),
        [registration(A)],
      ];
      for (const body of bodies) {
        const r = await t.api('POST', '/api/v1/documents', body);
        expect({ body, status: r.status, answer: r.body }).toEqual({ body, status: 400, answer: { error: 'bad-request' } });
      }
      const post = (headers: Record<string, string>) =>
        fetch(`${t.url}/api/v1/documents`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(registration(A)) });
      const without = await post({});
      expect(without.status).toBe(401);
      expect(await without.json()).toEqual({ error: 'unauthorized' });
      const wrong = await t.api('POST', '/api/v1/documents', registration(A), 'x'.repeat(43));
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: 'unauthorized' });
      const locker = await t.api('POST', '/api/v1/documents', registration(A), secrets.get(A)!.token);
      expect(locker.status).toBe(401);
      expect(await stored()).toEqual(before);
    });
  });

  describe('GET /api/v1/documents/{id}', () => {
    it('shows a registered document, 404 for an unknown id', async () => {
      const d = await register({}, B);
      const r = await t.api('GET', `/api/v1/documents/${d.id}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ id: d.id, status: 'pending', lockerId: B, expiresAt: d.expiresAt });
      const unknown = await t.api('GET', '/api/v1/documents/00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'not-found' });
    });
  });

  describe('POST /api/v1/documents/{id}/revoke', () => {
    it('revokes: the feed carries the revocation with its reason; again is 200; unknown is 404', async () => {
      const d = await register();
      const { last: cursor } = await pull(A);
      const r = await t.api('POST', `/api/v1/documents/${d.id}/revoke`, { reason: 'withdrawn' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'revoked' });
      const { changes, last } = await pull(A, cursor);
      expect(changes).toEqual([{ seq: cursor + 1, type: 'authorization.revoke', id: d.id, reason: 'withdrawn' }]);
      expect((await t.api('GET', `/api/v1/documents/${d.id}`)).body).toEqual({ id: d.id, status: 'revoked', lockerId: A, expiresAt: d.expiresAt });
      // The document's history names the system whose token asked (the rig's token is called 'tests').
      const history = await t.office.ctx.db.query<{ what: string; actor: string }>('SELECT what, actor FROM document_history WHERE document_id = $1 ORDER BY id', [d.id]);
      expect(history.rows.filter((h) => h.what === 'revoked')).toEqual([{ what: 'revoked', actor: 'api:tests' }]);

      const again = await t.api('POST', `/api/v1/documents/${d.id}/revoke`, { reason: 'withdrawn' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'revoked' });
      expect((await pull(A, last)).changes).toEqual([]);

      const unknown = await t.api('POST', '/api/v1/documents/00000000-0000-4000-8000-000000000000/revoke', { reason: 'withdrawn' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'not-found' });
      expect((await t.api('POST', `/api/v1/documents/${d.id}/revoke`, {})).status).toBe(400);
    });
  });

  describe('POST /api/v1/documents/{id}/new-code', () => {
    it('texts a new code and feeds its MAC in place of the old one; the status stays', async () => {
      const d = await register();
      const { last: cursor } = await pull(A);
      const before = texts().length;
      const r = await t.api('POST', `/api/v1/documents/${d.id}/new-code`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'pending' });
      const [text] = await newTexts(before);
      expect(text!.to).toBe(PHONE);
      const code = codeIn(text!.message);
      expect(code).not.toBe(d.code);
      expect(JSON.stringify(r.body)).not.toContain(code);

      const { changes } = await pull(A, cursor);
      const fed = upserts(changes, d.id);
      expect(fed).toHaveLength(1);
      expect(fed[0]!.codeMac).toBe(codeMac(key(A), code));
      expect(fed[0]!.codeMac).not.toBe(codeMac(key(A), d.code));
      expect(fed[0]!.phoneMac).toBe(phoneMac(key(A), PHONE));
      expect(fed[0]!.expiresAt).toBe(d.expiresAt);
      expect((await t.api('GET', `/api/v1/documents/${d.id}`)).body).toEqual({ id: d.id, status: 'pending', lockerId: A, expiresAt: d.expiresAt });

      const dump = await dumpDatabase();
      expect(dump).not.toContain(code);
      expect(t.logLines.join('')).not.toContain(code);
      expect((await t.api('POST', '/api/v1/documents/00000000-0000-4000-8000-000000000000/new-code')).status).toBe(404);
    });
  });

  describe('staff', () => {
    it('feeds each locker its own pinMac, sets a new PIN, refuses a bad PIN and deactivates', async () => {
      expect(key(A).equals(key(B))).toBe(false);
      const cursors: Record<string, number> = { [A]: (await pull(A)).last, [B]: (await pull(B)).last };
      const created = await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Anna Nowak', pin: '4821' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: 'S-1', active: true, lockers: 2 });
      for (const id of [A, B]) {
        const { changes, last } = await pull(id, cursors[id]);
        expect(changes).toHaveLength(1);
        expect(staffUpserts(changes, 'S-1')).toEqual([{ id: 'S-1', name: 'Anna Nowak', pinMac: pinMac(key(id), 'S-1', '4821'), roles: ['loader'], active: true }]);
        cursors[id] = last;
      }

      const again = await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Anna Nowak', pin: '9173', roles: ['loader', 'retriever'] });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ id: 'S-1', active: true, lockers: 2 });
      for (const id of [A, B]) {
        const { changes, last } = await pull(id, cursors[id]);
        expect(staffUpserts(changes, 'S-1')).toEqual([{ id: 'S-1', name: 'Anna Nowak', pinMac: pinMac(key(id), 'S-1', '9173'), roles: ['loader', 'retriever'], active: true }]);
        cursors[id] = last;
      }

      const before = await stored();
      for (const pin of ['abc', '12', '123456789', '12 34']) {
        const r = await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Anna Nowak', pin });
        expect({ pin, status: r.status, body: r.body }).toEqual({ pin, status: 422, body: { error: 'invalid-pin' } });
      }
      expect((await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Anna Nowak' })).status).toBe(400);
      expect((await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Anna Nowak', pin: '4821', roles: ['admin'] })).status).toBe(400);
      expect(await stored()).toEqual(before);

      const gone = await t.api('DELETE', '/api/v1/staff/S-1');
      expect(gone.status).toBe(200);
      expect(gone.body).toEqual({ id: 'S-1', active: false });
      for (const id of [A, B]) {
        const { changes } = await pull(id, cursors[id]);
        const fed = staffUpserts(changes, 'S-1');
        expect(fed).toHaveLength(1);
        expect(fed[0]).toMatchObject({ id: 'S-1', name: 'Anna Nowak', roles: ['loader', 'retriever'], active: false });
        expect(fed[0]!.pinMac).toMatch(/^[0-9a-f]{64}$/);
        expect([pinMac(key(id), 'S-1', '4821'), pinMac(key(id), 'S-1', '9173')]).not.toContain(fed[0]!.pinMac);
      }
      // MACs, hashes and sealed values are random and long enough to hold any four digits: left out of this search.
      const dump = (await dumpDatabase()).replace(/[A-Za-z0-9+/=]{40,}/g, '#');
      expect(dump).toContain('Anna Nowak');
      expect(dump).not.toContain('4821');
      expect(dump).not.toContain('9173');

      const unknown = await t.api('DELETE', '/api/v1/staff/S-404');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'not-found' });
    });
  });

  describe('GET /api/v1/lockers/{id}', () => {
    it('shows the last pull and the confirmed cursor; 404 for an unknown locker', async () => {
      const t0 = Date.now();
      const { last } = await pull(A);
      await pull(A, last); // the locker confirms `last` by pulling after it
      const t1 = Date.now();
      await t.office.pulls.flush();
      const r = await t.api('GET', `/api/v1/lockers/${A}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: A, name: `Urzad Stanu Cywilnego, ${A}`, cursor: last, eventsThrough: 0, openAlarms: [] });
      const at = Date.parse(r.body.lastPullAt as string);
      expect(at).toBeGreaterThanOrEqual(t0 - 1);
      expect(at).toBeLessThanOrEqual(t1 + 1);

      const unknown = await t.api('GET', '/api/v1/lockers/no-such-locker');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ error: 'not-found' });
    });

    it('shows a locker that never pulled with lastPullAt null', async () => {
      await t.addLocker('api-idle');
      const r = await t.api('GET', '/api/v1/lockers/api-idle');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: 'api-idle', lastPullAt: null, cursor: 0, eventsThrough: 0, openAlarms: [] });
    });
  });

  describe('authentication failures', () => {
    it('after 10 wrong tokens from one source even the right token gets 429 until the block ends; other sources are not affected', async () => {
      let now = 1_000_000;
      const limiter = new AuthFailureLimiter({ now: () => now });
      const app = await buildOfficeApp(t.office.ctx, t.office.pulls, () => t.office.sms.nudge(), limiter);
      try {
        const get = (token: string, remoteAddress = '127.0.0.1') =>
          app.inject({ method: 'GET', url: `/api/v1/lockers/${A}`, headers: { authorization: `Bearer ${token}` }, remoteAddress });
        expect((await get(t.apiToken)).statusCode).toBe(200);
        for (let i = 0; i < 10; i++) expect((await get(`wrong-token-${String(i).padStart(10, '0')}`)).statusCode).toBe(401);
        const blocked = await get(t.apiToken);
        expect(blocked.statusCode).toBe(429);
        expect(blocked.json()).toEqual({ error: 'too-many-failures', retryAfterS: 300 });
        expect(blocked.headers['retry-after']).toBe('300');
        // The lockers' endpoints answer the same source the same way.
        const feed = await app.inject({ method: 'GET', url: `/v1/lockers/${A}/feed?after=0`, headers: { authorization: `Bearer ${secrets.get(A)!.token}` } });
        expect(feed.statusCode).toBe(429);
        expect((await get(t.apiToken, '192.0.2.7')).statusCode).toBe(200);

        now += 299_000;
        const later = await get(t.apiToken);
        expect(later.statusCode).toBe(429);
        expect(later.json()).toEqual({ error: 'too-many-failures', retryAfterS: 1 });
        now += 1_001;
        expect((await get(t.apiToken)).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });
});

afterAll(async () => {
  await stopPostgresCluster();
});
