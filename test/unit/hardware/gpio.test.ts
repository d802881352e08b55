import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { findChipBase } from '../../../hardware/gpio/chip-base.js';
import { FakeGpio } from '../../../hardware/gpio/fake-backend.js';
import { GpioPort, type GpioConfig } from '../../../hardware/gpio/port.js';
import { selectGpioBackend } from '../../../hardware/gpio/select.js';
import { ErrorCodes } from '../../../src/errors.js';
import { tempDir } from '../../helpers/fixtures.js';
import { ManualClock } from '../../helpers/manual-clock.js';

let t: ReturnType<typeof tempDir> | undefined;
afterEach(() => t?.cleanup());

function sysfs(chips: Record<string, { label: string; base: number }>): string {
  t = tempDir();
  for (const [name, c] of Object.entries(chips)) {
    mkdirSync(join(t.dir, name));
    writeFileSync(join(t.dir, name, 'label'), c.label + '\n');
    writeFileSync(join(t.dir, name, 'base'), `${c.base}\n`);
  }
  return t.dir;
}

describe('GPIO chip base', () => {
  it('finds the Pi 4 controller among other chips (kernel 6.6: base 512, so GPIO17 is 529)', () => {
    const dir = sysfs({ gpiochip504: { label: 'raspberrypi-exp-gpio', base: 504 }, gpiochip512: { label: 'pinctrl-bcm2711', base: 512 } });
    expect(findChipBase(dir)).toEqual({ base: 512, label: 'pinctrl-bcm2711', chip: 'gpiochip512' });
  });

  it('finds the Pi 5 RP1 controller at whatever base it has', () => {
    const dir = sysfs({ gpiochip0: { label: 'gpio-brcmstb@107d508500', base: 0 }, gpiochip571: { label: 'pinctrl-rp1', base: 571 } });
    expect(findChipBase(dir).base).toBe(571);
  });

  it('finds an older kernel’s bcm2835 controller at base 0', () => {
    expect(findChipBase(sysfs({ gpiochip0: { label: 'pinctrl-bcm2835', base: 0 } })).base).toBe(0);
  });

  it('fails with GPIO_UNAVAILABLE when no Raspberry Pi controller is present', () => {
    const dir = sysfs({ gpiochip0: { label: 'some-expander', base: 0 } });
    expect(() => findChipBase(dir)).toThrow(expect.objectContaining({ code: ErrorCodes.GpioUnavailable }));
    expect(() => findChipBase(join(dir, 'absent'))).toThrow(expect.objectContaining({ code: ErrorCodes.GpioUnavailable }));
  });
});

describe('GPIO port', () => {
  const cfg: GpioConfig = {
    debounceMs: 50,
    inputs: { tamper: { pin: 17, activeLow: true }, powerFail: { pin: 27, activeLow: false } },
    outputs: { statusLight: { pin: 22, activeLow: false }, buzzer: { pin: 23, activeLow: true } },
  };

  it('debounces a bouncing switch into one change, after polarity', () => {
    const clock = new ManualClock();
    const fake = new FakeGpio();
    fake.setInput(17, 1); // pulled up: service door closed
    const port = new GpioPort(fake, cfg, clock);
    const changes: unknown[] = [];
    port.on('input', (c) => changes.push(c));
    expect(port.isActive('tamper')).toBe(false);
    for (const level of [0, 1, 0, 1, 0] as const) {
      fake.setInput(17, level);
      clock.advance(10);
    }
    expect(changes).toEqual([]);
    clock.advance(50);
    expect(changes).toEqual([{ name: 'tamper', active: true }]);
    expect(port.isActive('tamper')).toBe(true);
    // A glitch shorter than the debounce time changes nothing.
    fake.setInput(17, 1);
    clock.advance(20);
    fake.setInput(17, 0);
    clock.advance(100);
    expect(changes).toHaveLength(1);
  });

  it('drives outputs by name with their polarity, and switches them off on close', () => {
    const fake = new FakeGpio();
    const port = new GpioPort(fake, cfg, new ManualClock());
    expect(fake.outputs.get(23)).toBe(1); // active-low buzzer starts silent
    expect(port.set('statusLight', true)).toBe(true);
    expect(port.set('buzzer', true)).toBe(true);
    expect(fake.outputs.get(22)).toBe(1);
    expect(fake.outputs.get(23)).toBe(0);
    expect(port.set('nightLight', true)).toBe(false);
    port.close();
    expect(fake.outputs.get(22)).toBe(0);
    expect(fake.outputs.get(23)).toBe(1);
  });

  it('falls back to the fake backend where GPIO is not accessible, and says so once', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const backend = await selectGpioBackend(logger, '/nonexistent');
    expect(backend.kind).toBe('fake');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(/fake GPIO backend/);
  });
});
