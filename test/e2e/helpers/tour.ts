import type { Browser, Page, Route } from 'playwright-core';
import type { SimulatedTransport } from '../../../hardware/sim/sim-transport.js';
import { openKiosk } from './browser.js';
import { startKioskRig, type KioskRig } from '../../helpers/kiosk-rig.js';

/**
 * A walk through every screen of the kiosk in one language, against the daemon on simulated boards, stopping
 * at each: the accessibility test runs axe there, the screenshot script takes a picture. Brief screens are
 * held on purpose (the pickup request held back for "checking", a stuck latch for "opening").
 */
export type Stop = (name: string, page: Page) => Promise<void>;

export const residentScreens = [
  'welcome', 'info', 'enter', 'wrong-code', 'not-loaded', 'expired', 'checking', 'open', 'door-reminder', 'receipt',
  'opening', 'did-not-open', 'locked-out', 'out-of-service',
] as const;
export const staffScreens = ['staff-login', 'staff-lists', 'staff-load-open', 'staff-fault'] as const;

async function typePickup(page: Page, phone: string, code: string): Promise<void> {
  await page.click('#start');
  await page.keyboard.type(phone);
  await page.keyboard.type(code);
}

async function view(page: Page, name: string, timeout = 8_000): Promise<void> {
  await page.waitForSelector(`body[data-view="${name}"]`, { timeout });
}

export async function tour(browser: Browser, lang: 'pl' | 'en', stop: Stop, o: { deviceScaleFactor?: number } = {}): Promise<void> {
  const rig: KioskRig = await startKioskRig((raw) => {
    raw.doors = { leftOpenAfterS: 10 };
    raw.bus.unlockConfirmTimeoutMs = 2_500;
  });
  try {
    rig.addStaff('S-1', '4321');
    rig.addDocument({ id: 'A-1', phone: '600100201', code: '11112222' });
    rig.addDocument({ id: 'A-2', phone: '600100202', code: '22223333' });
    rig.addDocument({ id: 'A-3', phone: '600100203', code: '33334444', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    rig.addDocument({ id: 'A-4', phone: '600100204', code: '44445555', size: 'L' });
    rig.addDocument({ id: 'A-5', phone: '600100205', code: '55556666', size: 'M' });
    rig.addDocument({ id: 'A-6', phone: '600100206', code: '66667777', documentType: 'odpis-zupelny-aktu-malzenstwa' });
    await rig.load('A-1');
    await rig.load('A-3');
    await rig.load('A-4');
    rig.daemon.store.db.prepare("UPDATE authorization SET expires_at = '2020-01-01T00:00:00Z' WHERE id = 'A-3'").run();

    const { page } = await openKiosk(browser, rig.url, o);
    const back = (): Promise<void> => page.click('#finish');
    if (lang === 'en') await page.click('#lang');
    await stop('welcome', page);

    await page.click('#info');
    await view(page, 'info');
    await stop('info', page);
    await page.click('#back');

    await typePickup(page, '600100201', '1111');
    await stop('enter', page);
    await page.click('.keypad button:text-is("Wyczyść"), .keypad button:text-is("Clear")');

    await page.click('#cancel');
    await typePickup(page, '600100201', '99999999');
    await page.keyboard.press('Enter');
    await view(page, 'problem');
    await stop('wrong-code', page);
    await back();

    await typePickup(page, '600100202', '22223333');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-problem="notLoaded"]');
    await stop('not-loaded', page);
    await back();

    await typePickup(page, '600100203', '33334444');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-problem="expired"]');
    await stop('expired', page);
    await back();

    // Checking: the request is held back until the picture is taken.
    let held: Route | undefined;
    await page.route('**/api/pickup', (r) => { held = r; });
    await typePickup(page, '600100201', '11112222');
    await page.keyboard.press('Enter');
    await view(page, 'checking');
    while (held === undefined) await page.waitForTimeout(20);
    await stop('checking', page);
    await held.continue();
    await page.unroute('**/api/pickup');
    await view(page, 'open');
    await stop('open', page);
    await view(page, 'reminding', 15_000); // the door left open 10 s
    await stop('door-reminder', page);
    rig.closeDoor(1);
    await view(page, 'done');
    await page.waitForSelector('#receipt');
    await stop('receipt', page);
    await back();

    // Opening: the latch is stuck, so the screen says "opening" until the board's answer is given up on.
    const board = rig.daemon.simBus!.board(1);
    board.faults.stuckLatch = true;
    await typePickup(page, '600100204', '44445555');
    await page.keyboard.press('Enter');
    await view(page, 'opening');
    await stop('opening', page);
    await page.waitForSelector('[data-problem="failed"]', { timeout: 15_000 });
    await stop('did-not-open', page);
    board.faults.stuckLatch = false;
    await back();

    // Staff, before the resident lockout (their limits are separate, but the screens come back to the start).
    await page.click('#staff');
    await view(page, 'staffLogin');
    await page.fill('#staffId', 'S-1');
    await page.fill('#pin', '0000');
    await page.click('#submit');
    await page.waitForSelector('#message');
    await stop('staff-login', page);
    await page.fill('#staffId', 'S-1');
    await page.fill('#pin', '4321');
    await page.click('#submit');
    await view(page, 'staffHome');
    await stop('staff-lists', page);
    await page.click('#load-A-5');
    await view(page, 'staffOpen');
    await stop('staff-load-open', page);
    rig.closeDoor(Number(await page.getAttribute('.locker .box.marked', 'data-compartment')));
    await page.waitForSelector('#message');
    await page.click('#report-fault');
    await view(page, 'staffFault');
    await stop('staff-fault', page);
    await page.click('#back');
    await page.click('#logout');
    await view(page, 'welcome');

    for (let i = 0; i < 6; i++) {
      await typePickup(page, '600100206', `0000000${i}`);
      await page.keyboard.press('Enter');
      await view(page, 'problem');
      if (await page.getAttribute('#problem-text', 'data-problem') === 'locked') break;
      await back();
    }
    await page.waitForSelector('[data-problem="locked"]');
    await stop('locked-out', page);
    await back();

    (rig.daemon.hardware.transport as SimulatedTransport).setConnected(false);
    await view(page, 'outOfService');
    await stop('out-of-service', page);
    await page.context().close();
  } finally {
    await rig.stop();
  }
}

/** The simulator panel of the demo, for the same checks. */
export async function simPanelTour(browser: Browser, stop: Stop): Promise<void> {
  const rig = await startKioskRig();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(rig.url + 'sim');
    await page.waitForSelector('#doors');
    await stop('sim-panel', page);
    await context.close();
  } finally {
    await rig.stop();
  }
}
