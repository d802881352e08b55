import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { OfficeSecrets } from '../config/secrets.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { eventsKey } from '../wire/event-mac.js';
import { FeedApplier } from './feed-apply.js';
import { FeedReceiver } from './feed-receiver.js';
import { OfficeHttp } from './office-http.js';
import { SyncService } from './sync-service.js';
import { TrustedClock, timesyncdSynchronized } from './trusted-clock.js';

export interface Sync {
  readonly time: TrustedClock;
  readonly receiver: FeedReceiver;
  readonly service: SyncService;
}

/** The office sync of contracts.md §5, from the config: feed receiver, trusted clock, pull and push loops. */
export function createSync(config: Config, store: Store, secrets: OfficeSecrets, clock: Clock, logger: Logger): Sync {
  const log = logger.child({ layer: 'sync' });
  const storedServerTimeMs = (): number | undefined => {
    const r = store.db.prepare('SELECT feed_server_time AS t FROM sync_state WHERE id = 1').get() as { t: string | null };
    return r.t === null ? undefined : Date.parse(r.t);
  };
  const time = new TrustedClock(clock, { toleranceMs: 60_000, storedServerTimeMs, systemSynchronized: timesyncdSynchronized });
  const receiver = new FeedReceiver({
    db: store.db, outbox: store.outbox, audit: store.audit, applier: new FeedApplier({ db: store.db, outbox: store.outbox, audit: store.audit, clock }),
    publicKey: secrets.publicKey, lockerId: config.lockerId, time, logger: log,
  });
  const interval = config.office.pullIntervalS;
  const service = new SyncService(new OfficeHttp(config.office, secrets.token), receiver, store.outbox,
    {
      lockerId: config.lockerId, pullIntervalMs: interval * 1000, pushBatch: 200, pushIdleMs: 1_000,
      freshness: { maxFeedAgeMs: (config.office.maxFeedAgeS ?? 3 * interval) * 1000, maxAckAgeMs: (config.office.maxAckAgeS ?? 3 * interval) * 1000 },
    },
    { eventsKey: eventsKey(secrets.codeKey), officePublicKey: secrets.publicKey },
    (kind, detail) => store.db.transaction(() => {
      store.outbox.append('alarm', { kind, ...detail });
      store.audit.append({ actor: 'system', action: `alarm.${kind}`, detail });
    })(),
    clock, log);
  return { time, receiver, service };
}
