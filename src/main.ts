import { mkdirSync } from 'node:fs';
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { loadSecrets, type OfficeSecrets } from './config/secrets.js';
import type { Logger } from './log.js';
import { packageVersion } from './paths.js';
import { syncLayout } from './store/layout.js';
import { openStore, type Store } from './store/store.js';

export interface DaemonDeps {
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface Daemon {
  readonly config: Config;
  readonly store: Store;
  stop(reason: string): Promise<void>;
}

/** How often to fold the WAL back into the database while the locker runs. */
const housekeepingIntervalMs = 5 * 60_000;

/**
 * The composition root: builds everything from the config and starts it. This is the only place that
 * wires real parts together; everything it calls takes its collaborators as arguments.
 */
export async function startDaemon(config: Config, deps: DaemonDeps): Promise<Daemon> {
  const { logger, clock } = deps;
  const version = packageVersion();
  logger.info({ lockerId: config.lockerId, version, dataDir: config.dataDir }, 'starting');

  // Secrets are checked before anything opens, so a bad key file stops the start with its key named.
  const secrets: OfficeSecrets = loadSecrets(config.office);
  void secrets; // held for the sync and pickup services of later issues

  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const store = openStore(config.dataDir, clock);
  const storeLog = logger.child({ layer: 'store' });
  try {
    storeLog.info({ schemaVersion: store.migration.version, applied: store.migration.applied }, 'database ready');
    const layout = syncLayout(store.db, config.compartments, store.audit, clock);
    if (layout.added.length + layout.changed.length + layout.removed.length > 0) storeLog.info(layout, 'compartment layout updated');
    store.audit.append({ actor: 'system', action: 'daemon.start', detail: { version } });
  } catch (e) {
    store.close();
    throw e;
  }

  const housekeeping = setInterval(() => {
    const [r] = store.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    storeLog.debug({ walPages: r?.log, checkpointed: r?.checkpointed }, 'wal checkpoint');
  }, housekeepingIntervalMs);

  logger.info({ lockerId: config.lockerId, boards: config.boards.length, compartments: config.compartments.length, bus: config.bus.transport }, 'ready');

  let stopped = false;
  return {
    config,
    store,
    async stop(reason: string): Promise<void> {
      if (stopped) return;
      stopped = true;
      clearInterval(housekeeping);
      store.audit.append({ actor: 'system', action: 'daemon.stop', detail: { reason } });
      store.close();
      logger.info({ reason }, 'stopped');
      await Promise.resolve();
    },
  };
}
