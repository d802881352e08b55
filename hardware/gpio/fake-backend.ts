import type { GpioBackend, InputLine, Level, OutputLine } from './backend.js';

/** GPIO in memory: tests (and the demo) set input levels and read what the program wrote to outputs. */
export class FakeGpio implements GpioBackend {
  readonly kind = 'fake' as const;
  private readonly levels = new Map<number, Level>();
  private readonly listeners = new Map<number, (level: Level) => void>();
  readonly outputs = new Map<number, Level>();

  /** Puts a level on an input pin, as a switch or a bounce would. */
  setInput(pin: number, level: Level): void {
    this.levels.set(pin, level);
    this.listeners.get(pin)?.(level);
  }

  input(pin: number, onEdge: (level: Level) => void): InputLine {
    this.listeners.set(pin, onEdge);
    return {
      read: () => this.levels.get(pin) ?? 0,
      close: () => this.listeners.delete(pin),
    };
  }

  output(pin: number): OutputLine {
    this.outputs.set(pin, 0);
    return {
      write: (level) => this.outputs.set(pin, level),
      close: () => undefined,
    };
  }
}
