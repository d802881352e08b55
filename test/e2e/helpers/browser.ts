import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, installed by .ci/run; Playwright's own browser downloads are not used. */
export const chromiumPath = process.env.URZEDOMAT_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The locker's screen: portrait 1080x1920. */
export const kioskViewport = { width: 1080, height: 1920 };

/** A fresh page on the kiosk, with page errors collected so a test can assert there were none. */
export async function openKiosk(browser: Browser, url: string, o: { deviceScaleFactor?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: kioskViewport, deviceScaleFactor: o.deviceScaleFactor ?? 1 });
  const page = await context.newPage();
  // Every screen the page showed, with its title, in order: brief ones ("Skrytka nr 7 otwiera się…") included.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __views: string[] }).__views = seen;
    document.addEventListener('DOMContentLoaded', () => {
      new MutationObserver(() => seen.push(`${document.body.dataset.view}|${document.getElementById('title')?.textContent ?? ''}`))
        .observe(document.body, { attributes: true, attributeFilter: ['data-view'], childList: false });
    });
  });
  // Fail an action within the test's own timeout, with Playwright's message naming what it waited for.
  page.setDefaultTimeout(8_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('body[data-view="welcome"]');
  await page.waitForSelector('body[data-live="up"]');
  return { page, errors };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: string[] }

/** Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the page's own Content-Security-Policy (no inline scripts) stays on.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

/** The screens shown so far, as `view|title`. */
export function viewsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { __views: string[] }).__views]);
}
