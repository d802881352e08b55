import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addClerk } from '../../office/clerks.js';
import type { NewLockerSecrets } from '../../office/lockers.js';
import { eventMacHeader, eventsKey, eventsMac } from '../../src/wire/event-mac.js';
import { demoCode, startCliText, type CliResult } from '../helpers/cli.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';
import { registration, startTestOffice, type TestOffice } from '../helpers/office-rig.js';
import { axeViolations, launchChromium, openKiosk } from './helpers/browser.js';
import { openSimPanel, residentTypes, staffLoad } from './helpers/demo-kiosk.js';
import { parseMail } from '../helpers/mail.js';

/**
 * The clerks' panel in Chromium (issue 16, "Tests and the newcomer"):
 * - with `urzedomat demo` (what `npm start` runs) as a child process: a clerk logs in with the printed login,
 *   registers a document (form, preview without the code, send), its text message appears in the demo's output,
 *   staff load it at the kiosk, a resident collects it with the code, and the panel says collected with the
 *   compartment and the receipt; another document is revoked; a forbidden type is not offered; and, last, the
 *   demo clerk's login is locked out;
 * - with an office of its own (test/helpers/office-rig.ts) and a real SMTP server on loopback: an alarm is shown
 *   on the lockers' pages, e-mailed and marked dealt with; then axe-core on every panel page in Polish and
 *   English, the 403 page a non-admin gets included: no serious or critical finding.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A browser context for the panel (a desk's screen), its pages failing an action after 8 s. */
async function deskPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Pages answered with an error status (a refused login, a form with errors, a 403) are the tests' business;
  // a failed load of anything a page asked for (its style sheet, a script, an image) is an error. Chromium's own
  // request for /favicon.ico is no response event: the panel's 404 for it (logged in) is not counted here.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') errors.push(`${r.status()} ${r.url()}`);
  });
  return { context, page, errors };
}

/** Logs in on the (Polish) login page the browser is on. */
async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Login', { exact: true }).fill(login);
  await page.getByLabel('Hasło', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Zaloguj' }).click();
}

/** The value cell of a document page's row named `header` (its `th`). */
const fieldCell = (page: Page, header: string) =>
  page.locator('tr', { has: page.getByRole('rowheader', { name: header, exact: true }) }).locator('td');

