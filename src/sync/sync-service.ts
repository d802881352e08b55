import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../store/outbox.js';
import { verifyAck } from '../wire/ack.js';
import { eventMacHeader, eventsMac } from '../wire/event-mac.js';
import type { FeedReceiver } from './feed-receiver.js';
import { freshness, type Freshness, type FreshnessLimits } from './freshness.js';
import type { HttpAnswer, OfficeHttp } from './office-http.js';

export interface SyncOptions {
  readonly lockerId: string;
  readonly pullIntervalMs: number;
  /** Events sent per request. */
  readonly pushBatch: number;
  /** How often an idle outbox is looked at. */
  readonly pushIdleMs: number;
  readonly random?: () => number;
  readonly freshness: FreshnessLimits;
  /** Acknowledgements refused in a row before the `ack-rejected` alarm. */
  readonly ackRejectedAlarmAfter?: number;
}

/** What the push authenticates with and what acknowledgements are verified against (contracts.md §5.3). */
export interface SyncKeys {
  /** Kev, derived from the code key K: the MAC key of the event push. */
  readonly eventsKey: Buffer;
  /** The office's Ed25519 key: feed batches and acknowledgements. */
  readonly officePublicKey: KeyObject;
}

export interface SyncStatus {
  /** The last pull whose batch verified and applied (a refused batch is not a successful pull). */
  lastPullOkWall: number | undefined;
  lastPullOkMono: number | undefined;
  /** The last push whose signed acknowledgement verified. */
  lastPushOkWall: number | undefined;
  lastAckOkMono: number | undefined;
  /** Since when events have waited for a verified acknowledgement; undefined while none wait. */
  ackDueSinceMono: number | undefined;
  /** Network failures or non-200 answers in a row (these back the pulls off). */
  pullFailures: number;
  /** Batches refused in a row (no backoff: the next poll may bring a good one), and why the last was. */
  pullRefusals: number;
  lastPullRefusal: string | undefined;
  /** Pulls finished, whatever their outcome (`diag sync now` waits for the next). */
  pullsDone: number;
  pushFailures: number;
  /** Acknowledgements refused in a row, and why the last was. */
  ackRejections: number;
  lastAckRefusal: string | undefined;
  /** Since start, for the metrics file: pulls applied, refused (did not verify) or failed; pushes acknowledged or not. */
  readonly totals: { pullsOk: number; pullsRefused: number; pullsFailed: number; pushesOk: number; pushesFailed: number };
}

export type SyncAlarm = (kind: 'ack-rejected' | 'feed-stale' | 'ack-stale', detail: Record<string, unknown>) => void;

/**
 * The two loops that keep the locker and the office in step, each on its own schedule:
 * - pull: the feed at `pullIntervalS`, again at once while `more`; a refused batch is just waited out (the next
 *   poll may bring a good one); network failures back off, doubling to at most 4 × the interval;
 * - push: the outbox in seq order, in batches, with the body's MAC, resent until a signed acknowledgement
 *   verifies; exponential backoff with jitter.
 * Only a verified batch or acknowledgement counts as contact with the office; their ages are watched.
 */
