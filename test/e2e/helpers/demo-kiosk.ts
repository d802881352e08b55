import type { Browser, Page } from 'playwright-core';

/**
 * The steps of a demo's document at the kiosk, as the README tells them and every demo browser test plays them:
 * staff load it, the simulator panel shuts its door, a resident types phone and code.
 */

/** The demo's simulator panel (it shuts the simulated doors), in a context of its own. */
export async function openSimPanel(browser: Browser, url: string): Promise<Page> {
  const sim = await (await browser.newContext()).newPage();
  sim.setDefaultTimeout(8_000);
  await sim.goto(url);
  await sim.waitForSelector('#doors');
  return sim;
}

/**
 * Staff S-1 logs in and loads the office's document `id` once the locker's pull has brought it (it pulls every 5 s),
 * and the panel shuts the door; the kiosk then shows the load's message. Returns the compartment.
 */
export async function staffLoad(kiosk: Page, sim: Page, o: { pin: string; id: string; waitMs?: number }): Promise<number> {
  await kiosk.click('#staff');
  await kiosk.fill('#staffId', 'S-1');
  await kiosk.fill('#pin', o.pin);
  await kiosk.click('#submit');
  await kiosk.waitForSelector('body[data-view="staffHome"]');
  for (const end = Date.now() + (o.waitMs ?? 30_000); Date.now() < end && (await kiosk.$(`#load-${o.id}`)) === null; ) {
    await kiosk.waitForTimeout(250);
    await kiosk.click('#refresh');
  }
  await kiosk.click(`#load-${o.id}`);
  await kiosk.waitForSelector('body[data-view="staffOpen"]');
  const compartment = Number(await kiosk.getAttribute('.locker .box.marked', 'data-compartment'));
  await sim.click(`#close-${compartment}`);
  await kiosk.waitForSelector('#message');
  return compartment;
}

/** After the per-lock pause between two unlocks of one compartment, the resident types phone and code. */
export async function residentTypes(kiosk: Page, phone: string, code: string): Promise<void> {
  await kiosk.waitForTimeout(1_000);
  await kiosk.click('#start');
  await kiosk.keyboard.type(phone);
  await kiosk.keyboard.type(code);
  await kiosk.keyboard.press('Enter');
  await kiosk.waitForSelector('body[data-view="open"]');
}