describe('the panel with the npm start demo: register, load, collect, revoke, lock out', () => {
  const t = tempDir();
  let demo: Awaited<ReturnType<typeof startCliText>> | undefined;
  let exited: Promise<CliResult> | undefined;
  let out = '';
  let panelUrl = '';
  let login = '';
  let password = '';

  beforeAll(async () => {
    const env = {
      URZEDOMAT_SIM_DIR: t.dir, URZEDOMAT_SIM_KIOSK_PORT: String(randomKioskPort()), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
      URZEDOMAT_DEMO_DOORS_CLOSE_MS: '600000', // only the simulator panel shuts doors here
    };
    demo = await startCliText(['demo'], env, /Stop with Ctrl-C/, 120_000);
    exited = demo.exited;
    out = demo.stdout();
    const m = /Clerks' panel \(the office\): (http:\S+)\s+login (\S+), password (\S+)/.exec(out);
    if (m === null) throw new Error(`the demo printed no panel login: ${out}`);
    [, panelUrl, login, password] = m as unknown as [string, string, string, string];
  }, 150_000);
  afterAll(async () => {
    if (demo !== undefined) {
      demo.child.kill('SIGINT');
      const r = await exited!;
      if (r.code !== 0) console.error(`the demo exited with ${r.code ?? r.signal}: ${r.stderr}`);
    }
    t.cleanup();
  }, 30_000);

  it('a clerk registers a document, staff load it, a resident collects it with the texted code, the panel says collected; another is revoked; an identity card is not offered', async () => {
    const kioskUrl = /Kiosk \(the touch screen\): (http:\S+)/.exec(out)![1]!;
    const simUrl = /Simulator panel \(shut the simulated doors\): (http:\S+)/.exec(out)![1]!;
    const pin = /Staff login: id S-1, PIN (\d{4})/.exec(out)![1]!;
    const phone = `7${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const caseRef = `USC.5362.${100 + Math.floor(Math.random() * 900)}.2026`;

    // The clerk logs in with what the demo printed.
    const { page: panel, errors: panelErrors } = await deskPage();
    await panel.goto(panelUrl);
    await expect.poll(() => new URL(panel.url()).pathname).toBe('/login');
    await logIn(panel, login, password);
    await panel.getByRole('heading', { level: 1, name: 'Dokumenty' }).waitFor();
    expect(new URL(panel.url()).pathname).toBe('/');

    // The form: the identity card is not offered, and is listed with its reason.
    await panel.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Nowy dokument' }).click();
    await panel.getByRole('heading', { level: 1, name: 'Nowy dokument do urzędomatu' }).waitFor();
    const type = panel.getByLabel('Rodzaj dokumentu', { exact: true });
    const offered = await type.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    expect(offered.map((o) => o.value)).toContain('odpis-skrocony-aktu-urodzenia');
    expect(offered.map((o) => o.value)).not.toContain('dowod-osobisty');
    expect(offered.map((o) => o.text)).not.toContain('Dowód osobisty');
    const denied = panel.getByRole('table', { name: 'Dokumenty, których nie wolno wydać w urzędomacie' });
    const idCard = denied.locator('tr', { has: panel.getByRole('rowheader', { name: 'Dowód osobisty', exact: true }) });
    await expect.poll(() => idCard.locator('td').allTextContents()).toEqual([
      'dokument tożsamości: wydawany tylko osobiście, przy okienku',
      'Ustawa o dowodach osobistych, art. 37: odbiór osobisty',
    ]);

    // Filled in by its labels; the only locker is chosen already, the dates have their defaults.
    const locker = panel.getByLabel('Urzędomat', { exact: true });
    expect(await locker.locator('option:checked').textContent()).toContain('USC Czestochowa, ul. Focha 19');
    await panel.getByLabel('Znak sprawy', { exact: true }).fill(caseRef);
    await type.selectOption({ label: 'Odpis skrócony aktu urodzenia' });
    await panel.getByLabel('Telefon komórkowy wnioskodawcy').fill(`${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`);
    await panel.getByLabel('Rozmiar skrytki').selectOption('S');
    await panel.getByLabel('Wnioskodawca wyraził zgodę').check();
    await panel.getByLabel('Jak', { exact: true }).selectOption({ label: 'na piśmie, przy okienku' });
    await panel.getByLabel('opłata wniesiona').check();
    await panel.getByRole('button', { name: 'Pokaż, co otrzyma wnioskodawca' }).click();

    // The preview: the text message as it will go, with XXXXXXXX where the code will be.
    await panel.getByRole('heading', { level: 1, name: 'Sprawdź przed wysłaniem' }).waitFor();
    const preview = (await panel.locator('p.preview').textContent()) ?? '';
    expect(preview).toContain('Kod odbioru: XXXXXXXX.');
    expect(preview).toContain('USC Czestochowa, ul. Focha 19');
    expect(preview).not.toMatch(/\d{8}/);
    expect(await fieldCell(panel, 'Telefon').textContent()).toBe(`${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`);
    expect(await fieldCell(panel, 'Znak sprawy').textContent()).toBe(caseRef);
    await panel.getByRole('button', { name: 'Wyślij', exact: true }).click();

    // Registered: the document's page, waiting to be loaded.
    await panel.getByRole('heading', { level: 1, name: `Dokument ${caseRef}` }).waitFor();
    const id = decodeURIComponent(/\/documents\/([^?]+)\?done=registered$/.exec(panel.url())![1]!);
    expect(await panel.getByRole('status').textContent()).toContain('Dokument zarejestrowany.');
    expect(await fieldCell(panel, 'Stan').textContent()).toBe('czeka na włożenie');

    // The resident's text message, as the demo prints it.
    const code = await demoCode(() => demo!.stdout(), phone);
    expect(demo!.stdout()).toMatch(new RegExp(`SMS to ${phone}: .*Kod odbioru: ${code}`));

    // Staff load it at the kiosk once the locker's pull brought it.
    const { page: kiosk, errors: kioskErrors } = await openKiosk(browser, kioskUrl);
    const sim = await openSimPanel(browser, simUrl);
    const n = await staffLoad(kiosk, sim, { pin, id });
    expect(n).toBeGreaterThan(0);
    expect(await kiosk.textContent('#message')).toBe(`Dokument załadowany do skrytki nr ${n}.`);
    await kiosk.click('#logout');

    // The resident collects it with the phone and the code; the door is shut from the simulator panel.
    await residentTypes(kiosk, phone, code);
    expect(await kiosk.textContent('#title')).toBe(`Skrytka nr ${n} jest otwarta`);
    await sim.click(`#close-${n}`);
    await kiosk.waitForSelector('#receipt');
    const receipt = /^Potwierdzenie nr (\S+)$/.exec(((await kiosk.textContent('figure.receipt figcaption')) ?? '').trim())?.[1];
    expect(receipt).toBeDefined();
    expect(kioskErrors).toEqual([]);

    // Back in the panel: collected, from that compartment, with that receipt (once the locker's push arrived).
    await expect
      .poll(async () => {
        await panel.reload();
        return fieldCell(panel, 'Stan').textContent();
      }, { timeout: 30_000, interval: 500 })
      .toBe('odebrany');
    expect(await fieldCell(panel, 'Skrytka').textContent()).toBe(String(n));
    expect(await fieldCell(panel, 'Potwierdzenie odbioru').textContent()).toBe(receipt);
    expect(await panel.locator('tr.history-collected td').nth(1).textContent()).toBe(`Odebrany ze skrytki nr ${n}, potwierdzenie ${receipt}`);
    expect(await panel.locator('tr.history-loaded td').nth(1).textContent()).toBe(`Włożony do skrytki nr ${n}`);
    expect(await panel.getByRole('heading', { name: 'Czynności' }).isVisible()).toBe(true);
    expect(await panel.getByText('W tym stanie dokumentu nie ma dostępnych czynności.').isVisible()).toBe(true);
    expect(await panel.content()).not.toContain(code); // the office never shows (nor keeps) the code
    // The same in English, through the header's switch, and back.
    await panel.getByRole('link', { name: 'English' }).click();
    await panel.getByRole('heading', { level: 1, name: `Document ${caseRef}` }).waitFor();
    expect(await fieldCell(panel, 'Status').textContent()).toBe('collected');
    expect(await fieldCell(panel, 'Compartment').textContent()).toBe(String(n));
    expect(await fieldCell(panel, 'Receipt').textContent()).toBe(receipt);
    await panel.getByRole('link', { name: 'Polski' }).click();
    await panel.getByRole('heading', { level: 1, name: `Dokument ${caseRef}` }).waitFor();

    // The list shows it collected too; another of the demo's documents is revoked from its page.
    await panel.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Dokumenty' }).click();
    const row = (ref: string) => panel.getByRole('table', { name: 'Dokumenty' }).locator('tr', { has: panel.getByRole('rowheader', { name: ref, exact: true }) });
    expect(await row(caseRef).locator('td.status').textContent()).toBe('odebrany');
    const other = 'USC.5362.2.2026';
    expect(await row(other).locator('td.status').textContent()).toBe('czeka na włożenie');
    await row(other).getByRole('link', { name: other }).click();
    await panel.getByRole('heading', { level: 1, name: `Dokument ${other}` }).waitFor();
    await panel.getByLabel('Powód wycofania').fill('wnioskodawca odebrał dokument przy okienku');
    await panel.getByRole('button', { name: 'Wycofaj dokument' }).click();
    await panel.getByRole('status').filter({ hasText: 'Dokument wycofany' }).waitFor();
    expect(await fieldCell(panel, 'Stan').textContent()).toBe('wycofany');
    expect(await panel.locator('tr.history-revoked td').nth(1).textContent()).toBe('Wycofany, powód: wnioskodawca odebrał dokument przy okienku');
    expect(await panel.getByRole('button', { name: 'Wycofaj dokument' }).count()).toBe(0);
    await panel.getByRole('link', { name: '← Wszystkie dokumenty' }).click();
    expect(await row(other).locator('td.status').textContent()).toBe('wycofany');

    // A forbidden type slipped into the form (an edited page) is refused by the office all the same.
    await panel.goto(new URL('/documents/new', panelUrl).href);
    await panel.evaluate(() => {
      const o = document.createElement('option');
      o.value = 'dowod-osobisty';
      o.textContent = 'Dowód osobisty';
      document.getElementById('documentType')!.append(o);
    });
    await panel.getByLabel('Znak sprawy', { exact: true }).fill('USC.5362.999.2026');
    await type.selectOption('dowod-osobisty');
    await panel.getByLabel('Telefon komórkowy wnioskodawcy').fill(phone);
    await panel.getByLabel('Wnioskodawca wyraził zgodę').check();
    await panel.getByLabel('Jak', { exact: true }).selectOption('counter');
    await panel.getByLabel('opłata wniesiona').check();
    await panel.getByRole('button', { name: 'Pokaż, co otrzyma wnioskodawca' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Formularz zawiera błędy (1)' }).waitFor();
    expect(await panel.locator('#documentType-error').textContent()).toBe('Tego dokumentu nie wolno wydać w urzędomacie: dokument tożsamości: wydawany tylko osobiście, przy okienku.');
    expect(await type.getAttribute('aria-invalid')).toBe('true');
    expect(panelErrors).toEqual([]);
  }, 180_000);

  // Last in this block: it locks the demo clerk out for 15 minutes.
  it('five wrong passwords lock the demo clerk out: the right one is refused with the lock message; an unknown login is answered the same way, so the answers do not tell which logins exist', async () => {
    const { context, page } = await deskPage();
    const loginUrl = new URL('/login', panelUrl).href;
    const alert = () => page.getByRole('alert').textContent();
    const wrong = 'Nieprawidłowy login lub hasło.';
    const locked = 'Zbyt wiele nieudanych prób: logowanie na to konto jest zablokowane na 15 min. Spróbuj później albo poproś administratora.';

    await page.goto(loginUrl);
    for (let i = 1; i <= 6; i++) {
      await logIn(page, 'nie-ma-takiego', `zle-haslo-${i}`);
      expect(await alert()).toBe(i < 5 ? wrong : locked);
    }

    await page.goto(loginUrl);
    for (let i = 1; i <= 4; i++) {
      await logIn(page, login, `${password}-zle-${i}`);
      expect(await alert()).toBe(wrong);
      expect(await page.getByLabel('Login', { exact: true }).inputValue()).toBe(login); // kept for the next try
    }
    await logIn(page, login, `${password}-zle-5`);
    expect(await alert()).toBe(locked);
    await logIn(page, login, password);
    expect(await alert()).toBe(locked);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await context.cookies()).some((c) => c.name === 'urz_session' && c.value !== '')).toBe(false);
    await page.goto(new URL('/', panelUrl).href);
    expect(new URL(page.url()).pathname).toBe('/login'); // no session
    // In English too.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByLabel('Login', { exact: true }).fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await alert()).toBe('Too many failed attempts: this login is locked for 15 min. Try again later or ask an administrator.');
    await context.close();
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------

interface Mail { rcpt: string[]; subject: string; text: string }

/** The received message as the tests read it. */
function mailOf(raw: string, rcpt: string[]): Mail {
  const { headers, text } = parseMail(raw);
  return { rcpt, subject: headers['subject'] ?? '', text };
}

describe('the panel with an office of its own: an alarm shown and e-mailed; every page checked by axe-core', () => {
  let t: TestOffice;
  let smtp: SMTPServer;
  const received: Mail[] = [];
  const L = 'czestochowa-focha-1';
  const lockerName = 'USC Częstochowa, ul. Focha 19';
  let secrets: NewLockerSecrets;
  let seq = 0;
  const admin = { login: 'kierownik', name: 'Krystyna Kowalska', password: 'kierownik haslo 1' };
  const clerk = { login: 'anowak', name: 'Anna Nowak', password: 'anowak haslo 123' };
  let collectedId = '';
  const staffId = 'S-7';

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(mailOf(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((a) => a.address)));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await startTestOffice({
      backend: 'embedded',
      config: { alerts: { smtp: { host: '127.0.0.1', port }, from: 'urzedomat@um.czestochowa.example', technicians: ['serwis@technik.example'], office: ['usc@um.czestochowa.example'] } },
    });
    secrets = await t.addLocker(L, lockerName);
    await addClerk(t.office.ctx.db, admin.login, admin.name, true, admin.password);
    await addClerk(t.office.ctx.db, clerk.login, clerk.name, false, clerk.password);
    // Some data for the pages: a member of staff, documents, one of them loaded and collected.
    expect((await t.api('POST', '/api/v1/staff', { id: staffId, name: 'Jan Kowalski', pin: '4821', roles: ['loader', 'retriever'] })).status).toBe(201);
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await t.api('POST', '/api/v1/documents', registration(L, { caseRef: `USC.5362.${i}.2026`, phone: `60010020${i}`, documentType: i === 2 ? 'zaswiadczenie-o-stanie-cywilnym' : 'odpis-skrocony-aktu-urodzenia' }));
      expect(r.status).toBe(201);
      ids.push(String(r.body.id));
    }
    collectedId = ids[0]!;
    const now = Date.now();
    await push([
      { type: 'locker.status', at: new Date(now - 60_000).toISOString(), data: { boards: [{ address: 0, online: true }, { address: 1, online: false }], compartments: { free: 9, occupied: 1, open: 0, reserved: 0, fault: 1, disabled: 0 } } },
      { type: 'document.loaded', at: new Date(now - 50_000).toISOString(), data: { authorizationId: collectedId, compartment: 4, staffId } },
      { type: 'document.collected', at: new Date(now - 40_000).toISOString(), data: { authorizationId: collectedId, compartment: 4, receiptId: 'R-20261201-0001' } },
    ]);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (smtp === undefined ? resolve() : smtp.close(() => resolve())));
  });

  /** A push as the locker makes it (contracts.md §5.3): the exact body, its MAC with Kev, the bearer token. */
  async function push(events: Array<{ type: string; at: string; data: Record<string, unknown> }>): Promise<void> {
    const body = JSON.stringify({ events: events.map((e) => ({ seq: ++seq, ...e })) });
    const r = await fetch(`${t.url}/v1/lockers/${L}/events`, {
      method: 'POST', body,
      headers: { authorization: `Bearer ${secrets.token}`, 'content-type': 'application/json', [eventMacHeader]: eventsMac(eventsKey(secrets.codeKey), body) },
    });
    expect(r.status).toBe(200);
  }

  it('an alarm shows on /lockers and the locker’s page, is e-mailed to the technicians and the office, and a clerk marks it dealt with', async () => {
    await push([{ type: 'alarm', at: new Date().toISOString(), data: { kind: 'forced-open', compartment: 3 } }]);
    const { context, page, errors } = await deskPage();
    await page.goto(`${t.url}/lockers`);
    await logIn(page, clerk.login, clerk.password);
    await page.getByRole('heading', { level: 1, name: 'Urzędomaty' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/lockers'); // back where the login was asked for
    const row = page.locator(`tr[data-locker="${L}"]`);
    expect(await row.locator('td').last().textContent()).toBe('1');
    expect(await row.locator('td').nth(3).textContent()).toContain('1 z 2 odpowiada');

    await row.getByRole('link', { name: lockerName }).click();
    await page.getByRole('heading', { level: 1, name: `Urzędomat ${lockerName}` }).waitFor();
    await page.getByRole('heading', { name: 'Otwarte alarmy (1)' }).waitFor();
    const open = page.getByRole('table', { name: 'Otwarte alarmy (1)' });
    const alarm = open.locator('tbody tr');
    expect(await alarm.count()).toBe(1);
    expect(await alarm.locator('td').nth(0).textContent()).toBe('Drzwiczki otwarte siłą');
    expect(await alarm.locator('td').nth(1).textContent()).toBe('nr 3');

    // The e-mail: one round of the alerts worker (it also runs by itself every 5 s).
    await t.office.alerts!.runOnce();
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail.rcpt.sort()).toEqual(['serwis@technik.example', 'usc@um.czestochowa.example']);
    expect(mail.subject).toBe(`[urzędomat] Alarm: drzwiczki otwarte siłą / door forced open — ${lockerName} (${L})`);
    expect(mail.text).toContain(`Urzędomat „${lockerName}” (${L}) zgłosił alarm: drzwiczki otwarte siłą.`);
    expect(mail.text).toContain('· skrytka 3');
    await page.reload();
    const mailedCell = page.getByRole('table', { name: 'Otwarte alarmy (1)' }).locator('tbody tr td').nth(3);
    expect(await mailedCell.textContent()).toMatch(/^\d{1,2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/); // when it was e-mailed

    await page.getByRole('button', { name: /^Załatwione: Drzwiczki otwarte siłą, skrytka 3, / }).click();
    await page.getByRole('status').filter({ hasText: 'Alarm oznaczony jako załatwiony.' }).waitFor();
    await page.getByRole('heading', { name: 'Otwarte alarmy (0)' }).waitFor();
    expect(await page.getByText('Brak otwartych alarmów.').isVisible()).toBe(true);
    const done = page.getByRole('table', { name: 'Załatwione alarmy' }).locator('tbody tr');
    expect(await done.count()).toBe(1);
    expect(await done.locator('td').nth(3).textContent()).toBe(`${clerk.name} (${clerk.login})`);
    await page.getByRole('link', { name: '← Wszystkie urzędomaty' }).click();
    expect(await page.locator(`tr[data-locker="${L}"] td`).last().textContent()).toBe('0');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('axe-core finds nothing serious or critical on any panel page, in Polish or English', async () => {
    // An alarm left open, so that the locker's page shows both tables.
    await push([{ type: 'alarm', at: new Date().toISOString(), data: { kind: 'tamper' } }]);
    const findings: string[] = [];
    const seen: string[] = [];
    for (const lang of ['pl', 'en'] as const) {
      const check = async (page: Page, name: string, status = 200, response?: { status(): number } | null): Promise<void> => {
        seen.push(`${lang} ${name}`);
        if (response !== undefined) expect(response?.status(), `${lang} ${name}`).toBe(status);
        expect(await page.evaluate(() => document.documentElement.lang), `${lang} ${name}`).toBe(lang);
        for (const v of await axeViolations(page)) {
          if (v.impact === 'serious' || v.impact === 'critical') findings.push(`${lang} ${name} (${new URL(page.url()).pathname}): ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
        }
      };
      const { context, page, errors } = await deskPage();
      const go = (path: string) => page.goto(t.url + path);

      // Logged out: the login page, and the same after a refusal.
      await go(`/lang?to=${lang}&back=/login`);
      await page.locator('#login').waitFor();
      await check(page, 'login');
      await page.fill('#login', 'nie-ma-takiego');
      await page.fill('#password', 'zle haslo');
      await page.click('main button[type=submit]');
      await page.getByRole('alert').waitFor();
      await check(page, 'login refused');
      await page.fill('#login', admin.login);
      await page.fill('#password', admin.password);
      await page.click('main button[type=submit]');
      await page.locator('#f-status').waitFor();

      await check(page, 'documents list', 200, await go('/'));
      await check(page, 'documents list, filtered', 200, await go('/?status=pending&ref=5362'));
      await check(page, 'new document form', 200, await go('/documents/new'));
      // The form with errors (the browser's own checks off, as an old browser would send it).
      await page.evaluate(() => {
        document.querySelector<HTMLFormElement>('form[action="/documents/preview"]')!.noValidate = true;
      });
      await page.click('form[action="/documents/preview"] button[type=submit]');
      await page.locator('#caseRef-error').waitFor();
      await check(page, 'new document form with errors');
      await go('/documents/new');
      await page.fill('#caseRef', `USC.5362.${lang === 'pl' ? 10 : 11}.2026`);
      await page.selectOption('#documentType', 'odpis-zupelny-aktu-malzenstwa');
      await page.fill('#phone', '600 200 300');
      await page.check('#consent');
      await page.selectOption('#consentHow', 'epuap');
      await page.check('#fee-unpaid');
      await page.click('form[action="/documents/preview"] button[type=submit]');
      await page.locator('p.preview').waitFor();
      await check(page, 'preview');
      await page.click('form[action="/documents"] button[type=submit]');
      await page.waitForURL(/\/documents\/[^/?]+\?done=registered$/);
      await check(page, 'document just registered');
      await check(page, 'document collected', 200, await go(`/documents/${encodeURIComponent(collectedId)}`));
      await check(page, 'no such document', 404, await go('/documents/nie-ma-takiego'));
      await check(page, 'lockers', 200, await go('/lockers'));
      await check(page, 'a locker', 200, await go(`/lockers/${L}`));
      await check(page, 'stats', 200, await go('/stats'));
      await check(page, 'staff', 200, await go('/staff'));
      await check(page, 'a member of staff', 200, await go(`/staff/${staffId}`));
      await check(page, 'deactivating a member of staff', 200, await go(`/staff/${staffId}/deactivate`));
      await check(page, 'catalogue', 200, await go('/catalogue'));
      await check(page, 'a catalogue entry', 200, await go('/catalogue/types/odpis-skrocony-aktu-urodzenia'));
      await check(page, 'a forbidden catalogue entry', 200, await go('/catalogue/types/dowod-osobisty'));
      await check(page, 'new catalogue entry', 200, await go('/catalogue/new'));
      expect(errors, `${lang}: page errors`).toEqual([]);
      await context.close();

      // A clerk who is not an administrator: the admin areas answer 403 with a page of their own.
      const desk = await deskPage();
      await desk.page.goto(`${t.url}/lang?to=${lang}&back=/staff`);
      await desk.page.fill('#login', clerk.login);
      await desk.page.fill('#password', clerk.password);
      await desk.page.click('main button[type=submit]');
      await desk.page.locator('main h1').waitFor();
      expect(new URL(desk.page.url()).pathname).toBe('/staff');
      expect(await desk.page.locator('main h1').textContent()).toBe(lang === 'pl' ? 'Brak uprawnień' : 'Not allowed');
      await check(desk.page, '403 for a non-admin', 403, await desk.page.goto(`${t.url}/catalogue`));
      expect(await desk.page.getByRole('navigation', { name: 'Menu' }).getByRole('link').allTextContents()).toEqual(
        lang === 'pl' ? ['Dokumenty', 'Nowy dokument', 'Urzędomaty', 'Statystyki'] : ['Documents', 'New document', 'Lockers', 'Statistics'],
      );
      await desk.context.close();
    }
    if (findings.length > 0) console.error(`axe-core, serious or critical:\n${findings.join('\n')}`);
    expect(findings).toEqual([]);
    expect(seen).toHaveLength(2 * 21);
  }, 180_000);
});
