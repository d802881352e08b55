import { statfsSync, statSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { LockerCore } from '../core/locker-core.js';
import { databasePath, type Store } from '../store/store.js';
import type { Sync } from '../sync/build.js';
import type { GpioPort } from '../../hardware/gpio/port.js';
import type { LockSystem } from '../../hardware/lock-system.js';
import { answersAsNote } from '../../hardware/boards.js';

/** What the admin commands may look at and act on: the daemon's parts, as its composition root built them. */
export interface AdminContext {
  readonly config: Config;
  readonly core: LockerCore;
  readonly store: Store;
  readonly hardware: LockSystem;
  readonly gpio: GpioPort | undefined;
  readonly sync: Sync;
  readonly clock: Clock;
  readonly version: string;
  readonly startedMono: number;
}

/** `diag status`: everything a technician looks at first. Never a code, phone number, PIN or key. */
export function lockerStatus(c: AdminContext): Record<string, unknown> {
  const { config, core, store, hardware, sync, clock } = c;
  const now = clock.monoMs();
  const boards = config.boards.map((b) => {
    const s = hardware.poller.snapshot(b.address);
    // Not "offline": the address answers, in another family's command set than configured (the board's firmware).
    return {
      address: b.address, protocol: b.protocol, online: s.online === true, missesInRow: s.misses, pollsOk: s.pollsOk, pollsFailed: s.pollsFailed,
      lastError: s.lastError ?? null, lastOkAgoMs: s.lastOkMono === undefined ? null : Math.round(now - s.lastOkMono),
      answersAs: s.answersAs ?? null, ...(s.answersAs === undefined ? {} : { note: answersAsNote(s.answersAs) }),
    };
  });
  const faults = new Map((store.db.prepare('SELECT id, fault_kind FROM compartment').all() as { id: number; fault_kind: string | null }[]).map((r) => [r.id, r.fault_kind]));
  const compartments = config.compartments.map((k) => {
    const latched = hardware.poller.snapshot(k.board).latched?.[k.lock - 1];
    const state = core.compartments.state(k.id) ?? 'fault';
    return { id: k.id, board: k.board, lock: k.lock, size: k.size, state, latched: latched ?? null, fault: state === 'fault' ? faults.get(k.id) ?? null : null };
  });
  const cursor = (store.db.prepare('SELECT feed_cursor AS c FROM sync_state WHERE id = 1').get() as { c: number } | undefined)?.c ?? 0;
  const depth = store.outbox.depth();
  const wallNow = clock.wallMs();
  const ago = (t: number | undefined): number | null => (t === undefined ? null : Math.round((wallNow - t) / 1000));
  const st = sync.service.status;
  const fresh = sync.service.freshness();
  return {
    lockerId: config.lockerId,
    version: c.version,
    uptimeS: Math.round((now - c.startedMono) / 1000),
    mode: core.mode(),
    boards,
    bus: { transport: config.bus.transport, open: hardware.transport.isOpen, ...hardware.bus.stats },
    compartments,
    sync: {
      cursor, outboxPending: depth.pending, outboxLastSeq: depth.lastSeq, ackedThrough: depth.ackedThrough,
      // Only a batch or an acknowledgement that verified counts (contracts.md §5.3); ages on the monotonic clock.
      lastVerifiedPullAgoS: fresh.feedAgeS, lastVerifiedAckAgoS: fresh.ackAgeS, feedStale: fresh.feedStale, ackStale: fresh.ackStale, problems: fresh.problems,
      lastPullOkAgoS: ago(st.lastPullOkWall), lastPushOkAgoS: ago(st.lastPushOkWall), pullFailures: st.pullFailures, pushFailures: st.pushFailures,
      pullRefusals: st.pullRefusals, lastPullRefusal: st.lastPullRefusal ?? null, ackRejections: st.ackRejections, lastAckRefusal: st.lastAckRefusal ?? null,
    },
    clock: { trusted: sync.time.trusted(), wall: new Date(wallNow).toISOString() },
    lockout: core.credentials.deviceLockout(),
    disk: diskFree(config.dataDir),
    database: { bytes: databaseBytes(config.dataDir) },
  };
}

export function diskFree(dir: string): { freeBytes: number; totalBytes: number } {
  const s = statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

function databaseBytes(dataDir: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(databasePath(dataDir) + suffix).size;
    } catch {
      // no WAL right after a checkpoint
    }
  }
  return total;
}
