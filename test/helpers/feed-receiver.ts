import type { KeyObject } from 'node:crypto';
import { pino } from 'pino';
import type { Clock } from '../../src/clock.js';
import type { Store } from '../../src/store/store.js';
import { FeedApplier } from '../../src/sync/feed-apply.js';
import { FeedReceiver } from '../../src/sync/feed-receiver.js';
import { TrustedClock } from '../../src/sync/trusted-clock.js';

/**
 * The locker's feed receiver on a store, as `createSync` builds it but without the HTTP loops: what tests, the
 * feed-attack campaign and the sync bench hand signed batches to directly.
 */
export function feedReceiverOn(store: Store, publicKey: KeyObject, clock: Clock, lockerId = 'czestochowa-focha-1'): { receiver: FeedReceiver; time: TrustedClock } {
  const time = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs: () => undefined });
  const receiver = new FeedReceiver({
    db: store.db, outbox: store.outbox, audit: store.audit, applier: new FeedApplier({ db: store.db, outbox: store.outbox, audit: store.audit, clock }),
    publicKey, lockerId, time, logger: pino({ level: 'silent' }),
  });
  return { receiver, time };
}
