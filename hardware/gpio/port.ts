import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/clock.js';
import type { GpioBackend, InputLine, Level, OutputLine } from './backend.js';

export type InputName = 'tamper' | 'powerFail';
export type OutputName = 'statusLight' | 'buzzer' | 'nightLight';

export interface PinConfig {
  readonly pin: number;
  /** The pin reads 0 when the signal is active (a switch to ground with a pull-up). */
  readonly activeLow: boolean;
}

export interface GpioConfig {
  readonly debounceMs: number;
  readonly inputs: Partial<Record<InputName, PinConfig>>;
  readonly outputs: Partial<Record<OutputName, PinConfig>>;
}

export interface GpioEvents {
  /** A debounced input changed: `active` is the signal, after polarity (tamper: service door open). */
  input: [change: { name: InputName; active: boolean }];
}

interface Input {
  readonly line: InputLine;
  readonly cfg: PinConfig;
  stable: Level;
  timer: unknown;
}

/**
 * The locker's pins by name. Inputs are debounced on the injected clock: a level must hold for debounceMs
 * before it counts, so a bouncing switch gives one change. Outputs are set by name, polarity applied.
 */
export class GpioPort extends EventEmitter<GpioEvents> {
  private readonly inputs = new Map<InputName, Input>();
  private readonly outputs = new Map<OutputName, { line: OutputLine; cfg: PinConfig; on: boolean }>();

  constructor(readonly backend: GpioBackend, private readonly cfg: GpioConfig, private readonly clock: Clock) {
    super();
    for (const [name, pin] of Object.entries(cfg.inputs) as [InputName, PinConfig | undefined][]) {
      if (pin === undefined) continue;
      const line = backend.input(pin.pin, (level) => this.onEdge(name, level));
      this.inputs.set(name, { line, cfg: pin, stable: line.read(), timer: undefined });
    }
    for (const [name, pin] of Object.entries(cfg.outputs) as [OutputName, PinConfig | undefined][]) {
      if (pin === undefined) continue;
      const line = backend.output(pin.pin);
      this.outputs.set(name, { line, cfg: pin, on: false });
      line.write(pin.activeLow ? 1 : 0);
    }
  }

  /** undefined when the input is not wired. */
  isActive(name: InputName): boolean | undefined {
    const i = this.inputs.get(name);
    return i === undefined ? undefined : this.activeOf(i.cfg, i.stable);
  }

  /** Returns false when the output is not wired. */
  set(name: OutputName, on: boolean): boolean {
    const o = this.outputs.get(name);
    if (o === undefined) return false;
    o.on = on;
    o.line.write((on !== o.cfg.activeLow ? 1 : 0) as Level);
    return true;
  }

  wired(): { inputs: InputName[]; outputs: OutputName[] } {
    return { inputs: [...this.inputs.keys()], outputs: [...this.outputs.keys()] };
  }

  close(): void {
    for (const i of this.inputs.values()) {
      if (i.timer !== undefined) this.clock.clearTimeout(i.timer);
      i.line.close();
    }
    for (const [name, o] of this.outputs) {
      this.set(name, false);
      o.line.close();
    }
  }

  private onEdge(name: InputName, _level: Level): void {
    const i = this.inputs.get(name);
    if (i === undefined) return;
    if (i.timer !== undefined) this.clock.clearTimeout(i.timer);
    i.timer = this.clock.setTimeout(() => {
      i.timer = undefined;
      const level = i.line.read();
      if (level === i.stable) return;
      i.stable = level;
      this.emit('input', { name, active: this.activeOf(i.cfg, level) });
    }, this.cfg.debounceMs);
  }

  private activeOf(cfg: PinConfig, level: Level): boolean {
    return cfg.activeLow ? level === 0 : level === 1;
  }
}
