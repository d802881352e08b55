import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/clock.js';
import { ErrorCodes, UrzError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Transport, TransportEvents } from './transport.js';

/** One open connection of a concrete transport. */
export interface Connection {
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectionHandlers {
  onData(chunk: Buffer): void;
  /** The connection ended by itself (cable pulled, bridge rebooted). */
  onLost(reason: string): void;
}

export interface ReconnectOptions {
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/**
 * The reconnect loop shared by the serial and TCP transports: after a failed open or a lost connection it
 * waits reconnectMinMs, doubling up to reconnectMaxMs, and tries again, until closed.
 */
export abstract class ReconnectingTransport extends EventEmitter<TransportEvents> implements Transport {
  abstract readonly description: string;
  private conn: Connection | undefined;
  private closed = false;
  private delayMs: number;
  private timer: unknown;

  protected constructor(
    protected readonly clock: Clock,
    protected readonly log: Logger,
    private readonly opts: ReconnectOptions,
  ) {
    super();
    this.delayMs = opts.reconnectMinMs;
  }

  protected abstract connect(handlers: ConnectionHandlers): Promise<Connection>;

  get isOpen(): boolean {
    return this.conn !== undefined;
  }

  async start(): Promise<void> {
    await this.attempt();
  }

  async write(bytes: Buffer): Promise<void> {
    const conn = this.conn;
    if (conn === undefined) throw new UrzError(ErrorCodes.TransportFailed, `${this.description} is not open`);
    try {
      await conn.write(bytes);
    } catch (e) {
      throw new UrzError(ErrorCodes.TransportFailed, `write to ${this.description} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) {
      await conn.close().catch(() => undefined);
      this.emit('state', { open: false, reason: 'closed' });
    }
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    let lostBeforeOpen = false;
    try {
      const conn = await this.connect({
        onData: (chunk) => this.emit('data', chunk),
        onLost: (reason) => {
          if (this.conn === undefined) {
            lostBeforeOpen = true;
            return;
          }
          this.conn = undefined;
          this.log.warn({ transport: this.description, reason }, 'bus connection lost; reconnecting');
          this.emit('state', { open: false, reason });
          this.schedule();
        },
      });
      if (this.closed || lostBeforeOpen) {
        await conn.close().catch(() => undefined);
        if (!this.closed) this.schedule();
        return;
      }
      this.conn = conn;
      this.delayMs = this.opts.reconnectMinMs;
      this.log.info({ transport: this.description }, 'bus connection open');
      this.emit('state', { open: true });
    } catch (e) {
      this.log.warn({ transport: this.description, err: (e as Error).message, retryInMs: this.delayMs }, 'bus connection failed');
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.opts.reconnectMaxMs);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, wait);
  }
}
