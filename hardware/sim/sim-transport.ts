import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/clock.js';
import { ErrorCodes, UrzError } from '../../src/errors.js';
import { wireMs, type Transport, type TransportEvents } from '../transport/transport.js';
import type { SimulatedBus } from './sim-bus.js';

export interface SimTransportOptions {
  /** The line speed whose wire time is simulated: bytes arrive only after they would have crossed the wire. */
  readonly baudRate: number;
  /** The boards' processing time before they start to answer. */
  readonly replyDelayMs: number;
}

/**
 * The in-process transport of the simulated locker. It models the half-duplex line's timing: a request
 * reaches the boards after its wire time, and a reply comes back after the boards' delay plus its own wire
 * time, so the bus and its benchmark see realistic durations.
 */
export class SimulatedTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  private open = false;
  private lineFreeAt = 0;

  constructor(readonly simBus: SimulatedBus, private readonly opts: SimTransportOptions, private readonly clock: Clock) {
    super();
    this.description = `simulated bus @${opts.baudRate}`;
  }

  get isOpen(): boolean {
    return this.open;
  }

  start(): Promise<void> {
    this.setConnected(true);
    return Promise.resolve();
  }

  /** Plugs the simulated cable in or out. */
  setConnected(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    this.emit('state', open ? { open: true } : { open: false, reason: 'simulated cable pulled' });
  }

  write(bytes: Buffer): Promise<void> {
    if (!this.open) return Promise.reject(new UrzError(ErrorCodes.TransportFailed, `${this.description} is not open`));
    const now = this.clock.monoMs();
    const start = Math.max(now, this.lineFreeAt);
    const arrives = start + wireMs(bytes.length, this.opts.baudRate);
    this.lineFreeAt = arrives;
    const copy = Buffer.from(bytes);
    this.at(arrives, () => {
      this.simBus.receive(copy, (reply) => {
        const sendAt = Math.max(this.clock.monoMs() + this.opts.replyDelayMs + reply.extraDelayMs, this.lineFreeAt);
        const done = sendAt + wireMs(reply.bytes.length, this.opts.baudRate);
        this.lineFreeAt = done;
        this.at(done, () => {
          if (this.open) this.emit('data', reply.bytes);
        });
      });
    });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.setConnected(false);
    return Promise.resolve();
  }

  private at(monoMs: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(0, Math.round(monoMs - this.clock.monoMs())));
  }
}
