/**
 * `npm run screenshots`: a picture of every kiosk screen in Polish and English (and the simulator panel),
 * taken in Chromium on the same walk the accessibility test makes, written to docs/screenshots/ with an index
 * page docs/SCREENS.md. Pictures are half the kiosk's 1080x1920 resolution to keep the repository small.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { launchChromium } from './helpers/browser.js';
import { residentScreens, simPanelTour, staffScreens, tour } from './helpers/tour.js';

const outDir = process.argv[2] ?? join(packageRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const browser = await launchChromium();
const taken: string[] = [];
try {
  for (const lang of ['pl', 'en'] as const) {
    await tour(browser, lang, async (screen, page) => {
      // No caret blinking or spinner turning in the pictures.
      await page.addStyleTag({ content: '*{animation:none!important;caret-color:transparent!important}' }).catch(() => undefined);
      const file = `${lang}-${screen}.png`;
      await page.screenshot({ path: join(outDir, file) });
      taken.push(file);
    }, { deviceScaleFactor: 0.5 });
  }
  await simPanelTour(browser, async (screen, page) => {
    await page.screenshot({ path: join(outDir, `${screen}.png`), fullPage: true });
    taken.push(`${screen}.png`);
  });
} finally {
  await browser.close();
}

const row = (screens: readonly string[]): string => screens.map((s) => `| ${s} | ![${s}, Polish](screenshots/pl-${s}.png) | ![${s}, English](screenshots/en-${s}.png) |`).join('\n');
writeFileSync(join(outDir, '..', 'SCREENS.md'), `# The kiosk's screens

Made by \`npm run screenshots\` (test/e2e/screenshots.ts) in Chromium at half the kiosk's 1080x1920, on the same
walk through the screens as the accessibility test (test/e2e/accessibility.test.ts). Regenerate them after any
change to the page.

## Resident

| screen | Polski | English |
|---|---|---|
${row(residentScreens)}

## Staff

| screen | Polski | English |
|---|---|---|
${row(staffScreens)}

## Simulator panel (demo only)

![simulator panel](screenshots/sim-panel.png)
`);
process.stdout.write(`${taken.length} screenshots in ${outDir}\n`);