export class SyncService {
  readonly status: SyncStatus = {
    lastPullOkWall: undefined, lastPullOkMono: undefined, lastPushOkWall: undefined, lastAckOkMono: undefined, ackDueSinceMono: undefined,
    pullFailures: 0, pullRefusals: 0, lastPullRefusal: undefined, pullsDone: 0, pushFailures: 0, ackRejections: 0, lastAckRefusal: undefined,
    totals: { pullsOk: 0, pullsRefused: 0, pullsFailed: 0, pushesOk: 0, pushesFailed: 0 },
  };
  private readonly startedMono: number;
  private staleRaised = { feed: false, ack: false };
  private running = false;
  private readonly sleeping = new Set<{ timer: unknown; resolve: () => void }>();
  private wakePull: (() => void) | undefined;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly http: OfficeHttp,
    private readonly receiver: FeedReceiver,
    private readonly outbox: Outbox,
    private readonly opts: SyncOptions,
    private readonly keys: SyncKeys,
    private readonly alarm: SyncAlarm,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.startedMono = clock.monoMs();
  }

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

  /**
   * One pull; returns whether to pull again at once, or why not. The query also says how many events wait in the
   * outbox (`outbox`, an addition to contracts.md §5.2 that an office may ignore), so the office can show events
   * stuck at a locker whose pushes fail while its pulls get through.
   */
  async pullOnce(): Promise<'more' | 'done' | 'refused' | 'failed'> {
    try {
      const { cursor } = this.receiver.cursor();
      const answer = await this.ok('feed pull', () => this.http.get(`/v1/lockers/${encodeURIComponent(this.opts.lockerId)}/feed?after=${cursor}&outbox=${this.outbox.depth().pending}`));
      if (answer === undefined) {
        this.status.totals.pullsFailed += 1;
        return 'failed';
      }
      const r = this.receiver.receive(answer.body);
      if (!r.applied) {
        // A 200 whose batch does not verify is a failed pull, however the HTTP request went (contracts.md §5.3).
        this.status.totals.pullsRefused += 1;
        this.status.pullRefusals += 1;
        this.status.lastPullRefusal = r.reason;
        return 'refused';
      }
      this.status.totals.pullsOk += 1;
      this.status.pullRefusals = 0;
      this.status.lastPullRefusal = undefined;
      this.status.lastPullOkWall = this.clock.wallMs();
      this.status.lastPullOkMono = this.clock.monoMs();
      if (r.authorizations > 0) this.log.info({ cursor: r.cursor, authorizations: r.authorizations }, 'feed applied');
      return r.more ? 'more' : 'done';
    } finally {
      this.status.pullsDone += 1;
    }
  }

  /** One push of the oldest unacknowledged events; returns how many remain. */
  async pushOnce(): Promise<number | 'failed'> {
    const events = this.outbox.pending(this.opts.pushBatch);
    if (events.length === 0) {
      this.status.ackDueSinceMono = undefined;
      return 0;
    }
    this.status.ackDueSinceMono ??= this.clock.monoMs();
    // The stored bodies, byte for byte: a resent event is exactly the same JSON.
    const body = `{"events":[${events.map((e) => e.body).join(',')}]}`;
    const mac = eventsMac(this.keys.eventsKey, body);
    const answer = await this.ok('event push', () => this.http.post(`/v1/lockers/${encodeURIComponent(this.opts.lockerId)}/events`, body, { [eventMacHeader]: mac }));
    if (answer === undefined) {
      this.status.totals.pushesFailed += 1;
      return 'failed';
    }
    const v = verifyAck(answer.body, this.keys.officePublicKey, { lockerId: this.opts.lockerId, lastSentSeq: events.at(-1)!.seq });
    if (!v.ok) {
      this.status.totals.pushesFailed += 1;
      this.ackRefused(v.reason, v.detail);
      return 'failed';
    }
    this.status.totals.pushesOk += 1;
    this.status.ackRejections = 0;
    this.status.lastAckRefusal = undefined;
    this.outbox.ack(v.ackedThrough);
    this.status.lastPushOkWall = this.clock.wallMs();
    this.status.lastAckOkMono = this.clock.monoMs();
    const remaining = this.outbox.depth().pending;
    this.status.ackDueSinceMono = remaining > 0 ? this.clock.monoMs() : undefined;
    return remaining;
  }

  /** The ages of the last verified batch and acknowledgement, and whether either is too old. */
  freshness(): Freshness {
    const st = this.status;
    return freshness({
      nowMono: this.clock.monoMs(), startedMono: this.startedMono, lastPullOkMono: st.lastPullOkMono, lastAckOkMono: st.lastAckOkMono, ackDueSinceMono: st.ackDueSinceMono,
    }, this.opts.freshness);
  }

  /** Raises `feed-stale` / `ack-stale` once when it begins; a fresh batch or acknowledgement re-arms it. */
  checkFreshness(): void {
    const f = this.freshness();
    for (const [which, stale, kind] of [['feed', f.feedStale, 'feed-stale'], ['ack', f.ackStale, 'ack-stale']] as const) {
      if (stale && !this.staleRaised[which]) {
        this.log.warn({ problems: f.problems }, `office ${which === 'feed' ? 'feed' : 'acknowledgement'} too old`);
        this.alarm(kind, which === 'feed' ? { ageS: f.feedAgeS } : { ageS: f.ackAgeS });
      }
      this.staleRaised[which] = stale;
    }
  }

  private ackRefused(reason: string, detail: string): void {
    this.status.ackRejections += 1;
    this.status.lastAckRefusal = reason;
    this.log.warn({ reason, detail, inRow: this.status.ackRejections }, 'event acknowledgement refused; events kept for resending');
    // One refusal may be a glitch; the same again is someone in the path or a misconfigured office.
    if (this.status.ackRejections === (this.opts.ackRejectedAlarmAfter ?? 3)) this.alarm('ack-rejected', { reason });
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
      this.checkFreshness();
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
      this.checkFreshness();
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
