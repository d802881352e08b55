import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClerk } from '../../../office/clerks.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { when } from '../../../office/panel/i18n.js';
import { eventMacHeader, eventsKey, eventsMac } from '../../../src/wire/event-mac.js';
import { startTestOffice, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The office's view of its lockers in the clerks' panel (issue 16): the table of every locker (last pull, feed
 * position against the head, last event, boards online and compartments from the newest `locker.status`, age
 * of the audit head, open alarms), and one locker's page where a clerk marks an alarm dealt with: who and when
 * are shown, it leaves the open alarms of the page and of `GET /api/v1/lockers/{id}`.
 */
describe('clerks panel: lockers and their alarms', () => {
  let t: TestOffice;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const password = 'correct horse battery';
  const L = 'czestochowa-focha-1';
  const quiet = 'czestochowa-raku-2';
  let secrets: NewLockerSecrets;
  let cookie = '';

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'embedded', now: () => new Date(clock) });
    await addClerk(t.office.ctx.db, 'anowak', 'Anna Nowak', false, password);
    secrets = await t.addLocker(L, 'USC Częstochowa, ul. Focha 19');
    await t.addLocker(quiet, 'USC Częstochowa, ul. Rakowska 2');
    cookie = `urz_session=${await login()}`;
  }, 60_000);
  afterAll(() => t?.close());

  const iso = (msAgo: number): string => new Date(clock - msAgo).toISOString();
  const get = (path: string, c = cookie) => fetch(t.url + path, { redirect: 'manual', headers: c ? { cookie: c } : {} });
  const post = (path: string, form: Record<string, string>, c = cookie) =>
    fetch(t.url + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url, ...(c ? { cookie: c } : {}) }, body: new URLSearchParams(form).toString() });
  async function login(): Promise<string> {
    const r = await post('/login', { login: 'anowak', password, next: '/lockers' }, '');
    expect(r.status).toBe(303);
    return /urz_session=([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!;
  }
  const csrfOf = (page: string): string => /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const rowOf = (page: string, id: string): string => new RegExp(`<tr data-locker="${id}">([\\s\\S]*?)</tr>`).exec(page)![1]!;
  const section = (page: string, from: string, to: string): string => page.slice(page.indexOf(from), to === '' ? undefined : page.indexOf(to));

  /** A push as the locker makes it (contracts.md §5.3): the exact body, its MAC with Kev, the bearer token. */
  async function push(events: { seq: number; type: string; at: string; data: Record<string, unknown> }[]): Promise<number> {
    const body = JSON.stringify({ events });
    const r = await fetch(`${t.url}/v1/lockers/${L}/events`, {
      method: 'POST', body,
      headers: { authorization: `Bearer ${secrets.token}`, 'content-type': 'application/json', [eventMacHeader]: eventsMac(eventsKey(secrets.codeKey), body) },
    });
    expect(r.status).toBe(200);
    return r.status;
  }

  let head = 0;

  it('the table shows each locker’s pull, feed position, last event, boards, compartments, audit head age and open alarms', async () => {
    head = Number((await t.office.ctx.db.query<{ last: number }>('SELECT last FROM locker_log_head WHERE locker_id = $1', [L])).rows[0]!.last);
    expect(head).toBeGreaterThan(2);
    // The locker says at its pull that 3 events wait in its outbox (its pushes are failing, say).
    const pull = await fetch(`${t.url}/v1/lockers/${L}/feed?after=2&outbox=3`, { headers: { authorization: `Bearer ${secrets.token}` } });
    expect(pull.status).toBe(200);
    await t.office.pulls.flush();
    await push([
      { seq: 1, type: 'audit.head', at: iso(40 * 60_000), data: { seq: 812, hash: 'ab'.repeat(32), archivedThrough: 0 } },
      { seq: 2, type: 'locker.status', at: iso(20 * 60_000), data: { boards: [{ address: 0, online: true }, { address: 1, online: true }], compartments: { free: 12, occupied: 0, open: 0, reserved: 0, fault: 0, disabled: 0 } } },
      { seq: 3, type: 'locker.status', at: iso(5 * 60_000), data: { boards: [{ address: 0, online: true }, { address: 1, online: false }], compartments: { free: 7, occupied: 4, open: 0, reserved: 0, fault: 1, disabled: 0 } } },
      { seq: 4, type: 'alarm', at: iso(3 * 60_000), data: { kind: 'forced-open', compartment: 3 } },
      { seq: 5, type: 'alarm', at: iso(2 * 60_000), data: { kind: 'board-offline', board: 1 } },
    ]);
    clock += 4 * 60_000;

    const r = await get('/lockers');
    expect(r.status).toBe(200);
    const page = await r.text();
    const row = rowOf(page, L);
    expect(row).toContain('USC Częstochowa, ul. Focha 19');
    expect(row).toContain('4 min temu'); // the pull
    expect(row).toContain(`2 / ${head} <span class="muted">(${head - 2} do pobrania)</span>`);
    expect(row).toContain('nr 5, <time'); // events received through seq 5, the last one 4 minutes ago
    expect(row).toContain('<span>czeka w urzędomacie: 3</span>');
    expect(row).toContain('<strong>1 z 2 odpowiada</strong> <span>(bez łączności: 1)</span>');
    expect(row).toContain('wolne 7 · zajęte 4 · usterka 1'); // the newest status (seq 3), not seq 2
    expect(row).toContain('9 min temu</time>)'); // that status's age
    expect(row).toMatch(/44 min temu<\/time> <span class="muted">\(wpis 812\)<\/span>/); // audit head
    expect(row).toContain('<td><strong>2</strong></td>');
    const other = rowOf(page, quiet);
    expect(other).toContain('nigdy');
    expect(other).toContain('brak raportu stanu');
    expect(other).toContain('jeszcze nie dotarł');
    expect(other).toContain('<td>0</td>');
    expect(other).not.toContain('czeka w urzędomacie'); // it never said

    const en = await (await get('/lockers', `${cookie}; lang=en`)).text();
    expect(rowOf(en, L)).toContain('<strong>1 of 2 online</strong>');
    expect(rowOf(en, L)).toContain('free 7 · occupied 4 · faulted 1');
    expect(rowOf(en, L)).toContain('44 min ago');
  });

  it('a clerk marks an alarm dealt with: who and when are shown, and it leaves the open alarms of the page and the API', async () => {
    const before = await (await get(`/lockers/${L}`)).text();
    const open = section(before, 'id="open-alarms"', 'id="resolved-alarms"');
    expect(open).toContain('Otwarte alarmy (2)');
    expect(open).toContain('Drzwiczki otwarte siłą');
    expect(open).toContain('Sterownik zamków nie odpowiada');
    expect(open).toContain('<td>nr 3</td>');
    expect(open).toContain(when('pl', new Date(clock - 7 * 60_000)));
    const forced = /<tr data-alarm="(\d+)">\s*<td>Drzwiczki otwarte siłą<\/td>/.exec(open)![1]!;
    expect(open).toContain(`action="/lockers/${L}/alarms/${forced}/resolve"`);
    expect(section(before, 'id="resolved-alarms"', '')).toContain('Jeszcze żadnego.');

    // Without the session's token nothing changes.
    expect((await post(`/lockers/${L}/alarms/${forced}/resolve`, {})).status).toBe(403);
    expect((await t.api('GET', `/api/v1/lockers/${L}`)).body.openAlarms).toHaveLength(2);

    clock += 60_000;
    const done = await post(`/lockers/${L}/alarms/${forced}/resolve`, { _csrf: csrfOf(before) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/lockers/${L}?done=${forced}`);
    const after = await (await get(done.headers.get('location')!)).text();
    expect(after).toContain('Alarm oznaczony jako załatwiony.');
    const stillOpen = section(after, 'id="open-alarms"', 'id="resolved-alarms"');
    expect(stillOpen).toContain('Otwarte alarmy (1)');
    expect(stillOpen).not.toContain('Drzwiczki otwarte siłą');
    const resolved = section(after, 'id="resolved-alarms"', '');
    expect(resolved).toContain('Drzwiczki otwarte siłą');
    expect(resolved).toContain('Anna Nowak (anowak)');
    expect(resolved).toContain(when('pl', new Date(clock)));
    const row = await t.office.ctx.db.query<{ resolved_by: string; resolved_at: Date }>('SELECT resolved_by, resolved_at FROM locker_alarm WHERE id = $1', [Number(forced)]);
    expect(row.rows[0]).toEqual({ resolved_by: 'anowak', resolved_at: new Date(clock) });

    const api = await t.api('GET', `/api/v1/lockers/${L}`);
    expect(api.status).toBe(200);
    expect(api.body.openAlarms).toEqual([expect.objectContaining({ kind: 'board-offline', seq: 5 })]);
    expect(rowOf(await (await get('/lockers')).text(), L)).toContain('<td><strong>1</strong></td>');

    // A second clerk's click on the same alarm keeps the first record and says whose it is.
    const again = await post(`/lockers/${L}/alarms/${forced}/resolve`, { _csrf: csrfOf(before) });
    expect(again.headers.get('location')).toBe(`/lockers/${L}?already=${forced}`);
    expect(await (await get(again.headers.get('location')!)).text()).toContain('Ten alarm był już załatwiony: Anna Nowak (anowak)');
  });

  it('a newer status report replaces the older one; an unknown locker or alarm is a 404', async () => {
    await push([{ seq: 6, type: 'locker.status', at: iso(0), data: { boards: [{ address: 0, online: true }, { address: 1, online: true }], compartments: { free: 6, occupied: 5, open: 1, reserved: 0, fault: 0, disabled: 0 } } }]);
    const row = rowOf(await (await get('/lockers')).text(), L);
    expect(row).toContain('2 z 2 odpowiada');
    expect(row).toContain('wolne 6 · zajęte 5 · usterka 0 · otwarte 1');
    expect((await get('/lockers/no-such-locker')).status).toBe(404);
    const page = await (await get(`/lockers/${L}`)).text();
    expect((await post(`/lockers/${L}/alarms/999999/resolve`, { _csrf: csrfOf(page) })).status).toBe(404);
    expect((await post(`/lockers/${quiet}/alarms/1/resolve`, { _csrf: csrfOf(page) })).status).toBe(404); // another locker's alarm
  });

  it('sends a visitor without a session to the login page', async () => {
    const r = await get('/lockers', '');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Flockers');
  });
});
