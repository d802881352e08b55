import type { Logger } from '../../src/log.js';
import type { GpioBackend } from './backend.js';
import { findChipBase } from './chip-base.js';
import { FakeGpio } from './fake-backend.js';

/**
 * The onoff backend where the machine has GPIO, else the fake one, said once in the log. onoff (and its
 * native epoll addon) is loaded only here, so machines without GPIO never touch it.
 */
export async function selectGpioBackend(logger: Logger, sysfsRoot = '/sys/class/gpio'): Promise<GpioBackend> {
  const { Gpio } = await import('onoff');
  if (!Gpio.accessible) {
    logger.warn('GPIO is not accessible on this machine: using the fake GPIO backend (no tamper switch, lights or buzzer)');
    return new FakeGpio();
  }
  try {
    const { base, label, chip } = findChipBase(sysfsRoot);
    logger.info({ base, label, chip }, 'GPIO chip found');
    const { OnoffBackend } = await import('./onoff-backend.js');
    return new OnoffBackend(Gpio, base);
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'GPIO chip not found: using the fake GPIO backend');
    return new FakeGpio();
  }
}
