import type { KeyObject } from 'node:crypto';
import type { AuditLog } from '../store/audit.js';
import type { Db } from '../store/open.js';
import type { Outbox } from '../store/outbox.js';
import type { Logger } from '../log.js';
import type { ApplyResult, FeedApplier } from './feed-apply.js';
import { verifyFeed, type FeedRefusal } from './feed-verify.js';
import type { TrustedClock } from './trusted-clock.js';

export type ReceiveResult =
  | { readonly applied: true; readonly cursor: number; readonly more: boolean; readonly authorizations: number }
  | { readonly applied: false; readonly reason: FeedRefusal };

/**
 * One feed batch in: verified against the cursor and the clocks, applied with the cursor in one transaction,
 * or refused whole, changing nothing but raising `alarm`/`feed-rejected` once per distinct failure.
 */
export class FeedReceiver {
  private lastRefusal: string | undefined;
  private readonly listeners: ((r: ApplyResult) => void)[] = [];

  constructor(
    private readonly d: {
      readonly db: Db;
      readonly outbox: Outbox;
      readonly audit: AuditLog;
      readonly applier: FeedApplier;
      readonly publicKey: KeyObject;
      readonly lockerId: string;
      readonly time: TrustedClock;
      readonly logger: Logger;
    },
  ) {}

  /** Called after each batch is committed (the staff service ends the sessions of members deactivated in it). */
  onApplied(listener: (r: ApplyResult) => void): void {
    this.listeners.push(listener);
  }

  cursor(): { cursor: number; serverTimeMs: number | undefined } {
    const r = this.d.db.prepare('SELECT feed_cursor AS c, feed_server_time AS t FROM sync_state WHERE id = 1').get() as { c: number; t: string | null };
    return { cursor: r.c, serverTimeMs: r.t === null ? undefined : Date.parse(r.t) };
  }

  receive(body: Uint8Array | string): ReceiveResult {
    const { cursor, serverTimeMs } = this.cursor();
    const v = verifyFeed(body, this.d.publicKey, { lockerId: this.d.lockerId, cursor, newestServerTimeMs: serverTimeMs, trustedNowMs: this.d.time.trustedNowMs() });
    if (!v.ok) {
      this.refused(v.reason, v.detail);
      return { applied: false, reason: v.reason };
    }
    const r = this.d.applier.apply(v.payload);
    // Only a serverTime newer than any before says anything about the clock now; an old batch replayed at the
    // cursor is genuine but its time is the past's, and must not make a correct clock look wrong.
    const batchTime = Date.parse(v.payload.serverTime);
    if (serverTimeMs === undefined || batchTime > serverTimeMs) this.d.time.observe(batchTime);
    this.lastRefusal = undefined;
    for (const l of this.listeners) {
      try {
        l(r);
      } catch (e) {
        this.d.logger.error({ err: (e as Error).message }, 'a feed listener failed');
      }
    }
    return { applied: true, cursor: r.cursor, more: v.payload.more, authorizations: r.authorizations };
  }

  private refused(reason: FeedRefusal, detail: string): void {
    // The same failure polled again (the office re-signs each answer, so the bytes differ) is one alarm, not
    // one per poll; a different failure, or the same one after a good batch, raises it again.
    const fingerprint = reason;
    this.d.logger.warn({ reason, detail }, 'feed batch refused');
    if (fingerprint === this.lastRefusal) return;
    this.lastRefusal = fingerprint;
    this.d.db.transaction(() => {
      this.d.outbox.append('alarm', { kind: 'feed-rejected', reason });
      this.d.audit.append({ actor: 'office', action: 'feed.refused', detail: { reason, detail } });
    })();
  }
}
