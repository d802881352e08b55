import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, kioskViewport, launchChromium } from './helpers/browser.js';
import { residentScreens, simPanelTour, staffScreens, tour } from './helpers/tour.js';

/**
 * Every screen, in Polish and in English, checked by axe-core (WCAG 2.2 A/AA rules and best practices): no
 * serious or critical issue. On the kiosk's portrait screen every control also sits in the lower half, and
 * every control can be reached with the keyboard.
 */

interface Finding { screen: string; problem: string }

async function controlsAboveTheMiddle(page: Page): Promise<string[]> {
  return page.evaluate((half) => [...document.querySelectorAll<HTMLElement>('button, input, a[href]')]
    .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().top < half)
    .map((el) => el.id || el.textContent || el.tagName), kioskViewport.height / 2);
}

async function notKeyboardReachable(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('button, input')]
    .filter((el) => el.offsetParent !== null && (el.tabIndex < 0 || (el as HTMLButtonElement).disabled))
    .map((el) => el.id || el.textContent || el.tagName));
}

describe('accessibility of every screen (Chromium + axe-core)', () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launchChromium(); });
  afterAll(async () => { await browser?.close(); });

  it.each(['pl', 'en'] as const)('every resident and staff screen in %s', async (lang) => {
    const findings: Finding[] = [];
    const seen: string[] = [];
    await tour(browser, lang, async (screen, page) => {
      seen.push(screen);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      for (const v of await axeViolations(page)) {
        if (v.impact === 'serious' || v.impact === 'critical') findings.push({ screen, problem: `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}` });
      }
      for (const c of await controlsAboveTheMiddle(page)) findings.push({ screen, problem: `control in the upper half: ${c}` });
      for (const c of await notKeyboardReachable(page)) findings.push({ screen, problem: `control not reachable by keyboard: ${c}` });
    });
    expect(findings).toEqual([]);
    expect(seen.sort()).toEqual([...residentScreens, ...staffScreens].sort());
  }, 120_000);

  it('the demo simulator panel', async () => {
    const findings: string[] = [];
    await simPanelTour(browser, async (_screen, page) => {
      for (const v of await axeViolations(page)) {
        if (v.impact === 'serious' || v.impact === 'critical') findings.push(`${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
      }
    });
    expect(findings).toEqual([]);
  });
});
