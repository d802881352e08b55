import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoCode, startCliText } from '../helpers/cli.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';
import { launchChromium, openKiosk } from './helpers/browser.js';

/**
 * What the README tells a newcomer to do after `npm install && npm start`: the demo as a separate process, a
 * staff load and a resident pickup played in Chromium on the kiosk page, with the doors shut from the
 * simulator panel page, using only what the demo printed.
 */
describe('the npm start demo, played in the browser', () => {
  const t = tempDir();
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    t.cleanup();
  });

  it('staff load the first document, a resident collects it with the code from its printed text message, the panel shuts the doors', async () => {
    const kioskPort = randomKioskPort();
    const env = {
      URZEDOMAT_SIM_DIR: t.dir, URZEDOMAT_SIM_KIOSK_PORT: String(kioskPort), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
      URZEDOMAT_DEMO_DOORS_CLOSE_MS: '600000', // only the panel shuts doors here
    };
    const demo = await startCliText(['demo'], env, /Stop with Ctrl-C/, 120_000);
    try {
      const out = demo.stdout();
      const kioskUrl = /Kiosk \(the touch screen\): (http:\S+)/.exec(out)![1]!;
      const panelUrl = /Simulator panel \(shut the simulated doors\): (http:\S+)/.exec(out)![1]!;
      const pin = /Staff login: id S-1, PIN (\d{4})/.exec(out)![1]!;
      const [, phone, id] = /USC\.5362\.1\.2026 {2}phone (\d{9}) {2}id (\S+)/.exec(out)!;
      const code = await demoCode(demo.stdout, phone!);
      browser = await launchChromium();
      const { page, errors } = await openKiosk(browser, kioskUrl);
      const panel = await (await browser.newContext()).newPage();
      panel.setDefaultTimeout(8_000);
      await panel.goto(panelUrl);
      await panel.waitForSelector('#doors');
      expect(await panel.textContent('body')).toContain(`PIN ${pin}`);

      await page.click('#staff');
      await page.fill('#staffId', 'S-1');
      await page.fill('#pin', pin);
      await page.click('#submit');
      await page.waitForSelector('body[data-view="staffHome"]');
      // The office's documents arrive through the signed feed within a pull or two.
      for (let i = 0; i < 40 && await page.$(`#load-${id}`) === null; i++) {
        await page.waitForTimeout(250);
        await page.click('#refresh');
      }
      await page.click(`#load-${id}`);
      await page.waitForSelector('body[data-view="staffOpen"]');
      const n = Number(await page.getAttribute('.locker .box.marked', 'data-compartment'));
      await panel.click(`#close-${n}`);
      await page.waitForSelector('#message');
      expect(await page.textContent('#message')).toBe(`Dokument załadowany do skrytki nr ${n}.`);
      await page.click('#logout');

      await page.waitForTimeout(1_000); // the per-lock pause between two unlocks of one compartment
      await page.click('#start');
      await page.keyboard.type(phone!);
      await page.keyboard.type(code!);
      await page.keyboard.press('Enter');
      await page.waitForSelector('body[data-view="open"]');
      expect(await page.textContent('#title')).toBe(`Skrytka nr ${n} jest otwarta`);
      await panel.click(`#close-${n}`);
      await page.waitForSelector('#receipt');
      expect(errors).toEqual([]);
    } finally {
      demo.child.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);
  }, 180_000);
});
