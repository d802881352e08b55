import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodeCu16Unlock } from '../../hardware/protocols/kerong-cu16/codec.js';
import { encodeCu48Unlock } from '../../hardware/protocols/kerong-cu48/codec.js';
import { launchChromium, openKiosk } from './helpers/browser.js';
import { startKioskRig } from '../helpers/kiosk-rig.js';
import { kioskSuite } from './helpers/kiosk-suite.js';

/** Civil registry staff at the touch screen, in real Chromium, against the daemon on simulated boards. */

const hex = (b: Buffer): string => b.toString('hex');

describe('staff at the kiosk (Chromium)', () => {
  const k = kioskSuite(async (rig) => {
    rig.addStaff('S-1', '4321');
    rig.addDocument({ id: 'A-1', phone: '600100201', code: '11112222' });
    rig.addDocument({ id: 'A-2', phone: '600100202', code: '22223333', size: 'L' });
    rig.addDocument({ id: 'A-3', phone: '600100203', code: '33334444', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await rig.load('A-3')).toBe(1);
    // A-3 was not collected in time: staff must take it back.
    rig.daemon.store.db.prepare("UPDATE authorization SET expires_at = '2020-01-01T00:00:00Z' WHERE id = 'A-3'").run();
    rig.resetFrames();
  });
  let page: Page;
  beforeAll(async () => {
    page = (await openKiosk(k.browser, k.rig.url)).page;
  });

  it('a wrong PIN is refused on the screen; the right one shows both lists', async () => {
    await page.click('#staff');
    await page.waitForSelector('body[data-view="staffLogin"]');
    for (const key of ['S', '-', '1']) await page.click(`.keypad button:text-is("${key}")`);
    await page.click('#pin');
    await page.keyboard.type('0000');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#message');
    expect(await page.textContent('#message')).toBe('Nieprawidłowy identyfikator lub PIN.');

    await page.fill('#staffId', 'S-1');
    await page.fill('#pin', '4321');
    await page.click('#submit');
    await page.waitForSelector('body[data-view="staffHome"]');
    expect(await page.textContent('#title')).toBe('Zalogowano: S-1');
    expect(await page.textContent('#to-load-title')).toBe('Do załadowania (2)');
    expect(await page.textContent('#to-retrieve-title')).toBe('Do wyjęcia (1)');
    expect(await page.textContent('#to-load')).toContain('Odpis skrócony aktu urodzenia');
    expect(await page.textContent('#to-retrieve')).toContain('termin minął');
    expect(k.rig.unlockFrames()).toEqual([]);
  });

  it('loads a document: the page shows the compartment that opened; shutting the door makes it loaded', async () => {
    await page.click('#load-A-2');
    await page.waitForSelector('body[data-view="staffOpen"]');
    expect(await page.textContent('#title')).toBe('Skrytka nr 9 jest otwarta');
    expect(await page.getAttribute('.locker .box.marked', 'data-compartment')).toBe('9');
    expect(k.rig.unlockFrames()).toEqual([hex(encodeCu16Unlock(1, 1))]);

    k.rig.closeDoor(9);
    await page.waitForSelector('body[data-view="staffHome"]');
    expect(await page.textContent('#message')).toBe('Dokument załadowany do skrytki nr 9.');
    expect(await page.textContent('#to-load-title')).toBe('Do załadowania (1)');
    const row = k.rig.daemon.store.db.prepare("SELECT status, compartment_id FROM authorization WHERE id = 'A-2'").get();
    expect(row).toEqual({ status: 'loaded', compartment_id: 9 });
  });

  it('takes back the expired document: its compartment opens, and once shut it counts as retrieved', async () => {
    k.rig.resetFrames();
    await page.click('#retrieve-A-3');
    await page.waitForSelector('body[data-view="staffOpen"]');
    expect(await page.textContent('#title')).toBe('Skrytka nr 1 jest otwarta');
    expect(await page.textContent('.lead')).toBe('Wyjmij dokument i zamknij drzwiczki.');
    expect(k.rig.unlockFrames()).toEqual([hex(encodeCu48Unlock(0, 1))]);
    k.rig.closeDoor(1);
    await page.waitForSelector('#message');
    expect(await page.textContent('#message')).toBe('Dokument wyjęty ze skrytki nr 1.');
    expect(await page.textContent('#to-retrieve-title')).toBe('Do wyjęcia (0)');
    expect(k.rig.daemon.store.db.prepare("SELECT status FROM authorization WHERE id = 'A-3'").get()).toEqual({ status: 'retrieved' });
  });

  it('marks a compartment faulty from the picture, in English; nothing is unlocked', async () => {
    k.rig.resetFrames();
    await page.click('#report-fault');
    await page.waitForSelector('body[data-view="staffFault"]');
    expect(await page.getAttribute('.picker button[data-compartment="7"]', 'aria-label')).toBe('Skrytka 7, wolna');
    await page.click('.picker button[data-compartment="7"]');
    await page.waitForSelector('#message');
    expect(await page.textContent('#message')).toBe('Zgłoszono usterkę skrytki nr 7.');
    expect(k.rig.daemon.core.compartments.state(7)).toBe('fault');
    expect(k.rig.unlockFrames()).toEqual([]);
  });

  it('logs out back to the resident start; the token no longer works', async () => {
    await page.click('#logout');
    await page.waitForSelector('body[data-view="welcome"]');
    const r = await fetch(k.rig.url + 'api/staff/lists', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(401);
  });
});

describe('staff session idle timeout (Chromium)', () => {
  it('the page logs staff out after staffIdleS without a touch', async () => {
    const browser = await launchChromium();
    const rig = await startKioskRig((raw) => { raw.kiosk.staffIdleS = 60; });
    try {
      rig.addStaff('S-2', '5555');
      const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
      // A clock the test controls: 60 s of no touch pass at once.
      await context.clock.install();
      const p = await context.newPage();
      await p.goto(rig.url);
      await p.waitForSelector('body[data-view="welcome"]');
      await p.click('#staff');
      await p.fill('#staffId', 'S-2');
      await p.fill('#pin', '5555');
      await p.click('#submit');
      await p.waitForSelector('body[data-view="staffHome"]');
      await p.clock.runFor(59_000);
      expect(await p.evaluate(() => document.body.dataset.view)).toBe('staffHome');
      await p.clock.runFor(2_000);
      await p.waitForSelector('body[data-view="welcome"]');
      expect(rig.daemon.store.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'staff.logout'").get()).toEqual({ n: 1 });
    } finally {
      await browser.close();
      await rig.stop();
    }
  });
});
