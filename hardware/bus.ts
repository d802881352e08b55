import { EventEmitter } from 'node:events';
import type { Clock } from '../src/clock.js';
import { ErrorCodes, UrzError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { FrameLog } from './frame-log.js';
import type { Discard, FrameDecoder } from './protocols/frame-decoder.js';
import { isRequestFrame, replyOrigin, type BoardProtocol, type BusFrame } from './protocols/index.js';
import { wireMs, type Transport } from './transport/transport.js';

/** Lower runs first: an unlock waits for at most the transaction in flight, never for queued polls. */
export const Priority = { Unlock: 0, Status: 1, Maintenance: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

/** The config's default for `bus.unlockAnswerWindowMs`: an xor-8a board answers "about 1 s" after an unlock. */
export const DEFAULT_UNLOCK_ANSWER_WINDOW_MS = 1_200;

export interface BusOptions {
  /** How long to wait for a reply; also the window kept quiet after a command a board may answer. */
  readonly replyTimeoutMs: number;
  readonly interFrameGapMs: number;
  readonly statusRetries: number;
  /**
   * The RS-485 side's line speed (of the adapter, or of a TCP bridge's serial port): how long the bytes of a
   * frame take on the pair. 19200 (the Kerong default) when not given.
   */
  readonly baudRate?: number;
  /** How long to keep quiet for an answer to an xor-8a or CU48 0x60 unlock (DEFAULT_UNLOCK_ANSWER_WINDOW_MS when not given). */
  readonly unlockAnswerWindowMs?: number;
}

export interface BusStats {
  txFrames: number;
  rxFrames: number;
  timeouts: number;
  retries: number;
  echoes: number;
  unsolicited: number;
  discardedBytes: number;
  /** Answers to an unlock heard within its reply window (some CU16 boards, every xor-8a board). */
  unlockReplies: number;
  /**
   * Replies no request was waiting for, by board address and the family they are in: a late reply, or a board
   * answering in another command set than configured (a CU48 with the 0x60 firmware), which is then not "offline".
   */
  unclaimedReplies: Record<number, Partial<Record<BoardProtocol, number>>>;
  /** Frames no code of ours builds (xor-8a open-all, long power): another master on the line; logged, never acted on. */
  forbiddenFrames: number;
}

/**
 * The answer a board may give to a command (a CU16's or a CU48 0x60's to an unlock, an xor-8a's after its pulse):
 * the bus keeps quiet until it comes or `windowMs` (default `replyTimeoutMs`) passes.
 */
export interface CommandAnswer {
  readonly match: (f: BusFrame) => boolean;
  readonly windowMs?: number;
  /**
   * The answer may carry the request's very bytes (an xor-8a unlock answered with STATE 11): the first copy heard
   * within this many ms of the write is the adapter's echo, any later copy (or one after a first) is the answer.
   */
  readonly echoWindowMs?: number;
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
  /** The reply a query waits for; undefined for a command. */
  readonly match: ((f: BusFrame) => boolean) | undefined;
  /** For a command a board may answer: that answer, waited for (never required) before the bus talks again. */
  readonly answer: CommandAnswer | undefined;
  retriesLeft: number;
  resolve(f: BusFrame | undefined): void;
  reject(e: UrzError): void;
}

interface Waiter {
  readonly match: (f: BusFrame) => boolean;
  /** Set for an answer that may repeat the request's bytes: see CommandAnswer.echoWindowMs. */
  readonly sameBytes?: { readonly request: Buffer; readonly echoUntilMono: number; echoSeen: boolean };
  resolve(f: BusFrame): void;
  reject(e: UrzError): void;
}

/**
 * One half-duplex RS-485 bus. One request in flight; queued by priority; the reply waiter is armed before
 * the bytes are written; a silent gap after every transaction; status polls may be retried, unlocks never
 * (a CU48 does not answer an unlock, so its result is read back by a status poll, not by resending).
 * When the line closes, the request in flight and every queued one are rejected, not left hanging.
 *
 * The gap starts only once the frame can have left the pair: a write resolves when the operating system took
 * the bytes (at once for a TCP socket, whose bridge sends them later), so the bus waits out the frame's wire
 * time at `baudRate`, less what already passed since the write began, before the gap.
 */
export class Bus extends EventEmitter<BusEvents> {
  readonly stats: BusStats = {
    txFrames: 0, rxFrames: 0, timeouts: 0, retries: 0, echoes: 0, unsolicited: 0, discardedBytes: 0, unlockReplies: 0, unclaimedReplies: {}, forbiddenFrames: 0,
  };
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
      this.enqueue({ bytes, priority: o.priority ?? Priority.Status, match, answer: undefined, retriesLeft: o.retries ?? this.opts.statusRetries, resolve, reject });
    }).then((f) => f!);
  }

  /**
   * Writes a command, once, and resolves when it is written. Rejects with BUS_CLOSED when nothing was written (the
   * line was down), with TRANSPORT_FAILED when the write itself failed (whether bytes went out is then unknown).
   * `mayAnswer` names the answer a board may give (a CU16 to an unlock): the bus then keeps quiet for its window
   * or until that answer, counts it in `unlockReplies`, and gives it to no one else.
   */
  send(bytes: Buffer, priority: Priority = Priority.Unlock, mayAnswer?: CommandAnswer): Promise<void> {
    return new Promise<BusFrame | undefined>((resolve, reject) => {
      this.enqueue({ bytes, priority, match: undefined, answer: mayAnswer, retriesLeft: 0, resolve, reject });
    }).then(() => undefined);
  }

  /** Replies heard from this address in a family other than `protocol` that no request claimed, since start. */
  foreignRepliesFrom(address: number, protocol: BoardProtocol): number {
    const byFamily = this.stats.unclaimedReplies[address] ?? {};
    let n = 0;
    for (const [p, count] of Object.entries(byFamily)) if (p !== protocol) n += count;
    return n;
  }

  /** The family other than `protocol` heard most from this address (unclaimed replies), if any. */
  foreignFamilyOf(address: number, protocol: BoardProtocol): BoardProtocol | undefined {
    const byFamily = Object.entries(this.stats.unclaimedReplies[address] ?? {}).filter(([p]) => p !== protocol);
    byFamily.sort((a, b) => b[1] - a[1]);
    return byFamily[0]?.[0] as BoardProtocol | undefined;
  }

  /** The line speed the bus times its frames by. */
  get baudRate(): number {
    return this.opts.baudRate ?? 19_200;
  }

  /** See BusOptions.unlockAnswerWindowMs. */
  get unlockAnswerWindowMs(): number {
    return this.opts.unlockAnswerWindowMs ?? DEFAULT_UNLOCK_ANSWER_WINDOW_MS;
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
    const at = this.clock.monoMs();
    const reply = job.match !== undefined ? this.arm(job.match, this.opts.replyTimeoutMs, false)
      : job.answer !== undefined ? this.armAnswer(job.answer, job.bytes, at) : undefined;
    // The reply may fail (timeout, line closed) before it is awaited below; that is handled there.
    reply?.catch(() => undefined);
    this.lastTx = job.bytes;
    try {
      this.emit('tx', job.bytes, at);
      this.log.add(this.clock.wallMs(), 'tx', job.bytes);
      await this.transport.write(job.bytes);
      this.stats.txFrames += 1;
    } catch (e) {
      this.disarm();
      job.reject(e instanceof UrzError ? e : new UrzError(ErrorCodes.TransportFailed, (e as Error).message, { cause: e }));
      await this.quiet(at, job.bytes.length);
      return;
    }
    if (job.match === undefined) {
      job.resolve(undefined);
      if (reply !== undefined) await this.awaitAnswer(reply);
    } else if (reply !== undefined) {
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
    await this.quiet(at, job.bytes.length);
  }

  /** The answer to a command, if it comes within the window; nobody waits on it, so it only counts and logs. */
  private async awaitAnswer(reply: Promise<BusFrame | undefined>): Promise<void> {
    const f = await reply.catch(() => undefined); // the line closed: the command itself was written
    if (f === undefined) return;
    this.stats.unlockReplies += 1;
    this.logger.info({ frame: f.raw.toString('hex') }, 'a board answered an unlock');
  }

  /** The frame's wire time (what has not passed yet since the write began), then the inter-frame gap. */
  private async quiet(startedAt: number, bytes: number): Promise<void> {
    const lineFree = Math.max(startedAt + wireMs(bytes, this.baudRate), this.clock.monoMs());
    const until = lineFree + this.opts.interFrameGapMs;
    let waited = false;
    // A real clock's timer may fire a fraction of a millisecond early: wait again for what is left.
    for (let left = until - this.clock.monoMs(); left > 0; left = until - this.clock.monoMs()) {
      waited = true;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.ceil(left)));
    }
    if (!waited) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /**
   * The waiter for a command's answer, which no one requires. When the answer may repeat the request's bytes, the
   * end of the echo window also drops any partial frame, so a torn echo cannot join the answer.
   */
  private armAnswer(answer: CommandAnswer, request: Buffer, writtenAt: number): Promise<BusFrame | undefined> {
    const windowMs = answer.windowMs ?? this.opts.replyTimeoutMs;
    if (answer.echoWindowMs === undefined) return this.arm(answer.match, windowMs, true);
    const sameBytes = { request, echoUntilMono: writtenAt + answer.echoWindowMs, echoSeen: false };
    const reply = this.arm(answer.match, windowMs, true, sameBytes);
    const w = this.waiter;
    const echoTimer = this.clock.setTimeout(() => {
      if (this.waiter === w) this.decoder.reset();
    }, answer.echoWindowMs);
    return reply.finally(() => this.clock.clearTimeout(echoTimer));
  }

  /** A reply waiter. `optional`: the window closes with undefined, not a timeout (an answer no one requires). */
  private arm(match: (f: BusFrame) => boolean, windowMs: number, optional: boolean, sameBytes?: NonNullable<Waiter['sameBytes']>): Promise<BusFrame | undefined> {
    return new Promise<BusFrame | undefined>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.waiter !== w) return;
        this.waiter = undefined;
        if (optional) {
          resolve(undefined);
          return;
        }
        this.stats.timeouts += 1;
        reject(new UrzError(ErrorCodes.BusTimeout, `no reply within ${windowMs} ms`));
      }, windowMs);
      const w: Waiter = {
        match,
        ...(sameBytes === undefined ? {} : { sameBytes }),
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
    const w = this.waiter;
    if (isRequestFrame(f) && !this.isAnswerWithRequestBytes(f, w)) {
      // Our own transmission heard back (an adapter without echo suppression), or another master.
      if (this.lastTx !== undefined && f.raw.equals(this.lastTx)) this.stats.echoes += 1;
      else this.stats.unsolicited += 1;
      return;
    }
    if (f.kind === 'xor-forbidden') {
      this.stats.forbiddenFrames += 1;
      this.logger.warn({ frame: f.raw.toString('hex'), what: f.what }, 'a frame this program never sends was heard on the bus: is another master connected?');
      return;
    }
    if (w !== undefined && w.match(f)) {
      this.waiter = undefined;
      w.resolve(f);
      return;
    }
    this.stats.unsolicited += 1;
    const origin = replyOrigin(f);
    if (origin !== undefined) {
      const byFamily = (this.stats.unclaimedReplies[origin.address] ??= {});
      byFamily[origin.protocol] = (byFamily[origin.protocol] ?? 0) + 1;
    }
  }

  /**
   * Whether a copy of the request's bytes is the board's answer rather than its echo: only for an answer that may
   * repeat them, and only once the echo was taken or its window has passed (xor-8a/codec.ts, "echo or answer").
   */
  private isAnswerWithRequestBytes(f: BusFrame, w: Waiter | undefined): boolean {
    const same = w?.sameBytes;
    if (same === undefined || !f.raw.equals(same.request)) return false;
    if (!same.echoSeen && this.clock.monoMs() <= same.echoUntilMono) {
      same.echoSeen = true;
      return false;
    }
    return true;
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
}
