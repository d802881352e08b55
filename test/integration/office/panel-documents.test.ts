import { existsSync, readFileSync } from 'node:fs';
import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream, type PDFNumber } from 'pdf-lib';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeMac } from '../../../src/wire/credentials.js';
import { addClerk } from '../../../office/clerks.js';
import { registerDocument, type Registration } from '../../../office/documents.js';
import { takeEvents } from '../../../office/events.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import type { SendResult } from '../../../office/sms/gateway.js';
import { codeMessage } from '../../../office/sms/message.js';
import { SmsOutbox } from '../../../office/sms/outbox.js';
import { startTestOffice, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The documents of the clerks' panel (issue 16) over real HTTP: the registration form with only the types the
 * locker may release, the preview of the text without its code, registration (one document, one text), refusals
 * that change nothing, the printed notice made from the code in memory, the list's filters and pages, and a
 * document's history as the locker's events, the text worker, the deadline sweep and the clerk's actions write it.
 */
describe('clerks panel: documents', () => {
  let t: TestOffice;
  const clock = Date.parse('2026-12-01T10:00:00Z');
  const lockerId = 'czestochowa-focha-1';
  const otherLocker = 'czestochowa-aleja-2';
  let keys: NewLockerSecrets;
  let cookie = '';
  let csrf = '';
  let eventSeq = 0;
  const password = 'correct horse battery';

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'embedded', now: () => new Date(clock) });
    // Types the locker must never be offered: one the catalogue keeps at the counter, and two the hard deny list
    // refuses although the catalogue (wrongly) allows them.
    await t.office.ctx.db.query(
      `INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis) VALUES
        ('wypis-z-rejestru', 'Wypis z rejestru', 'Register extract', false, 'Zarządzenie kierownika USC nr 1'),
        ('decyzja-o-zmianie-imienia', 'Decyzja o zmianie imienia', 'Decision on a change of first name', true, 'Ustawa o zmianie imienia i nazwiska, art. 4'),
        ('paszport-dla-dziecka', 'Paszport dla dziecka', 'Child passport', true, 'Ustawa o dokumentach paszportowych')`,
    );
    keys = await t.addLocker(lockerId, 'USC Częstochowa, ul. Focha 19');
    await t.addLocker(otherLocker, 'USC Częstochowa, Aleja 2');
    await t.office.ctx.db.query(`INSERT INTO staff (id, name, roles, active) VALUES ('S-1', 'Ewa Ładowska', '["loader"]', true)`);
    await addClerk(t.office.ctx.db, 'anowak', 'Anna Nowak', false, password);
    const r = await fetch(`${t.url}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
      body: new URLSearchParams({ login: 'anowak', password, next: '/' }).toString(),
    });
    expect(r.status).toBe(303);
    cookie = `urz_session=${/urz_session=([^;]+)/.exec(r.headers.get('set-cookie')!)![1]!}`;
    csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('/documents/new')).text())![1]!;
  }, 60_000);
  afterAll(() => t?.close());

  const get = (path: string, lang = 'pl') => fetch(t.url + path, { redirect: 'manual', headers: { cookie: `${cookie}; lang=${lang}` } });
  const post = (path: string, form: Record<string, string>, o: { csrf?: boolean } = {}) =>
    fetch(t.url + path, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url, cookie },
      body: new URLSearchParams({ ...(o.csrf === false ? {} : { _csrf: csrf }), ...form }).toString(),
    });

  /** A filled form that passes every check. */
  const form = (over: Record<string, string> = {}): Record<string, string> => ({
    locker: lockerId, caseRef: 'USC.5362.1.2026', documentType: 'odpis-skrocony-aktu-urodzenia', phone: '+48 600 100 200', size: 'S',
    consent: 'on', consentHow: 'counter', consentAt: '2026-12-01', fee: 'paid', deadline: '2026-12-08', formId: `form-${Math.random().toString(36).slice(2)}`,
    ...over,
  });
  const without = (f: Record<string, string>, key: string): Record<string, string> => Object.fromEntries(Object.entries(f).filter(([k]) => k !== key));

  const q = async <R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> => (await t.office.ctx.db.query<R>(sql, params)).rows;
  const counts = async () => (await q<{ d: number; s: number; c: number; h: number }>(
    'SELECT (SELECT count(*)::int FROM document) AS d, (SELECT count(*)::int FROM sms_job) AS s, (SELECT count(*)::int FROM locker_change) AS c, (SELECT count(*)::int FROM document_history) AS h',
  ))[0]!;
  const idFrom = (location: string | null): string => /^\/documents\/([0-9a-f-]{36})\?done=/.exec(location ?? '')![1]!;
  const smsLines = (): Array<{ to: string; message: string }> =>
    existsSync(t.smsFile) ? readFileSync(t.smsFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { to: string; message: string }) : [];

  async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function push(type: string, data: Record<string, unknown>, locker = lockerId): Promise<void> {
    const r = await takeEvents(t.office.ctx, locker, [{ seq: ++eventSeq, type, at: new Date(clock).toISOString(), data }]);
    expect(r.stored).toBe(1);
  }

  /**
   * Reads the QR code's modules back from the pixels of the PDF's image and compares them with the modules of the
   * QR code of `text` (no QR decoder in the project: the matrix is computed with the same `qrcode` library, which
   * is as good for the question asked: is this the QR code of that exact text?).
   */
  async function expectQr(bytes: Uint8Array, text: string): Promise<void> {
    const pdf = await PDFDocument.load(bytes);
    const images = pdf.context
      .enumerateIndirectObjects()
      .map(([, o]) => o)
      .filter((o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'));
    const rgb = images.find((i) => i.dict.get(PDFName.of('ColorSpace')) === PDFName.of('DeviceRGB'));
    expect(rgb).toBeDefined();
    const width = (rgb!.dict.get(PDFName.of('Width')) as PDFNumber).asNumber();
    const height = (rgb!.dict.get(PDFName.of('Height')) as PDFNumber).asNumber();
    const pixels = decodePDFRawStream(rgb!).decode();
    expect(pixels.length).toBe(width * height * 3);
    expect(width).toBe(height);
    const expected = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
    const size = expected.size;
    const scale = width / (size + 8); // a quiet zone of 4 modules on each side
    expect(Number.isInteger(scale), 'the image is the size of this QR code').toBe(true);
    const want: number[] = [];
    const got: number[] = [];
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        want.push(expected.get(row, col) ? 1 : 0);
        const x = (col + 4) * scale + scale / 2;
        const y = (row + 4) * scale + scale / 2;
        got.push(pixels[(y * width + x) * 3]! < 128 ? 1 : 0);
      }
    }
    expect(got).toEqual(want);
  }

  /** The end of a day in Warsaw in winter (UTC+1). */
  const endOfDay = (day: string): string => new Date(Date.parse(`${day}T23:59:59+01:00`)).toISOString();

  it('sends a visitor without a session to the login page', async () => {
    for (const path of ['/', '/documents/new']) {
      const r = await fetch(t.url + path, { redirect: 'manual' });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('offers only the types the locker may release, and lists the others with their reason and legal basis', async () => {
    const r = await get('/documents/new');
    expect(r.status).toBe(200);
    const page = await r.text();
    const select = /<select id="documentType"[\s\S]*?<\/select>/.exec(page)![0];
    expect(select).toContain('value="odpis-skrocony-aktu-urodzenia"');
    expect(select).toContain('value="zaswiadczenie-o-stanie-cywilnym"');
    for (const denied of ['dowod-osobisty', 'wypis-z-rejestru', 'decyzja-o-zmianie-imienia', 'paszport-dla-dziecka']) expect(select).not.toContain(denied);

    const table = page.slice(page.indexOf('<h2 id="denied">'));
    const row = (name: string): string => new RegExp(`<tr><th scope="row">${name}</th>.*?</tr>`).exec(table)![0];
    expect(row('Dowód osobisty')).toContain('dokument tożsamości');
    expect(row('Dowód osobisty')).toContain('Ustawa o dowodach osobistych, art. 37');
    expect(row('Wypis z rejestru')).toContain('katalog dokumentów');
    expect(row('Wypis z rejestru')).toContain('Zarządzenie kierownika USC nr 1');
    expect(row('Decyzja o zmianie imienia')).toContain('art. 46 § 1');
    expect(row('Decyzja o zmianie imienia')).toContain('Ustawa o zmianie imienia i nazwiska, art. 4');
    expect(row('Paszport dla dziecka')).toContain('paszport lub dokument podróży');
    expect(table).not.toContain('Odpis skrócony aktu urodzenia');

    // Every input has its label; the default deadline is today + pickup.holdDays.
    for (const id of ['locker', 'caseRef', 'documentType', 'phone', 'size', 'accessible', 'consent', 'consentHow', 'consentAt', 'fee-paid', 'fee-exempt', 'fee-unpaid', 'deadline', 'notice']) {
      expect(page, id).toContain(`<label for="${id}">`);
    }
    expect(page).toMatch(/id="deadline" name="deadline" type="date"[^>]*value="2026-12-08"/);
    expect(page).not.toMatch(/<script|style=/);

    const en = await (await get('/documents/new', 'en')).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<tr><th scope="row">Identity card</th><td>an identity document: handed over in person only, at the counter</td>');
    expect(en).toContain('Documents that may not go in the locker');
  });

  it('the preview shows the text message as it will be sent, with the code hidden, and registers nothing', async () => {
    const before = await counts();
    const r = await post('/documents/preview', form({ caseRef: 'USC.PREVIEW.1', notice: 'on' }));
    expect(r.status).toBe(200);
    const page = await r.text();
    const expected = codeMessage({ code: '00000000', documentName: 'Odpis skrócony aktu urodzenia', lockerName: 'USC Częstochowa, ul. Focha 19', expiresAt: new Date(endOfDay('2026-12-08')) }).replace(
      '00000000',
      'XXXXXXXX',
    );
    const shown = /<p class="preview">([^<]*)<\/p>/.exec(page)![1]!;
    expect(shown.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&')).toBe(expected);
    expect(shown).toContain('Kod odbioru: XXXXXXXX.');
    expect(shown).toContain('Odbior do 08.12.2026 23:59.');
    expect(shown).not.toMatch(/\d{8}/);
    // The send form carries the fields and the token; the notice box stays ticked; "back to edit" is there.
    const send = /<form method="post" action="\/documents" [\s\S]*?<\/form>/.exec(page)![0];
    expect(send).toContain(`name="_csrf" value="${csrf}"`);
    expect(send).toContain('name="caseRef" value="USC.PREVIEW.1"');
    expect(send).toMatch(/id="notice" name="notice" value="on" checked/);
    expect(page).toContain('action="/documents/new"');
    expect(page).toContain('Wróć do edycji');
    expect(await counts()).toEqual(before);

    // Back to edit: the form, filled in.
    const back = await post('/documents/new', form({ caseRef: 'USC.PREVIEW.1', accessible: 'on' }));
    const refilled = await back.text();
    expect(refilled).toContain('value="USC.PREVIEW.1"');
    expect(refilled).toMatch(/id="accessible" name="accessible" value="on" checked/);
  });

  it('registering creates a pending document in the clerk\'s name and queues exactly one text; sending the form again registers nothing more', async () => {
    const before = await counts();
    const f = form({ caseRef: 'USC.5362.1.2026', phone: '600 100 201', fee: 'exempt', consentHow: 'epuap', consentAt: '2026-11-30', accessible: 'on', size: 'M' });
    const r = await post('/documents', f);
    expect(r.status).toBe(303);
    const id = idFrom(r.headers.get('location'));
    expect(r.headers.get('location')).toBe(`/documents/${id}?done=registered`);

    const api = await t.api('GET', `/api/v1/documents/${id}`);
    expect(api.status).toBe(200);
    expect(api.body).toEqual({ id, status: 'pending', lockerId, expiresAt: endOfDay('2026-12-08') });
    const [d] = await q<Record<string, unknown>>('SELECT * FROM document WHERE id = $1', [id]);
    expect(d).toMatchObject({
      registered_by: 'clerk:anowak', consent: true, consent_how: 'epuap', fee_settled: true, fee_exempt: true, accessible: true, size: 'M', case_ref: 'USC.5362.1.2026',
    });
    expect((d!['consent_at'] as Date).toISOString()).toBe('2026-11-29T23:00:00.000Z');
    const jobs = await q<{ kind: string }>('SELECT kind FROM sms_job WHERE document_id = $1', [id]);
    expect(jobs.map((j) => j.kind)).toEqual(['code']);
    const after = await counts();
    expect(after.d - before.d).toBe(1);
    expect(after.s - before.s).toBe(1);
    expect(after.c - before.c).toBe(1);

    const line = await eventually(() => smsLines().find((l) => l.to === '600100201'), 'the text message');
    expect(line.message).toMatch(/^Dokument Odpis skrocony aktu urodzenia czeka w urzedomacie USC Czestochowa, ul\. Focha 19\. Kod odbioru: \d{8}\. Odbior do 08\.12\.2026 23:59\.$/);

    // The same filled form sent again (a double click, the back button) goes to the same document.
    const again = await post('/documents', f);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/documents/${id}?done=already`);
    expect((await counts()).d).toBe(after.d);

    const page = await (await get(`/documents/${id}?done=registered`)).text();
    expect(page).toContain('Dokument zarejestrowany.');
    expect(page).toContain('Anna Nowak (anowak)');
    expect(page).toContain('elektronicznie (ePUAP), 30.11.2026');
    expect(page).toContain('zwolniony z opłaty');
  });

  it('a bad phone number, a missing consent, a type posted by hand that is unknown or refused: errors beside the fields, the form refilled, nothing changed', async () => {
    const before = await counts();
    const cases: Array<[Record<string, string>, string, string]> = [
      [form({ phone: '12345' }), 'phone', 'Numer telefonu ma 9 cyfr'],
      [without(form(), 'consent'), 'consent', 'Bez zgody wnioskodawcy'],
      [form({ documentType: 'akt-nieznany' }), 'documentType', 'Nie ma takiego rodzaju dokumentu'],
      [form({ documentType: 'dowod-osobisty' }), 'documentType', 'Tego dokumentu nie wolno wydać w urzędomacie'],
      [form({ documentType: 'decyzja-o-zmianie-imienia' }), 'documentType', 'art. 46 § 1'],
      [form({ locker: 'nie-ma-takiego' }), 'locker', 'Wybierz urzędomat'],
      [without(form(), 'fee'), 'fee', 'Zaznacz, czy opłata została wniesiona'],
      [form({ deadline: '2026-11-30', caseRef: 'USC.<b>x</b>' }), 'deadline', 'w przyszłości'],
      [form({ deadline: '2026-12-01' }), 'deadline', 'najwcześniej jutro'],
      [form({ deadline: '2026-02-30' }), 'deadline', 'RRRR-MM-DD'],
      [form({ deadline: '2027-06-01' }), 'deadline', 'najpóźniej za 60 dni'],
    ];
    for (const [f, field, words] of cases) {
      for (const path of ['/documents/preview', '/documents']) {
        const r = await post(path, f);
        expect(r.status, `${path} ${field}`).toBe(422);
        const page = await r.text();
        expect(page).toMatch(new RegExp(`<p class="field-error" id="${field}-error">[^<]*${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(page).toContain('role="alert"');
        expect(page).toContain(`value="${f.caseRef!.replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`);
        expect(page).not.toContain('<b>x</b>');
      }
    }
    const en = await fetch(`${t.url}/documents/preview`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url, cookie: `${cookie}; lang=en` },
      body: new URLSearchParams({ _csrf: csrf, ...form({ phone: '600' }) }).toString(),
    });
    expect(await en.text()).toContain('A phone number has 9 digits');
    expect(await counts()).toEqual(before);
  });

  it('a form without the session token is refused and registers nothing', async () => {
    const before = await counts();
    expect((await post('/documents', form(), { csrf: false })).status).toBe(403);
    expect((await post('/documents/preview', form(), { csrf: false })).status).toBe(403);
    const r = await fetch(`${t.url}/documents`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url, cookie },
      body: new URLSearchParams({ _csrf: 'x'.repeat(csrf.length), ...form() }).toString(),
    });
    expect(r.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('with "print a notice", the answer is the PDF: its QR holds the code the resident was texted, and nothing of the code is kept', async () => {
    const phone = '600100300';
    const r = await post('/documents', form({ caseRef: 'USC.5362.2/2026', phone, notice: 'on' }));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe('inline; filename="zawiadomienie-USC.5362.2-2026.pdf"');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Registered all the same, with one text.
    const [d] = await q<{ id: string; code_mac: string; status: string }>("SELECT id, code_mac, status FROM document WHERE case_ref = 'USC.5362.2/2026'");
    expect(d!.status).toBe('pending');
    expect((await q('SELECT 1 FROM sms_job WHERE document_id = $1', [d!.id])).length).toBe(1);
    const line = await eventually(() => smsLines().find((l) => l.to === phone), 'the text message');
    const code = /\d{8}/.exec(line.message)![0];
    expect(codeMac(keys.codeKey, code)).toBe(d!.code_mac);

    // The PDF's image is the QR of contracts.md §3 with that code, and not that of any other code.
    await expectQr(bytes, `URZ1;${lockerId};${phone};${code}`);
    await expect(expectQr(bytes, `URZ1;${lockerId};${phone};${code === '12345678' ? '87654321' : '12345678'}`)).rejects.toThrow();

    // Nothing of the code is kept: no table holds it in any column, and no log line carries it.
    await eventually(async () => (await q<{ state: string }>('SELECT state FROM sms_job WHERE document_id = $1', [d!.id]))[0]?.state === 'sent', 'the text sent');
    const tables = await q<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    for (const { table_name } of tables) {
      const hits = await q(`SELECT 1 FROM "${table_name}" x WHERE row_to_json(x)::text LIKE $1`, [`%${code}%`]);
      expect(hits, table_name).toHaveLength(0);
    }
    expect(t.logLines.filter((l) => l.includes(code))).toEqual([]);
    expect(t.logLines.filter((l) => l.includes(phone))).toEqual([]);
  });

  it('the list filters by status, locker, day registered and case reference, and pages by 50 keeping the filters', async () => {
    const ctx = t.office.ctx;
    const reg = (locker: string, caseRef: string): Registration => ({
      lockerId: locker, caseRef, documentType: 'odpis-zupelny-aktu-urodzenia', phone: '600100400', size: 'S', accessible: false, consent: true, feeSettled: true,
    });
    const ids: string[] = [];
    for (let i = 0; i < 53; i++) {
      const out = await registerDocument(ctx, reg(otherLocker, `ALEJA.${String(i).padStart(2, '0')}`), 'api:tests');
      if (!out.ok) throw new Error(out.error);
      ids.push(out.id);
    }
    // Registered on different days (Warsaw time), oldest first.
    for (let i = 0; i < ids.length; i++) {
      await q('UPDATE document SET created_at = $2 WHERE id = $1', [ids[i], new Date(Date.parse('2026-11-01T08:00:00Z') + i * 3_600_000)]);
    }
    await q("UPDATE document SET created_at = '2026-10-15T22:30:00Z' WHERE id = $1", [ids[0]]); // 16 October in Warsaw
    const special = await registerDocument(ctx, reg(otherLocker, 'SPECIAL_100%'), 'api:tests');
    if (!special.ok) throw new Error(special.error);
    await q("UPDATE document SET status = 'collected', compartment = 4 WHERE id = $1", [special.id]);

    const rowsOf = (page: string): string[] => [...page.matchAll(/<th scope="row"><a href="\/documents\/[^"]+">([^<]+)<\/a><\/th>/g)].map((m) => m[1]!);

    const first = await (await get(`/?locker=${otherLocker}`)).text();
    expect(rowsOf(first)).toHaveLength(50);
    expect(first).toContain('Dokumenty 1–50 z 54 (strona 1 z 2)');
    expect(first).not.toContain('rel="prev"');
    const next = /<a href="([^"]+)" rel="next">/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect(next).toBe(`/?locker=${otherLocker}&page=2`);
    const second = await (await get(next)).text();
    expect(rowsOf(second)).toHaveLength(4);
    expect(rowsOf(second)).toContain('ALEJA.00');
    expect(/<a href="([^"]+)" rel="prev">/.exec(second)![1]!.replace(/&amp;/g, '&')).toBe(`/?locker=${otherLocker}`);
    expect(second).not.toContain('rel="next"');
    expect(new Set([...rowsOf(first), ...rowsOf(second)]).size).toBe(54);
    expect(rowsOf(first)).not.toContain('USC.5362.1.2026'); // the other locker's

    const collected = await (await get('/?status=collected')).text();
    expect(rowsOf(collected)).toEqual(['SPECIAL_100%']);
    expect(collected).toContain('<td class="status status-collected">odebrany</td>');
    expect(collected).toMatch(/<td>4<\/td>\s*<\/tr>/);

    // "contains", with LIKE's wildcards taken literally.
    expect(rowsOf(await (await get('/?ref=aleja.0')).text())).toHaveLength(10);
    expect(rowsOf(await (await get(`/?ref=${encodeURIComponent('_100%')}`)).text())).toEqual(['SPECIAL_100%']);
    expect(rowsOf(await (await get(`/?ref=${encodeURIComponent('%')}`)).text())).toEqual(['SPECIAL_100%']);

    // Days are Warsaw's: 22:30 UTC on 15 October is the 16th.
    expect(rowsOf(await (await get('/?from=2026-10-16&to=2026-10-16')).text())).toEqual(['ALEJA.00']);
    expect(rowsOf(await (await get('/?to=2026-10-15')).text())).toEqual([]);
    const nov1 = rowsOf(await (await get(`/?locker=${otherLocker}&from=2026-11-01&to=2026-11-01`)).text());
    expect(nov1).toHaveLength(14); // 09:00 to 22:00 UTC, 10:00 to 23:00 in Warsaw: ALEJA.01 to ALEJA.14
    expect(nov1).toContain('ALEJA.01');
    expect(nov1).toContain('ALEJA.14');
    expect(nov1).not.toContain('ALEJA.15');

    const en = await (await get('/?status=collected', 'en')).text();
    expect(en).toContain('<td class="status status-collected">collected</td>');
    expect(en).toContain('<th scope="col">Case reference</th>');
    const bad = await (await get('/?from=2026-13-45')).text();
    expect(bad).toContain('Data „od” jest nieprawidłowa');
  });

  it('a document\'s page shows its history as the locker, the text worker, the sweep and the clerk write it, and offers only the actions its status allows', async () => {
    const r = await post('/documents', form({ caseRef: 'USC.HIST.1', phone: '600100500' }));
    const id = idFrom(r.headers.get('location'));
    const pageOf = async (): Promise<string> => (await get(`/documents/${id}`)).text();
    const historyOf = (page: string): string[] =>
      [...page.slice(page.indexOf('<h2 id="history">')).matchAll(/<tr class="history-[^"]+"><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => `${m[1]} | ${m[2]}`);

    await eventually(async () => historyOf(await pageOf()).includes('SMS wysłany: z kodem odbioru | system urzędu'), 'the text sent in the history');
    let page = await pageOf();
    expect(historyOf(page).slice(0, 2)).toEqual(['Zarejestrowany | Anna Nowak (anowak)', 'SMS w kolejce do wysłania: z kodem odbioru | system urzędu']);
    for (const action of ['revoke', 'new-code', 'deadline']) expect(page).toContain(`action="/documents/${id}/${action}"`);

    await push('document.loaded', { authorizationId: id, compartment: 7, staffId: 'S-1' });
    page = await pageOf();
    expect(historyOf(page)).toContain('Włożony do skrytki nr 7 | pracownik S-1 (Ewa Ładowska)');
    expect(page).toContain('<span class="status status-loaded">w urzędomacie</span>');
    expect(page).toMatch(/<th scope="row">Skrytka<\/th><td>7<\/td>/);

    // A reminder a day before the deadline, through the sweep.
    await q('UPDATE document SET expires_at = $2 WHERE id = $1', [id, new Date(clock + 12 * 3_600_000)]);
    expect((await t.office.sweep()).reminded).toBe(1);
    expect(historyOf(await pageOf())).toContain('SMS w kolejce do wysłania: przypomnienie o terminie | system urzędu');

    // The clerk's actions, each 303 back with a notice, each in the history under the clerk's name.
    const moved = await post(`/documents/${id}/deadline`, { deadline: '2026-12-20' });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe(`/documents/${id}?done=deadline`);
    expect((await t.api('GET', `/api/v1/documents/${id}`)).body.expiresAt).toBe(endOfDay('2026-12-20'));
    expect(await (await get(`/documents/${id}?done=deadline`)).text()).toContain('Termin odbioru zmieniony.');
    expect(historyOf(await pageOf())).toContainEqual(expect.stringMatching(/^Termin odbioru zmieniony z .* na 20\.12\.2026, 23:59 \| Anna Nowak \(anowak\)$/));

    const badDeadline = await post(`/documents/${id}/deadline`, { deadline: '2026-11-01' });
    expect(badDeadline.status).toBe(422);
    expect(await badDeadline.text()).toContain('<p class="field-error" id="deadline-error">Termin odbioru musi przypadać w przyszłości.</p>');

    const before = smsLines().filter((l) => l.to === '600100500').length;
    const renewed = await post(`/documents/${id}/new-code`, {});
    expect(renewed.status).toBe(303);
    expect(renewed.headers.get('location')).toBe(`/documents/${id}?done=new-code`);
    const h = historyOf(await pageOf());
    expect(h).toContain('Wydany nowy kod odbioru (poprzedni przestaje działać) | Anna Nowak (anowak)');
    expect(h).toContain('SMS w kolejce do wysłania: z nowym kodem odbioru | system urzędu');
    await eventually(() => smsLines().filter((l) => l.to === '600100500' && l.message.startsWith('Nowy kod odbioru')).length === 1, 'the new code sent');
    expect(smsLines().filter((l) => l.to === '600100500').length).toBeGreaterThan(before);

    expect((await post(`/documents/${id}/revoke`, { reason: '' })).status).toBe(422);
    const revoked = await post(`/documents/${id}/revoke`, { reason: 'wnioskodawca odbierze w okienku' });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe(`/documents/${id}?done=revoked`);
    expect((await t.api('GET', `/api/v1/documents/${id}`)).body.status).toBe('revoked');
    page = await (await get(`/documents/${id}?done=revoked`)).text();
    expect(page).toContain('Dokument wycofany');
    expect(historyOf(page)).toContain('Wycofany, powód: wnioskodawca odbierze w okienku | Anna Nowak (anowak)');
    // No action is offered to a revoked document, and one posted by hand is refused.
    for (const action of ['revoke', 'new-code', 'deadline']) expect(page).not.toContain(`action="/documents/${id}/${action}"`);
    const late = await post(`/documents/${id}/new-code`, {});
    expect(late.headers.get('location')).toBe(`/documents/${id}?done=not-allowed`);
    expect(await (await get(`/documents/${id}?done=not-allowed`)).text()).toContain('Tej czynności nie można wykonać');
    // Without the token nothing happens.
    expect((await post(`/documents/${id}/deadline`, { deadline: '2026-12-21' }, { csrf: false })).status).toBe(403);

    // The locker takes it back: retrieved, with its reason.
    await push('document.retrieved', { authorizationId: id, compartment: 7, staffId: 'S-1', reason: 'revoked' });
    expect(historyOf(await pageOf())).toContain('Zabrany ze skrytki nr 7, powód: revoked | pracownik S-1 (Ewa Ładowska)');

    const en = await (await get(`/documents/${id}`, 'en')).text();
    expect(historyOf(en)).toContain('Loaded into compartment 7 | staff S-1 (Ewa Ładowska)');
    expect(historyOf(en)[0]).toBe('Registered | Anna Nowak (anowak)');
  });

  it('collected, rejected and expired documents: their history and no actions', async () => {
    const register = async (caseRef: string): Promise<string> => idFrom((await post('/documents', form({ caseRef, phone: '600100600' }))).headers.get('location'));
    const historyOf = async (id: string): Promise<string[]> => {
      const page = await (await get(`/documents/${id}`)).text();
      return [...page.slice(page.indexOf('<h2 id="history">')).matchAll(/<tr class="history-[^"]+"><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => `${m[1]} | ${m[2]}`);
    };

    const collected = await register('USC.COLL.1');
    await push('document.loaded', { authorizationId: collected, compartment: 3, staffId: 'S-1' });
    await push('document.collected', { authorizationId: collected, compartment: 3, receiptId: 'R-42' });
    expect(await historyOf(collected)).toContain(`Odebrany ze skrytki nr 3, potwierdzenie R-42 | urzędomat ${lockerId}`);
    const page = await (await get(`/documents/${collected}`)).text();
    expect(page).toContain('<th scope="row">Potwierdzenie odbioru</th><td>R-42</td>');
    expect(page).toContain('W tym stanie dokumentu nie ma dostępnych czynności.');

    const rejected = await register('USC.REJ.1');
    await push('authorization.rejected', { authorizationId: rejected, reason: 'no-consent' });
    expect(await historyOf(rejected)).toContain(`Odrzucony przez urzędomat: no-consent | urzędomat ${lockerId}`);
    expect((await t.api('GET', `/api/v1/documents/${rejected}`)).body.status).toBe('rejected');

    const expired = await register('USC.EXP.1');
    await q('UPDATE document SET expires_at = $2 WHERE id = $1', [expired, new Date(clock - 60_000)]);
    expect((await t.office.sweep()).expired).toBe(1);
    expect(await historyOf(expired)).toContain('Termin odbioru minął | system urzędu');
    expect(await (await get(`/documents/${expired}`)).text()).not.toContain(`action="/documents/${expired}/revoke"`);

    expect((await get('/documents/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('a new code may be printed too: the answer is the notice with the new code, which the resident is texted', async () => {
    const phone = '600100700';
    const id = idFrom((await post('/documents', form({ caseRef: 'USC.NEW.1', phone }))).headers.get('location'));
    await eventually(() => smsLines().some((l) => l.to === phone), 'the first text');
    const r = await post(`/documents/${id}/new-code`, { notice: 'on' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toBe('inline; filename="zawiadomienie-USC.NEW.1.pdf"');
    const bytes = new Uint8Array(await r.arrayBuffer());
    const line = await eventually(() => smsLines().find((l) => l.to === phone && l.message.startsWith('Nowy kod')), 'the new code texted');
    const code = /\d{8}/.exec(line.message)![0];
    const [d] = await q<{ code_mac: string }>('SELECT code_mac FROM document WHERE id = $1', [id]);
    expect(codeMac(keys.codeKey, code)).toBe(d!.code_mac);
    await expectQr(bytes, `URZ1;${lockerId};${phone};${code}`);
    const page = await (await get(`/documents/${id}`)).text();
    expect(page).toContain('Wydany nowy kod odbioru');
  });

  it('a text the gateway refuses, or that is given up, shows in the history', async () => {
    // The office's own worker is stopped, so that only these outboxes, with their gateways, take the jobs.
    await t.office.sms.stop();
    const outbox = (result: SendResult, maxAttempts = 32) =>
      new SmsOutbox({ db: t.office.ctx.db, vault: t.office.ctx.vault, gateway: { name: 'double', send: async () => result }, log: t.office.ctx.log, idxPrefix: 'test', maxAttempts });
    const refused = idFrom((await post('/documents', form({ caseRef: 'USC.SMS.1' }))).headers.get('location'));
    expect(await outbox({ kind: 'refused', error: 'invalid number (13)' }).runOnce()).toBe(1);
    const givenUp = idFrom((await post('/documents', form({ caseRef: 'USC.SMS.2' }))).headers.get('location'));
    expect(await outbox({ kind: 'failed', error: 'timeout' }, 1).runOnce()).toBe(1);
    const rows = async (id: string): Promise<string[]> => {
      const page = await (await get(`/documents/${id}`)).text();
      return [...page.slice(page.indexOf('<h2 id="history">')).matchAll(/<tr class="history-[^"]+"><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => m[1]!);
    };
    expect(await rows(refused)).toContain('SMS odrzucony przez bramkę: z kodem odbioru (invalid number (13)); skontaktuj się z wnioskodawcą inaczej');
    expect(await rows(givenUp)).toContain('SMS nie wysłany mimo ponawiania: z kodem odbioru');
  });
});
