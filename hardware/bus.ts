import { EventEmitter } from 'node:events';
import type { Clock } from '../src/clock.js';
import { ErrorCodes, UrzError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { FrameLog } from './frame-log.js';
import type { Discard, FrameDecoder } from './protocols/frame-decoder.js';
import { isRequestFrame, type BusFrame } from './protocols/index.js';
import type { Transport } from './transport/transport.js';

/** Lower runs first: an unlock waits for at most the transaction in flight, never for queued polls. */
export const Priority = { Unlock: 0, Status: 1, Maintenance: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface BusOptions {
  readonly replyTimeoutMs: number;
  readonly interFrameGapMs: number;
  readonly statusRetries: number;
}

export interface BusStats {
  txFrames: number;
  rxFrames: number;
  timeouts: number;
  retries: number;
  echoes: number;
  unsolicited: number;
  discardedBytes: number;
}

export interface BusEvents {
  /** Bytes handed to the line, with the monotonic time just before the write. */
  tx: [bytes: Buffer, atMono: number];
  frame: [frame: BusFrame];
  discard: [discard: Discard];
}

interface Job {
  readonly bytes: Buffer;
  readonly priority: Priority;
  readonly match: ((f: BusFrame) => boolean) | undefined;
  retriesLeft: number;
  resolve(f: BusFrame | undefined): void;
  reject(e: UrzError): void;
}

interface Waiter {
  readonly match: (f: BusFrame) => boolean;
  resolve(f: BusFrame): void;
  reject(e: UrzError): void;
}

/**
 * One half-duplex RS-485 bus. One request in flight; queued by priority; the reply waiter is armed before
 * the bytes are written; a silent gap after every transaction; status polls may be retried, unlocks never
 * (a CU48 does not answer an unlock, so its result is read back by a status poll, not by resending).
 * When the line closes, the request in flight and every queued one are rejected, not left hanging.
 */
export class Bus extends EventEmitter<BusEvents> {
  readonly stats: BusStats = { txFrames: 0, rxFrames: 0, timeouts: 0, retries: 0, echoes: 0, unsolicited: 0, discardedBytes: 0 };
  readonly log = new FrameLog(256);
  private readonly queues: Job[][] = [[], [], []];
  private busy = false;
  private closed = false;
  private waiter: Waiter | undefined;
  private lastTx: Buffer | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly decoder: FrameDecoder<BusFrame>,
    private readonly opts: BusOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    transport.on('data', (chunk) => {
      for (const f of decoder.feed(chunk)) this.onFrame(f);
    });
    decoder.on('discard', (d: Discard) => {
      this.stats.discardedBytes += d.bytes.length;
      this.log.add(this.clock.wallMs(), 'discard', d.bytes, d.reason);
      this.emit('discard', d);
    });
    transport.on('state', (s) => {
      if (!s.open) this.failAll(`bus connection closed: ${s.reason ?? 'unknown'}`);
    });
  }

  /** Sends a request and resolves with the first reply frame that `match` accepts. */
  query(bytes: Buffer, match: (f: BusFrame) => boolean, o: { priority?: Priority; retries?: number } = {}): Promise<BusFrame> {
    return new Promise<BusFrame | undefined>((resolve, reject) => {
      this.enqueue({ bytes, priority: o.priority ?? Priority.Status, match, retriesLeft: o.retries ?? this.opts.statusRetries, resolve, reject });
    }).then((f) => f!);
  }

  /**
   * Writes a command that gets no reply, once. Rejects with BUS_CLOSED when nothing was written (the line was
   * down), with TRANSPORT_FAILED when the write itself failed (whether bytes went out is then unknown).
   */
  send(bytes: Buffer, priority: Priority = Priority.Unlock): Promise<void> {
    return new Promise<BusFrame | undefined>((resolve, reject) => {
      this.enqueue({ bytes, priority, match: undefined, retriesLeft: 0, resolve, reject });
    }).then(() => undefined);
  }

  get queued(): number {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  /** Rejects everything and refuses new requests. */
  close(): void {
    this.closed = true;
    this.failAll('bus closed');
  }

  private enqueue(job: Job): void {
    if (this.closed) {
      job.reject(new UrzError(ErrorCodes.BusClosed, 'bus closed'));
      return;
    }
    this.queues[job.priority]!.push(job);
    void this.pump();
  }

  private next(): Job | undefined {
    for (const q of this.queues) if (q.length > 0) return q.shift();
    return undefined;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.next(); job !== undefined; job = this.next()) await this.run(job);
    } finally {
      this.busy = false;
    }
  }

  private async run(job: Job): Promise<void> {
    if (!this.transport.isOpen) {
      job.reject(new UrzError(ErrorCodes.BusClosed, `${this.transport.description} is not open`));
      return;
    }
    // Stale bytes of an earlier, torn reply must not join this one.
    this.decoder.reset();
    const reply = job.match === undefined ? undefined : this.arm(job.match);
    // The reply may fail (timeout, line closed) before it is awaited below; that is handled there.
    reply?.catch(() => undefined);
    this.lastTx = job.bytes;
    try {
      const at = this.clock.monoMs();
      this.emit('tx', job.bytes, at);
      this.log.add(this.clock.wallMs(), 'tx', job.bytes);
      await this.transport.write(job.bytes);
      this.stats.txFrames += 1;
    } catch (e) {
      this.disarm();
      job.reject(e instanceof UrzError ? e : new UrzError(ErrorCodes.TransportFailed, (e as Error).message, { cause: e }));
      await this.gap();
      return;
    }
    if (reply === undefined) {
      job.resolve(undefined);
    } else {
      try {
        job.resolve(await reply);
      } catch (e) {
        const err = e as UrzError;
        if (err.code === ErrorCodes.BusTimeout && job.retriesLeft > 0 && !this.closed) {
          job.retriesLeft -= 1;
          this.stats.retries += 1;
          // Back to the front of its own queue: a waiting unlock still goes first.
          this.queues[job.priority]!.unshift(job);
        } else {
          job.reject(err);
        }
      }
    }
    await this.gap();
  }

  private arm(match: (f: BusFrame) => boolean): Promise<BusFrame> {
    return new Promise<BusFrame>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.waiter !== w) return;
        this.waiter = undefined;
        this.stats.timeouts += 1;
        reject(new UrzError(ErrorCodes.BusTimeout, `no reply within ${this.opts.replyTimeoutMs} ms`));
      }, this.opts.replyTimeoutMs);
      const w: Waiter = {
        match,
        resolve: (f) => {
          this.clock.clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          this.clock.clearTimeout(timer);
          reject(e);
        },
      };
      this.waiter = w;
    });
  }

  private disarm(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new UrzError(ErrorCodes.TransportFailed, 'request not sent'));
  }

  private onFrame(f: BusFrame): void {
    this.stats.rxFrames += 1;
    this.log.add(this.clock.wallMs(), 'rx', f.raw);
    this.emit('frame', f);
    if (isRequestFrame(f)) {
      // Our own transmission heard back (an adapter without echo suppression), or another master.
      if (this.lastTx !== undefined && f.raw.equals(this.lastTx)) this.stats.echoes += 1;
      else this.stats.unsolicited += 1;
      return;
    }
    const w = this.waiter;
    if (w !== undefined && w.match(f)) {
      this.waiter = undefined;
      w.resolve(f);
      return;
    }
    this.stats.unsolicited += 1;
  }

  private failAll(reason: string): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new UrzError(ErrorCodes.BusClosed, reason));
    for (const q of this.queues) {
      for (const job of q.splice(0)) job.reject(new UrzError(ErrorCodes.BusClosed, reason));
    }
    if (w !== undefined) this.logger.warn({ reason }, 'bus requests failed');
  }

  private gap(): Promise<void> {
    const ms = this.opts.interFrameGapMs;
    return new Promise((resolve) => {
      if (ms <= 0) setImmediate(resolve);
      else this.clock.setTimeout(resolve, ms);
    });
  }
}
