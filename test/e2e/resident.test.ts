import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodeCu16Unlock } from '../../hardware/protocols/kerong-cu16/codec.js';
import { encodeCu48Unlock } from '../../hardware/protocols/kerong-cu48/codec.js';
import { openKiosk, viewsSeen } from './helpers/browser.js';
import { kioskSuite } from './helpers/kiosk-suite.js';

/**
 * A resident at the touch screen, in real Chromium, against the whole daemon on simulated boards: each test
 * checks what the page shows and the exact bytes the boards received.
 */

const hex = (b: Buffer): string => b.toString('hex');

async function typeOnKeypad(page: Page, digits: string): Promise<void> {
  for (const d of digits) await page.click(`.keypad button:text-is("${d}")`);
}

describe('resident at the kiosk (Chromium)', () => {
  const k = kioskSuite(async (rig) => {
    rig.addDocument({ id: 'A-1', phone: '600100200', code: '12345678' });
    rig.addDocument({ id: 'A-2', phone: '600100201', code: '87654321', size: 'L' });
    rig.addDocument({ id: 'A-3', phone: '600100203', code: '33334444' });
    rig.addDocument({ id: 'A-4', phone: '600100204', code: '44445555', expiresAt: new Date(Date.now() + 60 * 60_000).toISOString() });
    expect(await rig.load('A-1')).toBe(1);
    expect(await rig.load('A-2')).toBe(9);
    expect(await rig.load('A-4')).toBe(2);
    // A-4's pickup date passes while it waits in its compartment (A-3 was never loaded).
    rig.daemon.store.db.prepare("UPDATE authorization SET expires_at = '2020-01-01T00:00:00Z' WHERE id = 'A-4'").run();
    rig.resetFrames();
  });

  it('collects by typing: phone on the physical keypad, code on the screen; the screen shows which compartment, then the receipt', async () => {
    const { page, errors } = await openKiosk(k.browser, k.rig.url);
    await page.click('#start');
    await page.keyboard.type('600100200'); // the phone field has the focus; when full, the code field takes it
    await typeOnKeypad(page, '12345678');
    await page.click('#submit');

    await page.waitForSelector('body[data-view="open"]');
    expect(await page.textContent('#title')).toBe('Skrytka nr 1 jest otwarta');
    expect(await page.textContent('#position')).toBe('Kolumna 1 od lewej, 1. skrytka od góry (z 4).');
    expect(await page.getAttribute('.locker .box.marked', 'data-compartment')).toBe('1');
    expect(k.rig.unlockFrames()).toEqual([hex(encodeCu48Unlock(0, 1))]);

    k.rig.closeDoor(1);
    await page.waitForSelector('body[data-view="done"]');
    const receipt = k.rig.daemon.store.db.prepare("SELECT id FROM receipt WHERE authorization_id = 'A-1'").get() as { id: string };
    expect(await page.getAttribute('#receipt', 'alt')).toBe(`Kod QR potwierdzenia odbioru ${receipt.id}`);
    expect(await page.getAttribute('#receipt', 'src')).toMatch(/^data:image\/svg\+xml/);
    const views = (await viewsSeen(page)).map((v) => v.split('|')[0]);
    expect(views.slice(views.indexOf('checking'))).toEqual(['checking', 'opening', 'open', 'done']);
    expect(await viewsSeen(page)).toContain('opening|Skrytka nr 1 otwiera się…');
    expect(k.rig.unlockFrames()).toHaveLength(1); // shutting the door sent nothing
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('collects by QR scan typed by the scanner while the focus is in the phone field, in English', async () => {
    const { page, errors } = await openKiosk(k.browser, k.rig.url);
    await page.click('#lang');
    expect(await page.textContent('#title')).toBe('Collect your documents');
    await page.click('#start');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('phone');
    const before = k.rig.unlockFrames().length;
    await page.keyboard.type('URZ1;czestochowa-focha-1;600100201;87654321');
    await page.keyboard.press('Enter');

    await page.waitForSelector('body[data-view="open"]');
    expect(await page.textContent('#title')).toBe('Compartment 9 is open');
    expect(await page.textContent('#position')).toBe('Column 3 from the left, compartment 1 from the top (of 4).');
    expect(k.rig.unlockFrames().slice(before)).toEqual([hex(encodeCu16Unlock(1, 1))]);
    k.rig.closeDoor(9);
    await page.waitForSelector('body[data-view="done"]');
    expect(await page.textContent('#title')).toBe('Thank you, document collected');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a wrong code: says so and what to do, in both languages, and nothing is unlocked', async () => {
    const { page } = await openKiosk(k.browser, k.rig.url);
    const before = k.rig.unlockFrames().length;
    await page.click('#start');
    await typeOnKeypad(page, '600100200');
    await typeOnKeypad(page, '99999999');
    await page.click('#submit');
    await page.waitForSelector('body[data-view="problem"]');
    expect(await page.textContent('#title')).toBe('Nieprawidłowy numer telefonu lub kod');
    expect(await page.textContent('#problem-text')).toContain('spróbuj ponownie');
    await page.click('#lang');
    expect(await page.textContent('#title')).toBe('Wrong phone number or code');
    await page.click('#retry');
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('enter');
    expect(k.rig.unlockFrames().length).toBe(before);
    await page.context().close();
  });

  it('a document not loaded yet and one past its pickup date: each says what to do next; nothing is unlocked', async () => {
    const { page } = await openKiosk(k.browser, k.rig.url);
    const before = k.rig.unlockFrames().length;
    await page.click('#start');
    await page.keyboard.type('600100203');
    await page.keyboard.type('33334444');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#problem-text[data-problem="notLoaded"]');
    expect(await page.textContent('#problem-text')).toContain('Wyślemy SMS');

    expect(await page.$('#retry')).toBeNull(); // trying again would not help: back to the start instead
    await page.click('#finish');
    await page.click('#start');
    await page.keyboard.type('600100204');
    await page.keyboard.type('44445555');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#problem-text[data-problem="expired"]');
    expect(await page.textContent('#problem-text')).toContain('Urząd Stanu Cywilnego w Częstochowie');
    await page.click('#hours');
    await page.waitForSelector('body[data-view="info"]');
    expect(k.rig.unlockFrames().length).toBe(before);
    await page.context().close();
  });
});

describe('resident locked out after five wrong codes (Chromium)', () => {
  const k = kioskSuite();

  it('five wrong codes, then the lockout with the time left; the right code does not open anything meanwhile', async () => {
    k.rig.addDocument({ id: 'A-9', phone: '600100209', code: '12121212' });
    await k.rig.load('A-9');
    k.rig.resetFrames();
    const { page } = await openKiosk(k.browser, k.rig.url);
    const wrong = async (code: string): Promise<string> => {
      await page.click(await page.$('#retry') !== null ? '#retry' : '#start');
      await page.keyboard.type('600100209');
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
      await page.waitForSelector('body[data-view="problem"]');
      return (await page.getAttribute('#problem-text', 'data-problem'))!;
    };
    for (let i = 0; i < 5; i++) expect(await wrong(`0000000${i}`)).toBe('wrong');
    expect(await wrong('00000009')).toBe('locked');
    expect(await page.textContent('#title')).toBe('Zbyt wiele błędnych prób');
    const text = (await page.textContent('#problem-text'))!;
    expect(text).toMatch(/Spróbuj ponownie za 1[45] min \d+ s\./);
    // The countdown runs in place.
    await page.waitForFunction((t) => document.getElementById('problem-text')?.textContent !== t, text, { timeout: 5_000 });
    expect(await page.$('#retry')).toBeNull();
    await page.click('#finish');
    await page.click('#start');
    await page.keyboard.type('600100209');
    await page.keyboard.type('12121212');
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-view="problem"]');
    expect(await page.getAttribute('#problem-text', 'data-problem')).toBe('locked');
    expect(k.rig.unlockFrames()).toEqual([]);
    await page.context().close();
  });
});
