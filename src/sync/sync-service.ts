import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../store/outbox.js';
import type { FeedReceiver } from './feed-receiver.js';
import type { HttpAnswer, OfficeHttp } from './office-http.js';

export interface SyncOptions {
  readonly lockerId: string;
  readonly pullIntervalMs: number;
  /** Events sent per request. */
  readonly pushBatch: number;
  /** How often an idle outbox is looked at. */
  readonly pushIdleMs: number;
  readonly random?: () => number;
}

export interface SyncStatus {
  lastPullOkWall: number | undefined;
  lastPushOkWall: number | undefined;
  pullFailures: number;
  pushFailures: number;
}

/**
 * The two loops that keep the locker and the office in step, each on its own schedule:
 * - pull: the feed at `pullIntervalS`, again at once while `more`; a refused batch is just waited out (the next
 *   poll may bring a good one); network failures back off, doubling to at most 4 × the interval;
 * - push: the outbox in seq order, in batches, resent until acknowledged, exponential backoff with jitter.
 */
export class SyncService {
  readonly status: SyncStatus = { lastPullOkWall: undefined, lastPushOkWall: undefined, pullFailures: 0, pushFailures: 0 };
  private running = false;
  private readonly sleeping = new Set<{ timer: unknown; resolve: () => void }>();
  private wakePull: (() => void) | undefined;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly http: OfficeHttp,
    private readonly receiver: FeedReceiver,
    private readonly outbox: Outbox,
    private readonly opts: SyncOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.pullLoop(), this.pushLoop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.sleeping) {
      this.clock.clearTimeout(s.timer);
      s.resolve();
    }
    this.sleeping.clear();
    await Promise.all(this.loops);
  }

  /** `urzedomat diag sync now`: pull without waiting for the interval. */
  syncNow(): void {
    this.wakePull?.();
  }

  /** One pull; returns whether to pull again at once. */
  async pullOnce(): Promise<'more' | 'done' | 'failed'> {
    const { cursor } = this.receiver.cursor();
    const answer = await this.ok('feed pull', () => this.http.get(`/v1/lockers/${encodeURIComponent(this.opts.lockerId)}/feed?after=${cursor}`));
    if (answer === undefined) return 'failed';
    this.status.lastPullOkWall = this.clock.wallMs();
    const r = this.receiver.receive(answer.body);
    if (r.applied && r.authorizations > 0) this.log.info({ cursor: r.cursor, authorizations: r.authorizations }, 'feed applied');
    return r.applied && r.more ? 'more' : 'done';
  }

  /** One push of the oldest unacknowledged events; returns how many remain. */
  async pushOnce(): Promise<number | 'failed'> {
    const events = this.outbox.pending(this.opts.pushBatch);
    if (events.length === 0) return 0;
    // The stored bodies, byte for byte: a resent event is exactly the same JSON.
    const body = `{"events":[${events.map((e) => e.body).join(',')}]}`;
    const answer = await this.ok('event push', () => this.http.post(`/v1/lockers/${encodeURIComponent(this.opts.lockerId)}/events`, body));
    if (answer === undefined) return 'failed';
    let acked: unknown;
    try {
      acked = (JSON.parse(answer.body.toString('utf8')) as { ackedThrough?: unknown }).ackedThrough;
    } catch {
      acked = undefined;
    }
    if (typeof acked !== 'number' || !Number.isInteger(acked) || acked < 0) {
      this.log.warn('event push answer without a valid ackedThrough');
      return 'failed';
    }
    this.outbox.ack(acked);
    this.status.lastPushOkWall = this.clock.wallMs();
    return this.outbox.depth().pending;
  }

  /** The office's 200 answer, or undefined (logged) for a network failure or any other status. */
  private async ok(what: string, call: () => Promise<HttpAnswer>): Promise<HttpAnswer | undefined> {
    try {
      const answer = await call();
      if (answer.status === 200) return answer;
      this.log.warn({ status: answer.status }, `${what} refused by the office`);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, `${what} failed`);
    }
    return undefined;
  }

  private async pullLoop(): Promise<void> {
    while (this.running) {
      const r = await this.pullOnce();
      if (r === 'more') continue;
      if (r === 'failed') this.status.pullFailures += 1;
      else this.status.pullFailures = 0;
      const base = this.opts.pullIntervalMs;
      const wait = r === 'failed' ? Math.min(base * 2 ** this.status.pullFailures, 4 * base) : base;
      await this.sleep(wait, (wake) => (this.wakePull = wake));
    }
  }

  private async pushLoop(): Promise<void> {
    while (this.running) {
      const r = await this.pushOnce();
      if (r === 'failed') {
        this.status.pushFailures += 1;
        const cap = 4 * this.opts.pullIntervalMs;
        const exp = Math.min(1_000 * 2 ** (this.status.pushFailures - 1), cap);
        const jitter = 0.5 + (this.opts.random ?? Math.random)() / 2;
        await this.sleep(exp * jitter);
        continue;
      }
      this.status.pushFailures = 0;
      if (r === 0) await this.sleep(this.opts.pushIdleMs);
    }
  }

  private sleep(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) {
        resolve();
        return;
      }
      const entry = { timer: undefined as unknown, resolve: () => undefined as void };
      const done = (): void => {
        this.clock.clearTimeout(entry.timer);
        this.sleeping.delete(entry);
        resolve();
      };
      entry.resolve = done;
      entry.timer = this.clock.setTimeout(done, ms);
      this.sleeping.add(entry);
      onWake?.(done);
    });
  }
}
