import type { Gpio as OnoffGpio } from 'onoff';
import type { GpioBackend, InputLine, OutputLine } from './backend.js';

/** Real pins through onoff (sysfs), offset by the chip base found at start. */
export class OnoffBackend implements GpioBackend {
  readonly kind = 'onoff' as const;

  constructor(private readonly Gpio: typeof OnoffGpio, private readonly base: number) {}

  input(pin: number, onEdge: (level: 0 | 1) => void): InputLine {
    const g = new this.Gpio(this.base + pin, 'in', 'both');
    g.watch((err, value) => {
      if (!err) onEdge(value);
    });
    return {
      read: () => g.readSync(),
      close: () => {
        g.unwatchAll();
        g.unexport();
      },
    };
  }

  output(pin: number): OutputLine {
    const g = new this.Gpio(this.base + pin, 'out');
    return {
      write: (level) => g.writeSync(level),
      close: () => g.unexport(),
    };
  }
}
