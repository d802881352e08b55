import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClerk } from '../../../office/clerks.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { pinMac } from '../../../src/wire/credentials.js';
import type { FeedChange } from '../../../src/wire/feed-schema.js';
import { hardDeniedCodes } from '../../../src/wire/policy.js';
import { dumpDatabase as dumpDb, pullFeed, startTestOffice, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The panel's admin areas (issue 16): staff who serve the lockers and the catalogue of document types. Only an
 * administrator gets in; every change reaches every locker's signed feed; a PIN never reaches the database,
 * a log line or a page; the hard deny list is shown and cannot be lifted.
 */

type StaffUpsert = Extract<FeedChange, { type: 'staff.upsert' }>;
type TypeUpsert = Extract<FeedChange, { type: 'documentType.upsert' }>;

describe('clerks panel: staff and catalogue (admins only)', () => {
  let t: TestOffice;
  const password = 'correct horse battery';
  const A = 'panel-a';
  const B = 'panel-b';
  const lockers = [A, B];
  const secrets = new Map<string, NewLockerSecrets>();
  // PINs no timestamp, id or MAC of this test is likely to contain.
  const PIN1 = '58317264';
  const PIN2 = '904716';
  let admin = '';
  let clerk = '';

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'embedded' });
    await addClerk(t.office.ctx.db, 'anowak', 'Anna Nowak', false, password);
    await addClerk(t.office.ctx.db, 'jkowal', 'Jan Kowalski', true, password);
    for (const id of lockers) secrets.set(id, await t.addLocker(id));
    admin = `urz_session=${await login('jkowal')}`;
    clerk = `urz_session=${await login('anowak')}`;
  }, 60_000);
  afterAll(() => t?.close());

  const key = (lockerId: string): Buffer => secrets.get(lockerId)!.codeKey;
  const get = (path: string, cookie: string) => fetch(t.url + path, { redirect: 'manual', headers: { cookie } });
  const post = (path: string, form: Array<[string, string]> | Record<string, string>, cookie: string) =>
    fetch(t.url + path, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url, cookie },
      body: new URLSearchParams(form).toString(),
    });
  async function login(who: string): Promise<string> {
    const r = await post('/login', { login: who, password, next: '/' }, '');
    expect(r.status).toBe(303);
    return /urz_session=([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!;
  }
  const csrfOf = async (cookie: string): Promise<string> => /name="_csrf" value="([^"]+)"/.exec(await (await get('/login', cookie)).text())![1]!;
  /** A form as an admin sends it, with the session's token. */
  const submit = async (path: string, form: Array<[string, string]>, cookie = admin) => post(path, [['_csrf', await csrfOf(cookie)], ...form], cookie);
  const page = async (path: string, cookie = admin): Promise<string> => {
    const r = await get(path, cookie);
    expect(r.status, path).toBe(200);
    return r.text();
  };

  const pull = (lockerId: string, after = 0) => pullFeed(t, lockerId, secrets.get(lockerId)!.token, after);
  const cursors = async (): Promise<Record<string, number>> => Object.fromEntries(await Promise.all(lockers.map(async (id) => [id, (await pull(id)).last] as const)));
  const staffFed = (changes: FeedChange[]) => changes.filter((c): c is StaffUpsert => c.type === 'staff.upsert').map((c) => c.staff);
  const typesFed = (changes: FeedChange[]) => changes.filter((c): c is TypeUpsert => c.type === 'documentType.upsert').map((c) => c.documentType);

  const dumpDatabase = (): Promise<string> => dumpDb(t.office.ctx.db, ['staff', 'locker_change', 'document_type']);
  const stored = async () => ({
    staff: (await t.office.ctx.db.query('SELECT id, name, roles, active, updated_at FROM staff ORDER BY id')).rows,
    types: (await t.office.ctx.db.query('SELECT * FROM document_type ORDER BY code')).rows,
    heads: (await t.office.ctx.db.query('SELECT * FROM locker_log_head ORDER BY locker_id')).rows,
  });
  /** Every page a test saw: none may hold a PIN. */
  const seen: string[] = [];
  const text = async (r: Response): Promise<string> => {
    const s = await r.text();
    seen.push(s);
    return s;
  };

  describe('a clerk who is not an administrator', () => {
    const areas = ['/staff', '/staff/S-1', '/staff/S-1/deactivate', '/catalogue', '/catalogue/new', '/catalogue/types/odpis-skrocony-aktu-urodzenia'];

    it('gets a 403 page saying an administrator is needed, in either language, and no link to the areas', async () => {
      for (const path of areas) {
        const r = await get(path, clerk);
        expect(r.status, path).toBe(403);
        const body = await r.text();
        expect(body).toContain('może otwierać tylko administrator');
        expect(body).toContain('<title>Brak uprawnień');
        expect(body).not.toContain('href="/staff"');
        expect(body).not.toContain('href="/catalogue"');
      }
      const en = await get('/staff', `${clerk}; lang=en`);
      expect(en.status).toBe(403);
      expect(await en.text()).toContain('Only an administrator may open this part of the panel');
    });

    it('is refused every POST of both areas, with a valid form and token, and nothing changes or is fed', async () => {
      const before = await stored();
      const forms: Array<[string, Array<[string, string]>]> = [
        ['/staff', [['id', 'S-9'], ['name', 'Ewa Zych'], ['pin', PIN1], ['pin2', PIN1], ['roles', 'loader']]],
        ['/staff/S-9', [['pin', PIN1], ['pin2', PIN1], ['roles', 'loader']]],
        ['/staff/S-9/deactivate', []],
        ['/catalogue/new', [['code', 'odpis-testowy'], ['namePl', 'Odpis testowy'], ['nameEn', 'Test copy'], ['lockerRelease', 'yes'], ['legalBasis', 'x']]],
        ['/catalogue/types/odpis-skrocony-aktu-urodzenia', [['namePl', 'Zmieniony'], ['nameEn', 'Changed'], ['legalBasis', '']]],
      ];
      for (const [path, form] of forms) {
        const r = await submit(path, form, clerk);
        expect(r.status, path).toBe(403);
        expect(await text(r)).toContain('może otwierać tylko administrator');
      }
      expect(await stored()).toEqual(before);
    });
  });

  describe('staff', () => {
    it('adds a member: each locker gets its own pinMac, the page says how many lockers, the PIN is nowhere', async () => {
      const from = await cursors();
      const r = await submit('/staff', [['id', 'S-1'], ['name', 'Ewa Zych'], ['pin', PIN1], ['pin2', PIN1], ['roles', 'loader'], ['roles', 'retriever']]);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/staff?done=added&id=S-1&n=2');
      const list = await text(await get(r.headers.get('location')!, admin));
      expect(list).toContain('Dodano pracownika S-1.');
      expect(list).toContain('Zmianę otrzymały urzędomaty: 2');
      expect(list).toMatch(/<td>S-1<\/td>\s*<td>Ewa Zych<\/td>\s*<td>ładujący, wyjmujący<\/td>\s*<td>tak<\/td>/);
      for (const id of lockers) {
        const { changes } = await pull(id, from[id]);
        expect(changes).toHaveLength(1);
        expect(staffFed(changes)).toEqual([{ id: 'S-1', name: 'Ewa Zych', pinMac: pinMac(key(id), 'S-1', PIN1), roles: ['loader', 'retriever'], active: true }]);
      }
      expect(pinMac(key(A), 'S-1', PIN1)).not.toBe(pinMac(key(B), 'S-1', PIN1));
      const en = await text(await get('/staff', `${admin}; lang=en`));
      expect(en).toContain('loader, retriever');
    });

    it('refuses mismatched PINs, a PIN that is not 4-8 digits, no role and a taken id, next to the field; nothing changes', async () => {
      const before = await stored();
      const cases: Array<{ form: Array<[string, string]>; error: RegExp }> = [
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', PIN1], ['pin2', PIN2], ['roles', 'loader']], error: /id="pin2-error">Oba wpisy PIN-u muszą być takie same\./ },
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', '123'], ['pin2', '123'], ['roles', 'loader']], error: /id="pin-error">PIN to od 4 do 8 cyfr\./ },
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', '123456789'], ['pin2', '123456789'], ['roles', 'loader']], error: /id="pin-error">PIN to od 4 do 8 cyfr\./ },
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', '12a4'], ['pin2', '12a4'], ['roles', 'loader']], error: /id="pin-error">PIN to od 4 do 8 cyfr\./ },
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', PIN2], ['pin2', PIN2]], error: /id="roles-error">Wybierz co najmniej jedną rolę\./ },
        { form: [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', PIN2], ['pin2', PIN2], ['roles', 'admin']], error: /id="roles-error">Wybierz co najmniej jedną rolę\./ },
        { form: [['id', 'S 2/x'], ['name', 'Jan Nowicki'], ['pin', PIN2], ['pin2', PIN2], ['roles', 'loader']], error: /id="id-error">Identyfikator: od 1 do 64 znaków/ },
        { form: [['id', 'S-2'], ['name', ''], ['pin', PIN2], ['pin2', PIN2], ['roles', 'loader']], error: /id="name-error">To pole jest wymagane\./ },
        { form: [['id', 'S-1'], ['name', 'Ktoś Inny'], ['pin', PIN2], ['pin2', PIN2], ['roles', 'loader']], error: /id="id-error">Pracownik o tym identyfikatorze już istnieje/ },
      ];
      for (const c of cases) {
        const r = await submit('/staff', c.form);
        const body = await text(r);
        expect(r.status, JSON.stringify(c.form)).toBe(422);
        expect(body).toMatch(c.error);
        expect(body).toContain('Nic nie zostało zmienione.');
        // What was typed comes back, except the PINs.
        expect(body).toContain(`value="${c.form[1]![1]}"`);
        expect(body).not.toMatch(/name="pin2?"[^>]*value=/);
      }
      const en = await submit('/staff', [['id', 'S-2'], ['name', 'Jan Nowicki'], ['pin', PIN1], ['pin2', PIN2], ['roles', 'loader']], `${admin}; lang=en`);
      expect(await text(en)).toContain('The two PIN entries must be the same.');
      expect(await stored()).toEqual(before);
    });

    it('sets a new PIN (and roles) for a member: the new pinMac in every feed; a bad one is refused', async () => {
      const member = await text(await get('/staff/S-1', admin));
      expect(member).toContain('Ustaw nowy PIN: Ewa Zych');
      const before = await stored();
      const bad = await submit('/staff/S-1', [['pin', PIN2], ['pin2', PIN1], ['roles', 'supervisor']]);
      expect(bad.status).toBe(422);
      expect(await text(bad)).toContain('Oba wpisy PIN-u muszą być takie same.');
      expect(await stored()).toEqual(before);

      const from = await cursors();
      const r = await submit('/staff/S-1', [['pin', PIN2], ['pin2', PIN2], ['roles', 'supervisor']]);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/staff?done=pin&id=S-1&n=2');
      expect(await text(await get(r.headers.get('location')!, admin))).toContain('Ustawiono nowy PIN pracownika S-1.');
      for (const id of lockers) {
        const { changes } = await pull(id, from[id]);
        expect(staffFed(changes)).toEqual([{ id: 'S-1', name: 'Ewa Zych', pinMac: pinMac(key(id), 'S-1', PIN2), roles: ['supervisor'], active: true }]);
      }
      expect((await get('/staff/S-404', admin)).status).toBe(404);
      expect((await submit('/staff/S-404', [['pin', PIN2], ['pin2', PIN2], ['roles', 'loader']])).status).toBe(404);
    });

    it('deactivates after a confirmation step: active false in every feed, with a pinMac no PIN matches', async () => {
      const confirm = await text(await get('/staff/S-1/deactivate', admin));
      expect(confirm).toContain('Tak, dezaktywuj Ewa Zych na wszystkich urzędomatach');
      expect(confirm).toContain('action="/staff/S-1/deactivate"');
      const from = await cursors();
      const r = await submit('/staff/S-1/deactivate', []);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/staff?done=deactivated&id=S-1&n=2');
      const list = await text(await get(r.headers.get('location')!, admin));
      expect(list).toContain('Dezaktywowano pracownika S-1');
      expect(list).toMatch(/<td>S-1<\/td>\s*<td>Ewa Zych<\/td>\s*<td>kierownik<\/td>\s*<td><span class="status">nie<\/span><\/td>/);
      for (const id of lockers) {
        const fed = staffFed((await pull(id, from[id])).changes);
        expect(fed).toHaveLength(1);
        expect(fed[0]).toMatchObject({ id: 'S-1', name: 'Ewa Zych', roles: ['supervisor'], active: false });
        expect([pinMac(key(id), 'S-1', PIN1), pinMac(key(id), 'S-1', PIN2)]).not.toContain(fed[0]!.pinMac);
      }
      // Reinstating is setting a new PIN.
      expect(await text(await get('/staff/S-1', admin))).toContain('Przywróć Ewa Zych z nowym PIN-em');
    });

    it('shares its core with the integration API, whose staff endpoints answer as before', async () => {
      const from = await cursors();
      expect(await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Ewa Zych', pin: PIN1 })).toEqual({ status: 200, body: { id: 'S-1', active: true, lockers: 2 } });
      expect(await t.api('POST', '/api/v1/staff', { id: 'S-1', name: 'Ewa Zych', pin: '12' })).toEqual({ status: 422, body: { error: 'invalid-pin' } });
      expect(await t.api('DELETE', '/api/v1/staff/S-1')).toEqual({ status: 200, body: { id: 'S-1', active: false } });
      expect((await t.api('DELETE', '/api/v1/staff/S-404')).status).toBe(404);
      for (const id of lockers) {
        const fed = staffFed((await pull(id, from[id])).changes);
        expect(fed.map((s) => s.active)).toEqual([true, false]);
        expect(fed[0]!.pinMac).toBe(pinMac(key(id), 'S-1', PIN1));
      }
    });

    it('keeps the PINs out of the database, the log and every page', async () => {
      // MACs, hashes and sealed values are long random runs that could hold any digits: left out of this search.
      const dump = (await dumpDatabase()).replace(/[A-Za-z0-9+/=_-]{40,}/g, '#');
      expect(dump).toContain('Ewa Zych');
      const log = t.logLines.join('');
      expect(log).toContain('panel: staff added');
      expect(seen.length).toBeGreaterThan(10);
      for (const pin of [PIN1, PIN2]) {
        expect(dump).not.toContain(pin);
        expect(log).not.toContain(pin);
        for (const p of seen) expect(p).not.toContain(pin);
      }
    });
  });

  describe('catalogue', () => {
    const entry = { code: 'zaswiadczenie-o-zdolnosci-prawnej', namePl: 'Zaświadczenie o zdolności prawnej do zawarcia małżeństwa za granicą', nameEn: 'Certificate of capacity to marry abroad', legalBasis: 'Prawo o aktach stanu cywilnego, art. 79' };
    const form = (o: Partial<typeof entry> & { lockerRelease?: boolean }): Array<[string, string]> => [
      ...(o.code === undefined ? [] : [['code', o.code] as [string, string]]),
      ['namePl', o.namePl ?? ''], ['nameEn', o.nameEn ?? ''], ['legalBasis', o.legalBasis ?? ''],
      ...(o.lockerRelease === true ? [['lockerRelease', 'yes'] as [string, string]] : []),
    ];

    it('lists the catalogue with both names, release and legal basis, and shows the deny list with its reasons', async () => {
      const body = await page('/catalogue');
      expect(body).toContain('<td lang="pl">Odpis skrócony aktu urodzenia</td>');
      expect(body).toContain('<td lang="en">Short birth certificate</td>');
      expect(body).toContain('Prawo o aktach stanu cywilnego, art. 44');
      // The seeded identity card: kept at the counter by the deny list.
      expect(body).toMatch(/<td><code>dowod-osobisty<\/code><\/td>[^]*?<span class="status">nie<\/span> — lista zakazów: dokument tożsamości/);
      expect(body).toContain('Lista zakazów (nie można jej znieść)');
      for (const code of hardDeniedCodes) expect(body).toContain(`<code>${code}</code>`);
      expect(body).toContain('paszport i każdy inny dokument podróży odbiera się osobiście');
      expect(body).toContain('dokument tożsamości (dowód osobisty, e-dowód, karta pobytu) wydaje się wyłącznie osobiście');
      expect(body).toContain('decyzję lub postanowienie doręcza się za pokwitowaniem');
      const en = await (await get('/catalogue', `${admin}; lang=en`)).text();
      expect(en).toContain('The deny list (cannot be lifted)');
      expect(en).toContain('a passport or any other travel document is collected in person');
    });

    it('adds a type: the row and a documentType.upsert in every locker’s feed', async () => {
      const from = await cursors();
      const r = await submit('/catalogue/new', form({ ...entry, lockerRelease: true }));
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(`/catalogue?done=added&type=${entry.code}&n=2`);
      const list = await page(r.headers.get('location')!);
      expect(list).toContain(`Dodano wpis ${entry.code}. Zmianę otrzymały urzędomaty: 2`);
      expect(list).toContain(entry.namePl);
      for (const id of lockers) {
        const { changes } = await pull(id, from[id]);
        expect(changes).toHaveLength(1);
        expect(typesFed(changes)).toEqual([{ ...entry, lockerRelease: true }]);
      }
      // The same code again is refused, next to the field.
      const again = await submit('/catalogue/new', form({ ...entry, lockerRelease: false }));
      expect(again.status).toBe(422);
      expect(await again.text()).toMatch(/id="code-error">Ten kod już jest w katalogu/);
    });

    it('edits a type, never its code: the change in every feed; an edit that changes nothing feeds nothing', async () => {
      const edit = await page(`/catalogue/types/${entry.code}`);
      expect(edit).toContain('Kod (nie można go zmienić)');
      expect(edit).not.toContain('name="code"');
      const from = await cursors();
      const changed = { ...entry, nameEn: 'Certificate of legal capacity to marry abroad' };
      const r = await submit(`/catalogue/types/${entry.code}`, [['code', 'inny-kod'], ...form({ ...changed, code: undefined, lockerRelease: false })]);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(`/catalogue?done=changed&type=${entry.code}&n=2`);
      for (const id of lockers) expect(typesFed((await pull(id, from[id])).changes)).toEqual([{ ...changed, lockerRelease: false }]);
      const rows = await t.office.ctx.db.query<{ code: string; name_en: string; locker_release: boolean }>('SELECT code, name_en, locker_release FROM document_type WHERE code IN ($1, $2)', [entry.code, 'inny-kod']);
      expect(rows.rows).toEqual([{ code: entry.code, name_en: changed.nameEn, locker_release: false }]);

      const same = await cursors();
      const noop = await submit(`/catalogue/types/${entry.code}`, form({ ...changed, code: undefined, lockerRelease: false }));
      expect(noop.headers.get('location')).toBe(`/catalogue?done=unchanged&type=${entry.code}&n=0`);
      expect(await cursors()).toEqual(same);
      expect((await get('/catalogue/types/nie-ma-takiego', admin)).status).toBe(404);
    });

    it('refuses a malformed entry next to its field, saving and feeding nothing', async () => {
      const before = await stored();
      const cases: Array<{ f: Array<[string, string]>; error: RegExp }> = [
        { f: form({ ...entry, code: 'Zły Kod' }), error: /id="code-error">Kod: małe litery/ },
        { f: form({ ...entry, code: 'odpis--x' }), error: /id="code-error">Kod: małe litery/ },
        { f: form({ ...entry, code: 'odpis-nowy', namePl: '' }), error: /id="namePl-error">To pole jest wymagane\./ },
        { f: form({ ...entry, code: 'odpis-nowy', nameEn: 'x'.repeat(201) }), error: /id="nameEn-error">Najwyżej 200 znaków\./ },
      ];
      for (const c of cases) {
        const r = await submit('/catalogue/new', c.f);
        expect(r.status).toBe(422);
        const body = await r.text();
        expect(body).toMatch(c.error);
        expect(body).toContain('Nic nie zostało zapisane ani wysłane.');
      }
      expect(await stored()).toEqual(before);
    });

    it('refuses to let a locker release what the deny list keeps at the counter, and feeds nothing', async () => {
      const before = await stored();
      const from = await cursors();
      const attempts: Array<{ path: string; f: Array<[string, string]>; why: string }> = [
        { path: '/catalogue/new', f: form({ code: 'paszport', namePl: 'Paszport', nameEn: 'Passport', legalBasis: '', lockerRelease: true }), why: 'paszport i każdy inny dokument podróży' },
        { path: '/catalogue/new', f: form({ code: 'dowod-tymczasowy', namePl: 'Dowód osobisty tymczasowy', nameEn: 'Temporary card', legalBasis: '', lockerRelease: true }), why: 'dokument tożsamości (dowód osobisty' },
        { path: '/catalogue/new', f: form({ code: 'decyzja-o-zmianie-imienia', namePl: 'Decyzja o zmianie imienia', nameEn: 'Change of first name', legalBasis: '', lockerRelease: true }), why: 'za pokwitowaniem' },
        // A Cyrillic "а" inside a Latin word.
        { path: '/catalogue/new', f: form({ code: 'odpis-x', namePl: 'Odpis \u0430ktu', nameEn: 'Copy', legalBasis: '', lockerRelease: true }), why: 'łączy w jednym słowie litery łacińskie' },
        { path: '/catalogue/types/dowod-osobisty', f: form({ namePl: 'Dowód osobisty', nameEn: 'Identity card', legalBasis: 'x', lockerRelease: true }), why: 'dokument tożsamości (dowód osobisty' },
        // Renaming an allowed type into a passport is refused just the same.
        { path: `/catalogue/types/${entry.code}`, f: form({ namePl: 'Paszport tymczasowy', nameEn: 'Temporary passport', legalBasis: '', lockerRelease: true }), why: 'paszport i każdy inny dokument podróży' },
      ];
      for (const a of attempts) {
        const r = await submit(a.path, a.f);
        expect(r.status, a.path).toBe(422);
        const body = await r.text();
        expect(body).toMatch(/id="lockerRelease-error">Tego rodzaju dokumentu urzędomat nie może wydawać: /);
        expect(body).toContain(a.why);
        expect(body).toContain('Listy zakazów nie można znieść w katalogu');
      }
      const en = await submit('/catalogue/new', form({ code: 'paszport', namePl: 'Paszport', nameEn: 'Passport', lockerRelease: true }), `${admin}; lang=en`);
      expect(await en.text()).toContain('A locker may not release this type: a passport or any other travel document is collected in person');
      expect(await stored()).toEqual(before);
      expect(await cursors()).toEqual(from);
      expect(t.logLines.join('')).toContain('catalogue refused to let a locker release a hard-denied type');
    });

    it('saves a denied type when it stays at the counter', async () => {
      const from = await cursors();
      const r = await submit('/catalogue/new', form({ code: 'paszport', namePl: 'Paszport', nameEn: 'Passport', legalBasis: 'Ustawa o dokumentach paszportowych, art. 26' }));
      expect(r.status).toBe(303);
      for (const id of lockers) {
        expect(typesFed((await pull(id, from[id])).changes)).toEqual([{ code: 'paszport', namePl: 'Paszport', nameEn: 'Passport', lockerRelease: false, legalBasis: 'Ustawa o dokumentach paszportowych, art. 26' }]);
      }
      const edit = await page('/catalogue/types/paszport');
      expect(edit).toContain('Ten wpis jest na liście zakazów (paszport lub dokument podróży): urzędomat go nie wyda.');
    });
  });
});
