import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoCode, startCliText } from '../helpers/cli.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';
import { launchChromium, openKiosk } from './helpers/browser.js';
import { openSimPanel, residentTypes, staffLoad } from './helpers/demo-kiosk.js';

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
      const panel = await openSimPanel(browser, panelUrl);
      expect(await panel.textContent('body')).toContain(`PIN ${pin}`);

      // The office's documents arrive through the signed feed within a pull or two.
      const n = await staffLoad(page, panel, { pin, id: id!, waitMs: 10_000 });
      expect(await page.textContent('#message')).toBe(`Dokument załadowany do skrytki nr ${n}.`);
      await page.click('#logout');

      await residentTypes(page, phone!, code);
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
