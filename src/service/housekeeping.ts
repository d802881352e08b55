import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { Retention } from '../store/retention.js';
import type { Store } from '../store/store.js';

/** How often at most the audit head is sent to the office. */
export const auditAnchorEveryMs = 3_600_000;

/** Where archived audit rows go unless the config says otherwise. */
export function auditArchiveDir(config: Pick<Config, 'dataDir' | 'retention'>): string {
  return config.retention.archiveDir ?? join(config.dataDir, 'audit-archive');
}

export interface HousekeepingDeps {
  readonly config: Config;
  readonly store: Store;
  /** Whether no door is open or about to open (a full checkpoint may then wait for readers). */
  readonly idle: () => boolean;
  /** Wall time the locker trusts (confirmed by the office or NTP), or undefined: no deletion on a doubtful clock. */
  readonly trustedNowMs: () => number | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Rows per audit archive file; the production size unless a test wants a short day to fill several. */
  readonly auditRowsPerFile?: number;
}

/**
 * What the running locker does every few minutes: sends the audit head to the office, applies the retention
 * policy (only on a trusted clock, since a clock ten years ahead would otherwise age everything at once) and
 * folds the WAL back into the database.
 */
export function housekeeping(d: HousekeepingDeps): () => void {
  const retention = new Retention(d.store.db, { ...d.config.retention, archiveDir: auditArchiveDir(d.config), auditRowsPerFile: d.auditRowsPerFile });
  const head = d.store.db.prepare('SELECT last_seq, last_hash, archived_through FROM audit_head WHERE id = 1');
  let anchored: { seq: number; mono: number } | undefined;
  // Each step on its own: this runs from a timer, where a throw (a full disk) would end the process.
  const step = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      d.logger.error({ err: e }, `${what} failed; it is tried again at the next round`);
    }
  };
  return () => {
    // The audit head goes to the office (at most hourly, when it moved): someone who rewrites the whole chain
    // with its head on the locker cannot rewrite what the office already holds.
    step('audit anchor', () => {
      const h = head.get() as { last_seq: number; last_hash: string; archived_through: number };
      const mono = d.clock.monoMs();
      if (h.last_seq > 0 && h.last_seq !== anchored?.seq && (anchored === undefined || mono - anchored.mono >= auditAnchorEveryMs)) {
        d.store.outbox.append('audit.head', { seq: h.last_seq, hash: h.last_hash, archivedThrough: h.archived_through });
        anchored = { seq: h.last_seq, mono };
      }
    });
    const now = d.trustedNowMs();
    if (now === undefined) d.logger.debug('retention skipped: the clock is not confirmed yet');
    // A full disk or an unwritable archive directory stops it before any audit row leaves the database.
    else step('retention', () => {
      const r = retention.run(now);
      if (r.authorizations + r.intents + r.events + r.guessScopes + r.tombstones + r.auditArchived > 0) {
        d.logger.info(r, 'retention applied');
        d.store.audit.append({ actor: 'system', action: 'retention.applied', detail: { ...r } });
      }
    });
    // Fully (TRUNCATE: the WAL file shrinks) when idle; otherwise without waiting for anyone (PASSIVE).
    step('wal checkpoint', () => {
      const idle = d.idle();
      const [r] = d.store.db.pragma(`wal_checkpoint(${idle ? 'TRUNCATE' : 'PASSIVE'})`) as { busy: number; log: number; checkpointed: number }[];
      d.logger.debug({ idle, walPages: r?.log, checkpointed: r?.checkpointed }, 'wal checkpoint');
    });
  };
}
