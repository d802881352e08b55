/**
 * `npm run screenshots:panel`: pictures of the clerks' panel on the README's "Try it" walk, taken in Chromium at a
 * desk's 1366x900 from the `npm start` demo run as its own process: log in, the documents, a new document (filled
 * in), the preview of its text message, its page once sent, the kiosk part played in a second page (staff load,
 * the door shut from the simulator panel, the resident's pickup with the code from the printed text message)
 * with its page once loaded and once collected, the lockers and the statistics; in Polish, and the form and the document's page in
 * English too. Written to docs/screenshots/panel-*.png (or the directory given as the first argument).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { packageRoot } from '../../src/paths.js';
import { demoCode, startCliText } from '../helpers/cli.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';
import { launchChromium, openKiosk } from './helpers/browser.js';
import { openSimPanel, residentTypes, staffLoad } from './helpers/demo-kiosk.js';

const outDir = process.argv[2] ?? join(packageRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });

/** The newcomer's own made-up document (README, "Try it"). */
const mine = { caseRef: 'USC.5362.7.2026', documentType: 'odpis-skrocony-aktu-urodzenia', phone: '501 234 567' };
const minePhone = mine.phone.replace(/ /g, '');

const t = tempDir('urz-panel-shots-');
const demo = await startCliText(
  ['demo'],
  {
    URZEDOMAT_SIM_DIR: t.dir, URZEDOMAT_SIM_KIOSK_PORT: String(randomKioskPort()), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
    URZEDOMAT_DEMO_DOORS_CLOSE_MS: '600000', // only the simulator panel shuts doors here
  },
  /Stop with Ctrl-C/,
  120_000,
);
let browser: Browser | undefined;
const taken: string[] = [];
try {
  const out = demo.stdout();
  const [, panelUrl, login, password] = /Clerks' panel \(the office\): (http:\S+?)\/ {2}login (\S+), password (\S+)/.exec(out)!;
  const kioskUrl = /Kiosk \(the touch screen\): (http:\S+)/.exec(out)![1]!;
  const simUrl = /Simulator panel \(shut the simulated doors\): (http:\S+)/.exec(out)![1]!;
  const pin = /Staff login: id S-1, PIN (\d{4})/.exec(out)![1]!;

  const errors: string[] = [];
  /**
   * A clerk's browser at a desk, in the clerk's own language: Chromium's, taken from the environment, is what
   * formats the date fields (dd.mm.rrrr in Polish; with Debian's chromium-l10n installed, else en-US's).
   */
  const desk = async (locale: 'pl-PL' | 'en-GB'): Promise<Page> => {
    const saved = { LANGUAGE: process.env.LANGUAGE, LANG: process.env.LANG };
    process.env.LANGUAGE = locale.replace('-', '_');
    process.env.LANG = `${locale.replace('-', '_')}.UTF-8`;
    const previous = browser;
    try {
      browser = await launchChromium();
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    await previous?.close();
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale, timezoneId: 'Europe/Warsaw' })).newPage();
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (e) => errors.push(e.message));
    // The browser's own request for /favicon.ico (the panel has none) aside.
    page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`${m.text()} (${m.location().url})`); });
    return page;
  };
  const logIn = async (): Promise<void> => {
    await panel.waitForSelector('#login');
    await panel.fill('#login', login!);
    await panel.fill('#password', password!);
  };
  let panel = await desk('pl-PL');
  const shot = async (name: string, o: { fullPage?: boolean } = {}): Promise<void> => {
    // No caret and no focus ring left on the last field typed in.
    await panel.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const file = `panel-${name}.png`;
    await panel.screenshot({ path: join(outDir, file), fullPage: o.fullPage ?? true });
    taken.push(file);
  };
  /** The document's page, reloaded until it shows `status`. */
  const untilShown = async (url: string, status: 'loaded' | 'collected'): Promise<void> => {
    await panel.goto(url);
    for (let i = 0; i < 60 && await panel.$(`.status-${status}`) === null; i++) {
      await panel.waitForTimeout(500);
      await panel.goto(url);
    }
    if (await panel.$(`.status-${status}`) === null) throw new Error(`${mine.caseRef} is not shown as ${status} in the panel`);
  };
  const fillForm = async (): Promise<void> => {
    await panel.goto(`${panelUrl}/documents/new`);
    // The demo office has one locker, already chosen; the consent date is today and the deadline 7 days on.
    await panel.fill('#caseRef', mine.caseRef);
    await panel.selectOption('#documentType', mine.documentType);
    await panel.fill('#phone', mine.phone);
    await panel.check('#consent');
    await panel.selectOption('#consentHow', 'counter');
    await panel.check('#fee-paid');
  };

  // Logging in, with the login the demo printed.
  await panel.goto(`${panelUrl}/`);
  await logIn();
  await shot('login', { fullPage: false });
  await panel.click('main button[type="submit"]');
  await panel.waitForURL(`${panelUrl}/`);
  await shot('documents');

  // Registering one: the form, the preview of the text message, the document's page once sent.
  await fillForm();
  await shot('new-document');
  await panel.click('main button[type="submit"]');
  await panel.waitForSelector('p.preview');
  await shot('preview');
  await panel.click('main form[action="/documents"] button[type="submit"]');
  await panel.waitForURL(/\/documents\/[^/?]+\?done=registered/);
  const documentUrl = panel.url().split('?')[0]!;
  const id = decodeURIComponent(documentUrl.slice(documentUrl.lastIndexOf('/') + 1));
  await shot('document-sent');

  // The kiosk part, as the README tells it: the code arrives only in the text message the demo prints.
  const code = await demoCode(demo.stdout, minePhone);
  const sms = new RegExp(`SMS to ${minePhone}: .*`).exec(demo.stdout())![0];
  const { page: kiosk, errors: kioskErrors } = await openKiosk(browser!, kioskUrl);
  const sim = await openSimPanel(browser!, simUrl);
  // The locker pulls the office's feed every 5 s.
  const compartment = await staffLoad(kiosk, sim, { pin, id, waitMs: 15_000 });
  // The panel learns of the load from the locker's next exchange with the office.
  await untilShown(documentUrl, 'loaded');
  await shot('document-loaded');
  await kiosk.click('#logout');
  await residentTypes(kiosk, minePhone, code);
  await sim.click(`#close-${compartment}`);
  await kiosk.waitForSelector('#receipt');
  if (kioskErrors.length > 0) throw new Error(`the kiosk page reported errors: ${kioskErrors.join('; ')}`);

  // Back in the panel: the locker reports the pickup to the office with its next exchange.
  await untilShown(documentUrl, 'collected');
  await shot('document-collected');
  // The locker's status report (boards, compartments) follows its changes by a minute at most.
  await panel.goto(`${panelUrl}/lockers`);
  const noStatus = 'brak raportu stanu';
  for (let i = 0; i < 90 && (await panel.textContent('main'))!.includes(noStatus); i++) {
    await panel.waitForTimeout(1_000);
    await panel.goto(`${panelUrl}/lockers`);
  }
  if ((await panel.textContent('main'))!.includes(noStatus)) process.stderr.write('the lockers page shows no status report from the locker yet\n');
  await shot('lockers');
  await panel.goto(`${panelUrl}/stats`);
  await shot('stats', { fullPage: false });

  // In English (the switch in every page's header), in an English-speaking clerk's browser.
  panel = await desk('en-GB');
  await panel.goto(`${panelUrl}/lang?to=en&back=${encodeURIComponent('/documents/new')}`);
  await logIn();
  await panel.click('main button[type="submit"]');
  await panel.waitForURL(`${panelUrl}/documents/new`);
  await fillForm();
  await shot('new-document-en');
  await panel.goto(documentUrl);
  await shot('document-collected-en');

  if (errors.length > 0) throw new Error(`the panel reported errors: ${errors.join('; ')}`);
  process.stdout.write(`document ${mine.caseRef} (${id}) collected from compartment ${compartment}\n${sms}\n`);
} finally {
  await browser?.close();
  demo.child.kill('SIGINT');
  await demo.exited;
  t.cleanup();
}
process.stdout.write(`${taken.length} screenshots in ${outDir}: ${taken.join(', ')}\n`);
