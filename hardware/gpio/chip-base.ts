import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, UrzError } from '../../src/errors.js';

/** Labels of the Raspberry Pi's main GPIO controller: Pi 4, Pi 3 and earlier, Pi 5. */
export const piGpioLabels = ['pinctrl-bcm2711', 'pinctrl-bcm2835', 'pinctrl-rp1'] as const;

/**
 * The sysfs number of BCM pin 0. Since kernel 6.6 it is no longer 0 (GPIO17 is 529 on a Pi 4, and the base
 * on a Pi 5 is not fixed), so it is read from /sys/class/gpio/gpiochip*\/{label,base}, never assumed.
 */
export function findChipBase(sysfsRoot = '/sys/class/gpio'): { base: number; label: string; chip: string } {
  let entries: string[];
  try {
    entries = readdirSync(sysfsRoot).filter((e) => e.startsWith('gpiochip'));
  } catch (e) {
    throw new UrzError(ErrorCodes.GpioUnavailable, `cannot read ${sysfsRoot}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  for (const chip of entries.sort()) {
    try {
      const label = readFileSync(join(sysfsRoot, chip, 'label'), 'utf8').trim();
      if ((piGpioLabels as readonly string[]).includes(label)) {
        const base = Number(readFileSync(join(sysfsRoot, chip, 'base'), 'utf8').trim());
        if (Number.isInteger(base) && base >= 0) return { base, label, chip };
      }
    } catch {
      // a chip without label or base is not the one we want
    }
  }
  throw new UrzError(ErrorCodes.GpioUnavailable, `no GPIO chip labelled ${piGpioLabels.join(', ')} in ${sysfsRoot}`);
}
