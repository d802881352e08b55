import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { kioskViewport } from './helpers/browser.js';
import { kioskSuite } from './helpers/kiosk-suite.js';

/** How the screen behaves over time and at the keyboard, with the page's clock under the test's control. */
describe('kiosk screen behaviour (Chromium)', () => {
  const k = kioskSuite();

  async function kioskAt(time: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await k.browser.newContext({ viewport: kioskViewport, timezoneId: 'Europe/Warsaw' });
    await context.clock.install({ time: new Date(time) });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    await page.goto(k.rig.url);
    await page.waitForSelector('body[data-view="welcome"]');
    return { context, page };
  }

  it('the audible cue sounds by day and is muted in the quiet hours (22:00-07:00 by default)', async () => {
    const night = await kioskAt('2026-11-25T23:30:00+01:00');
    await night.page.click('#start');
    await night.page.click('.keypad button:text-is("6")');
    expect(await night.page.evaluate(() => document.body.dataset.cue)).toBe('key:muted');
    await night.context.close();

    const day = await kioskAt('2026-11-25T10:00:00+01:00');
    await day.page.click('#start');
    await day.page.click('.keypad button:text-is("6")');
    expect(await day.page.evaluate(() => document.body.dataset.cue)).toBe('key');
    await day.context.close();
  });

  it('a resident typing is never timed out sooner than a minute; after 90 s untouched the screen starts over, in Polish', async () => {
    const { context, page } = await kioskAt('2026-11-25T10:00:00+01:00');
    await page.click('#lang');
    await page.click('#start');
    await page.keyboard.type('6001');
    await page.clock.runFor(59_000);
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('enter');
    expect(await page.inputValue('#phone')).toBe('6001');
    await page.keyboard.type('0');
    await page.clock.runFor(89_000); // a touch restarts the wait
    expect(await page.evaluate(() => document.body.dataset.view)).toBe('enter');
    await page.clock.runFor(2_000);
    await page.waitForSelector('body[data-view="welcome"]');
    expect(await page.textContent('#title')).toBe('Odbiór dokumentów z urzędu');
    await context.close();
  });

  it('keys that only looked like the start of a scan reach the field after all', async () => {
    const { context, page } = await kioskAt('2026-11-25T10:00:00+01:00');
    await page.click('#staff');
    await page.click('#staffId');
    await page.keyboard.type('UR5-2');
    expect(await page.inputValue('#staffId')).toBe('UR5-2');
    await context.close();
  });

  it('opened as the kiosk unit opens it (/?kiosk=1), the page shows no mouse pointer', async () => {
    const context = await k.browser.newContext({ viewport: kioskViewport });
    const page = await context.newPage();
    await page.goto(k.rig.url + '?kiosk=1');
    await page.waitForSelector('body[data-view="welcome"]');
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('start')!).cursor)).toBe('none');
    await page.goto(k.rig.url);
    await page.waitForSelector('body[data-view="welcome"]');
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('start')!).cursor)).toBe('pointer');
    await context.close();
  });

  it('controls are reachable in order with Tab and show a visible focus ring', async () => {
    const { context, page } = await kioskAt('2026-11-25T10:00:00+01:00');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('start');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow };
    });
    expect(ring.outline).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(3);
    expect(ring.shadow).not.toBe('none');
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(order).toEqual(['lang', 'info', 'staff']);
    await page.keyboard.press('Enter'); // the staff button, by keyboard
    await page.waitForSelector('body[data-view="staffLogin"]');
    await context.close();
  });
});
