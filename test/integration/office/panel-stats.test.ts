import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClerk } from '../../../office/clerks.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { eventsKey, eventsMac } from '../../../src/wire/event-mac.js';
import { startTestOffice, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The panel's statistics and the office's `/metrics` (issue 16): documents seeded by SQL with known instants, so
 * each count, the waiting time and the outside-hours share can be worked out by hand. Częstochowa is UTC+1 in
 * winter: 2026-11-30 is a Monday, 2026-12-01 a Tuesday, 2026-12-05 a Saturday.
 */
describe('clerks panel: statistics, CSV and /metrics', () => {
  let t: TestOffice;
  let cookie: string;
  let locker1: NewLockerSecrets;
  const now = Date.parse('2026-12-10T12:00:00Z');
  const password = 'correct horse battery';

  /** id, locker, created, loaded, collected (UTC), status, deadline. */
  const docs: Array<[string, string, string, string | null, string | null, string, string]> = [
    // Monday 17:00 local: the counter is open until 18:00. Waited 7 h.
    ['D-A', 'l1', '2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z', '2026-11-30T16:00:00Z', 'collected', '2026-12-07T23:00:00Z'],
    // Tuesday 17:00 local: the counter closed at 16:00. Waited 31 h.
    ['D-B', 'l1', '2026-11-30T08:30:00Z', '2026-11-30T09:00:00Z', '2026-12-01T16:00:00Z', 'collected', '2026-12-07T23:00:00Z'],
    // Saturday 11:00 local: closed all day. Waited 4 days and 1 h (97 h).
    ['D-C', 'l1', '2026-12-01T08:00:00Z', '2026-12-01T09:00:00Z', '2026-12-05T10:00:00Z', 'collected', '2026-12-08T23:00:00Z'],
    ['D-D', 'l1', '2026-12-01T09:00:00Z', '2026-12-01T09:30:00Z', null, 'loaded', '2026-12-20T23:00:00Z'],
    // 23:30 local on Monday (22:30 UTC) and 00:30 local on Tuesday (23:30 UTC on Monday): days are local days.
    ['D-X', 'l1', '2026-11-30T22:30:00Z', null, null, 'pending', '2026-12-20T23:00:00Z'],
    ['D-Y', 'l1', '2026-11-30T23:30:00Z', null, null, 'pending', '2026-12-20T23:00:00Z'],
    // Expired at its deadline, 2026-12-04 local.
    ['D-E', 'l1', '2026-11-27T10:00:00Z', '2026-11-27T11:00:00Z', null, 'expired', '2026-12-04T10:00:00Z'],
    // Another locker: only in the unfiltered figures.
    ['D-Z', 'l2', '2026-12-02T10:00:00Z', '2026-12-02T11:00:00Z', '2026-12-06T19:00:00Z', 'collected', '2026-12-09T23:00:00Z'],
  ];

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'embedded', now: () => new Date(now) });
    await addClerk(t.office.ctx.db, 'anowak', 'Anna Nowak', false, password);
    locker1 = await t.addLocker('l1', 'USC Focha');
    await t.addLocker('l2', 'USC Aleja');
    for (const [id, lockerId, created, loaded, collected, status, deadline] of docs) {
      await t.office.ctx.db.query(
        `INSERT INTO document (id, locker_id, case_ref, document_type, size, accessible, consent, fee_settled, phone_mac, code_mac, status,
           expires_at, registered_by, created_at, loaded_at, collected_at)
         VALUES ($1, $2, 'USC.5362.1.2026', 'odpis-skrocony-aktu-urodzenia', 'S', false, true, true, $3, $3, $4, $5, 'anowak', $6, $7, $8)`,
        [id, lockerId, 'f'.repeat(64), status, deadline, created, loaded, collected],
      );
    }
    const r = await fetch(`${t.url}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
      body: new URLSearchParams({ login: 'anowak', password, next: '/stats' }).toString(),
    });
    expect(r.status).toBe(303);
    cookie = `urz_session=${/urz_session=([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!}`;
  }, 60_000);
  afterAll(() => t?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(t.url + path, { redirect: 'manual', headers: { cookie, ...headers } });
  const page = async (path: string, lang = 'pl'): Promise<string> => {
    const r = await get(path, { cookie: `${cookie}; lang=${lang}` });
    expect(r.status).toBe(200);
    return r.text();
  };
  /** The per-day table's row of a day: [registered, loaded, collected, outside hours, expired]. */
  const dayRow = (text: string, day: string): number[] => {
    const row = new RegExp(`<tr data-day="${day}">(.*?)</tr>`).exec(text)?.[1];
    if (row === undefined) throw new Error(`no row for ${day}`);
    return [...row.matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  };
  const ddOf = (text: string, id: string): string => new RegExp(`<dd id="${id}">([^<]*)</dd>`).exec(text)![1]!;

  it('is only for clerks who logged in', async () => {
    const r = await fetch(`${t.url}/stats`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fstats');
    expect((await fetch(`${t.url}/stats.csv`, { redirect: 'manual' })).status).toBe(303);
  });

  it('counts documents a day by local day: registered, loaded, collected, outside hours, expired', async () => {
    const text = await page('/stats?from=2026-11-30&to=2026-12-06&locker=l1');
    expect(dayRow(text, '2026-11-30')).toEqual([3, 2, 1, 0, 0]); // A, B and X (23:30 local); A collected Monday 17:00: within hours
    expect(dayRow(text, '2026-12-01')).toEqual([3, 2, 1, 1, 0]); // C, D and Y (00:30 local); B collected Tuesday 17:00: outside
    expect(dayRow(text, '2026-12-04')).toEqual([0, 0, 0, 0, 1]); // E's deadline
    expect(dayRow(text, '2026-12-05')).toEqual([0, 0, 1, 1, 0]); // C collected on a Saturday: outside
    expect(dayRow(text, '2026-12-06')).toEqual([0, 0, 0, 0, 0]); // Z is another locker's
    expect(ddOf(text, 'total-registered')).toBe('6');
    expect(ddOf(text, 'total-collected')).toBe('3');
    // The filter is kept in the form.
    expect(text).toContain('<option value="l1" selected>');
    expect(text).toContain('value="2026-11-30"');
  });

  it('without a locker counts every locker', async () => {
    const text = await page('/stats?from=2026-11-30&to=2026-12-06');
    expect(dayRow(text, '2026-12-02')).toEqual([1, 1, 0, 0, 0]);
    expect(dayRow(text, '2026-12-06')).toEqual([0, 0, 1, 1, 0]); // Sunday 20:00 local
    expect(ddOf(text, 'total-collected')).toBe('4');
  });

  it('says how long documents waited: median, 90th percentile, and a histogram in days', async () => {
    const text = await page('/stats?from=2026-11-30&to=2026-12-06&locker=l1');
    // 7 h, 31 h, 97 h: the median is 31 h; the 90th percentile 31 + 0.8 × 66 = 83.8 h.
    expect(ddOf(text, 'wait-median')).toBe('31 godz.');
    expect(ddOf(text, 'wait-p90')).toBe('84 godz.');
    const waits = /<table id="wait-table">(.*?)<\/table>/s.exec(text)![1]!;
    const buckets = [...waits.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2])]);
    expect(buckets.slice(0, 5)).toEqual([['0–1', 1], ['1–2', 1], ['2–3', 0], ['3–4', 0], ['4–5', 1]]);
    expect(buckets.at(-1)).toEqual(['7 i więcej', 0]); // pickup.holdDays is 7
    const en = await page('/stats?from=2026-11-30&to=2026-12-06&locker=l1', 'en');
    expect(ddOf(en, 'wait-median')).toBe('31 h');
  });

  it('gives the share collected outside the counter hours: a Saturday and Tuesday 17:00 are outside, Monday 17:00 is not', async () => {
    const text = await page('/stats?from=2026-11-30&to=2026-12-06&locker=l1', 'en');
    expect(ddOf(text, 'outside-share-value')).toBe('66.7% (2)');
    expect(text).toMatch(/<p id="outside-share"><strong>66\.7%<\/strong> of collections \(2 of 3\)/);
    expect(text).toContain('Mon 08:00–18:00; Tue 08:00–16:00');
    const byDay = /<table id="outside-table">(.*?)<\/table>/s.exec(text)![1]!;
    expect(byDay).toContain('<tr><th scope="row">Monday</th><td>1</td><td>0</td></tr>');
    expect(byDay).toContain('<tr><th scope="row">Tuesday</th><td>0</td><td>1</td></tr>');
    expect(byDay).toContain('<tr><th scope="row">Saturday</th><td>0</td><td>1</td></tr>');
  });

  it('draws its charts as accessible SVG with a table beside each, without script or inline style', async () => {
    const text = await page('/stats?from=2026-11-30&to=2026-12-06');
    const svgs = [...text.matchAll(/<svg [^>]*>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) {
      expect(svg).toContain('role="img"');
      const id = /aria-labelledby="([^ "]+)-title \1-desc"/.exec(svg)![1]!;
      expect(text).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title>\\s*<desc id="${id}-desc">[^<]+</desc>`));
    }
    expect(text).toContain('<title id="chart-days-title">Dokumenty dziennie</title>');
    for (const table of ['days-table', 'outside-table', 'wait-table']) expect(text).toContain(`<table id="${table}">`);
    expect(text).not.toMatch(/<script|style=|<style/);
  });

  it('defaults to the last 30 days, and says so when the range asked for is wrong', async () => {
    const text = await page('/stats');
    expect(text).toContain('id="from" name="from" value="2026-11-11"');
    expect(text).toContain('id="to" name="to" value="2026-12-10"');
    expect(ddOf(text, 'total-registered')).toBe(String(docs.length));
    const wrong = await page('/stats?from=2026-12-06&to=2026-11-30');
    expect(wrong).toContain('role="alert">Początek zakresu jest po jego końcu. Pokazano ostatnie 30 dni.');
    expect(await page('/stats?from=yesterday')).toContain('Daty podaj jako RRRR-MM-DD.');
    expect(await page('/stats?locker=nope')).toContain('Nie ma takiego urzędomatu.');
  });

  it('exports the range as CSV, one row a day with a header', async () => {
    const r = await get('/stats.csv?from=2026-11-30&to=2026-12-06&locker=l1');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="urzedomat-stats-2026-11-30-2026-12-06-l1.csv"');
    expect((await r.text()).split('\r\n')).toEqual([
      'date,registered,loaded,collected,expired,collected_outside_hours',
      '2026-11-30,3,2,1,0,0',
      '2026-12-01,3,2,1,0,1',
      '2026-12-02,0,0,0,0,0',
      '2026-12-03,0,0,0,0,0',
      '2026-12-04,0,0,0,1,0',
      '2026-12-05,0,0,1,0,1',
      '2026-12-06,0,0,0,0,0',
      '',
    ]);
    const all = await (await get('/stats.csv')).text();
    expect(all.split('\r\n')).toHaveLength(1 + 30 + 1);
    const bad = await get('/stats.csv?from=2026-13-01');
    expect(bad.status).toBe(400);
  });

  describe('GET /metrics', () => {
    const metrics = async (): Promise<{ text: string; value(series: string): number | undefined }> => {
      const r = await fetch(`${t.url}/metrics`); // no session
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
      const text = await r.text();
      return {
        text,
        value: (series) => {
          const line = text.split('\n').find((l) => l.startsWith(`${series} `));
          return line === undefined ? undefined : Number(line.slice(series.length + 1));
        },
      };
    };

    it('answers in the Prometheus text format without a session, with the named metrics', async () => {
      const m = await metrics();
      for (const line of m.text.split('\n').filter((l) => l !== '')) {
        expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+)$/);
      }
      for (const [name, type] of [
        ['urzedomat_office_feed_pulls_total', 'counter'], ['urzedomat_office_events_stored_total', 'counter'], ['urzedomat_office_auth_failures_total', 'counter'],
        ['urzedomat_office_documents', 'gauge'], ['urzedomat_office_sms_jobs', 'gauge'], ['urzedomat_office_open_alarms', 'gauge'],
      ]) expect(m.text).toContain(`# TYPE ${name} ${type}`);
      expect(m.value('urzedomat_office_documents{locker="l1",status="collected"}')).toBe(3);
      expect(m.value('urzedomat_office_documents{locker="l1",status="expired"}')).toBe(1);
      expect(m.value('urzedomat_office_documents{locker="l2",status="revoked"}')).toBe(0);
      expect(m.value('urzedomat_office_sms_jobs{state="waiting"}')).toBe(0);
      expect(m.value('urzedomat_office_database_up')).toBe(1);
    });

    it('changes after a pull, a push with an alarm, and a bad token', async () => {
      const before = await metrics();
      expect(before.value('urzedomat_office_feed_pulls_total{locker="l1",outcome="served"}') ?? 0).toBe(0);
      const auth = { authorization: `Bearer ${locker1.token}` };
      expect((await fetch(`${t.url}/v1/lockers/l1/feed?after=0`, { headers: auth })).status).toBe(200);
      const body = JSON.stringify({ events: [{ seq: 1, type: 'alarm', at: '2026-12-10T11:59:00.000Z', data: { kind: 'tamper' } }] });
      const push = await fetch(`${t.url}/v1/lockers/l1/events`, {
        method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-urzedomat-mac': eventsMac(eventsKey(locker1.codeKey), body) }, body,
      });
      expect(push.status).toBe(200);
      expect((await fetch(`${t.url}/v1/lockers/l1/feed?after=0`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const after = await metrics();
      expect(after.value('urzedomat_office_feed_pulls_total{locker="l1",outcome="served"}')).toBe(1);
      expect(after.value('urzedomat_office_event_pushes_total{locker="l1"}')).toBe(1);
      expect(after.value('urzedomat_office_events_stored_total{locker="l1"}')).toBe(1);
      expect(after.value('urzedomat_office_auth_failures_total')).toBe((before.value('urzedomat_office_auth_failures_total') ?? 0) + 1);
      expect(after.value('urzedomat_office_open_alarms{locker="l1",kind="tamper"}')).toBe(1);
      await t.office.pulls.flush();
      expect((await metrics()).value('urzedomat_office_locker_last_pull_timestamp_seconds{locker="l1"}')).toBe(now / 1000);
    });

    it('is not served through a reverse proxy', async () => {
      const r = await fetch(`${t.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(r.status).toBe(403);
    });
  });
});
