import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClerk } from '../../../office/clerks.js';
import { startTestOffice, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The panel's doors (issue 16): logging in with a clerk's password, the lockout after five failures, the
 * session cookie's attributes, its end after idle time and at logout, CSRF and same-origin checks on every form,
 * the strict CSP, and the language switch.
 */
describe('clerks panel: login, sessions, CSRF', () => {
  let t: TestOffice;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const password = 'correct horse battery';

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'embedded', now: () => new Date(clock) });
    await addClerk(t.office.ctx.db, 'anowak', 'Anna Nowak', false, password);
    await addClerk(t.office.ctx.db, 'jkowal', 'Jan Kowalski', true, password);
  }, 60_000);
  afterAll(() => t?.close());

  const origin = () => t.url;
  const get = (path: string, cookie = '') => fetch(t.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const post = (path: string, form: Record<string, string>, cookie = '', from = origin()) =>
    fetch(t.url + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: from, ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(form).toString() });
  const login = async (who: string, pw = password): Promise<string> => {
    const r = await post('/login', { login: who, password: pw, next: '/stats' });
    expect(r.status).toBe(303);
    return /urz_session=([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!;
  };
  const csrfOf = async (cookie: string): Promise<string> => /name="_csrf" value="([^"]+)"/.exec(await (await get('/login', cookie)).text())![1]!;

  it('sends a visitor without a session to the login page, which carries the strict CSP', async () => {
    const r = await get('/documents/new');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fdocuments%2Fnew');
    const page = await get('/login');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const text = await page.text();
    expect(text).toContain('<html lang="pl">');
    expect(text).toContain('<label for="password">Hasło</label>');
  });

  it('a right password opens a session in a Secure, HttpOnly, SameSite=Strict cookie and goes where the clerk was headed', async () => {
    const r = await post('/login', { login: 'anowak', password, next: '/stats' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/stats');
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^urz_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    // Only its hash is stored.
    const value = /urz_session=([^;]+)/.exec(cookie)![1]!;
    const rows = await t.office.ctx.db.query<{ id_hash: string }>('SELECT id_hash FROM clerk_session');
    expect(rows.rows.map((x) => x.id_hash)).not.toContain(value);
    expect(await (await get('/login', `urz_session=${value}`)).text()).toContain('Anna Nowak');
  });

  it('never sends the clerk to another site after login', async () => {
    const r = await post('/login', { login: 'anowak', password, next: '//evil.example/' });
    expect(r.headers.get('location')).toBe('/');
  });

  it('a wrong password is refused without saying which part was wrong; five failures lock the login even for the right password', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await post('/login', { login: 'jkowal', password: 'wrong' });
      expect(r.status).toBe(401);
      expect(await r.text()).toContain('Nieprawidłowy login lub hasło.');
    }
    const fifth = await post('/login', { login: 'jkowal', password: 'wrong' });
    expect(await fifth.text()).toContain('zablokowane na 15 min');
    const right = await post('/login', { login: 'jkowal', password });
    expect(right.status).toBe(401);
    expect(await right.text()).toContain('zablokowane');
    clock += 16 * 60_000;
    expect((await post('/login', { login: 'jkowal', password })).status).toBe(303);
  });

  it('an unknown login gets the same answers as a real one: wrong login or password, then locked after five', async () => {
    for (let i = 1; i <= 4; i++) {
      const r = await post('/login', { login: 'nobody', password: 'whatever' });
      expect(r.status).toBe(401);
      expect(await r.text()).toContain('Nieprawidłowy login lub hasło.');
    }
    expect(await (await post('/login', { login: 'nobody', password: 'whatever' })).text()).toContain('zablokowane na 15 min');
    expect(await (await post('/login', { login: 'nobody', password: 'whatever' })).text()).toContain('zablokowane');
  });

  it('a form without the session token, or from another origin, is refused and changes nothing', async () => {
    const value = await login('anowak');
    const cookie = `urz_session=${value}`;
    const csrf = await csrfOf(cookie);
    expect((await post('/logout', {}, cookie)).status).toBe(403);
    expect((await post('/logout', { _csrf: 'x'.repeat(csrf.length) }, cookie)).status).toBe(403);
    expect((await post('/logout', { _csrf: csrf }, cookie, 'http://evil.example')).status).toBe(403);
    expect(await (await get('/login', cookie)).text()).toContain('Anna Nowak'); // still logged in
    const out = await post('/logout', { _csrf: csrf }, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await get('/documents/new', cookie)).status).toBe(303); // the session is gone
  });

  it('a session ends after the idle time', async () => {
    const cookie = `urz_session=${await login('anowak')}`;
    clock += 29 * 60_000;
    expect(await (await get('/login', cookie)).text()).toContain('Anna Nowak');
    clock += 31 * 60_000;
    expect((await get('/documents/new', cookie)).status).toBe(303);
  });

  it('switches to English and back, keeping the page', async () => {
    const r = await get('/lang?to=en&back=%2Flogin');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    const lang = /^lang=en;/.exec(r.headers.get('set-cookie')!);
    expect(lang).not.toBeNull();
    const page = await (await get('/login', 'lang=en')).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<label for="password">Password</label>');
    expect((await get('/lang?to=pl&back=https://evil.example')).headers.get('location')).toBe('/');
  });
});
