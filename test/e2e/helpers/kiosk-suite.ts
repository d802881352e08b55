import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startKioskRig, type KioskRig } from '../../helpers/kiosk-rig.js';
import { launchChromium } from './browser.js';

/**
 * One Chromium and one daemon on simulated boards for the tests of a describe block: started before them
 * (then `setup` runs, to add documents and staff), stopped after them.
 */
export function kioskSuite(setup: (rig: KioskRig) => Promise<void> | void = () => undefined, mutate?: (raw: Record<string, any>) => void): { readonly browser: Browser; readonly rig: KioskRig } {
  const s = {} as { browser: Browser; rig: KioskRig };
  beforeAll(async () => {
    s.browser = await launchChromium();
    s.rig = await startKioskRig(mutate);
    await setup(s.rig);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.rig?.stop();
  });
  return s;
}
