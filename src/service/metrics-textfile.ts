import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { LockerCore } from '../core/locker-core.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Sync } from '../sync/build.js';
import type { LockSystem } from '../../hardware/lock-system.js';

/**
 * The locker's metrics for Prometheus (issue 16) without a server or a dependency on the Pi: a file in the
 * Prometheus text format for node_exporter's textfile collector (`metrics.textfile`), rewritten every
 * `metrics.intervalS` (30 s) by writing a temporary file beside it and renaming it over the old one, so the
 * collector never reads half a file. The file is world-readable (0644): it holds counts, never a code, phone
 * number, PIN or key, and node_exporter runs as another user.
 *
 * Counters count since the daemon started (Prometheus takes a restart's reset in its stride); a stale file (the
 * daemon stopped) shows in `urzedomat_metrics_written_timestamp_seconds` and node_exporter's own
 * `node_textfile_mtime_seconds`.
 */

export interface MetricsSources {
  readonly config: Pick<Config, 'lockerId' | 'boards'>;
  readonly store: Pick<Store, 'db' | 'outbox'>;
  readonly hardware: Pick<LockSystem, 'poller' | 'bus' | 'transport'>;
  readonly core: { readonly compartments: Pick<LockerCore['compartments'], 'states'>; mode(): string };
  readonly sync: { readonly service: Pick<Sync['service'], 'status' | 'freshness'> };
  readonly clock: Clock;
  readonly version: string;
}

const documentStates = ['pending', 'rejected', 'loaded', 'collected', 'retrieved'] as const;
const compartmentStates = ['free', 'reserved', 'occupied', 'open', 'fault', 'disabled'] as const;

/** Alarms the locker raised since the tally began, by kind: read from the outbox, where every alarm is queued. */
export class AlarmTally {
  private lastSeq: number;
  private readonly counts = new Map<string, number>();
  private readonly stmt;

  constructor(private readonly store: Pick<Store, 'db' | 'outbox'>) {
    this.lastSeq = store.outbox.depth().lastSeq;
    this.stmt = store.db.prepare("SELECT seq, body FROM outbox WHERE seq > ? AND type = 'alarm' ORDER BY seq");
  }

  /** Counts the alarms queued since the last call; returns every kind's count so far. */
  update(): ReadonlyMap<string, number> {
    const head = this.store.outbox.depth().lastSeq;
    for (const r of this.stmt.all(this.lastSeq) as { seq: number; body: string }[]) {
      let kind = 'unknown';
      try {
        const k = (JSON.parse(r.body) as { data?: { kind?: unknown } }).data?.kind;
        if (typeof k === 'string' && k !== '') kind = k;
      } catch {
        // the outbox only takes valid JSON; counted as unknown all the same
      }
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    }
    this.lastSeq = Math.max(this.lastSeq, head);
    return this.counts;
  }
}

type Labels = Record<string, string | number>;

/** Builds a file in the Prometheus text exposition format (version 0.0.4). */
class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<readonly [Labels, number]>): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
      this.lines.push(`${name}${l.length === 0 ? '' : `{${l.join(',')}}`} ${Number.isFinite(value) ? value : 'NaN'}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderLockerMetrics(s: MetricsSources, alarms: ReadonlyMap<string, number>): string {
  const e = new Exposition();
  const one = (v: number): ReadonlyArray<readonly [Labels, number]> => [[{}, v]];

  e.metric('urzedomat_locker_info', 'gauge', 'The locker and its program version (always 1).', [[{ locker_id: s.config.lockerId, version: s.version }, 1]]);
  e.metric('urzedomat_mode', 'gauge', 'The locker mode (1 for the current one).', [[{ mode: s.core.mode() }, 1]]);

  const boards = s.config.boards.map((b) => s.hardware.poller.snapshot(b.address));
  e.metric('urzedomat_bus_polls_total', 'counter', 'Status polls of a lock board answered, since start.', boards.map((b) => [{ board: b.address }, b.pollsOk]));
  e.metric('urzedomat_bus_poll_failures_total', 'counter', 'Status polls of a lock board that failed (no or bad answer after retries), since start.', boards.map((b) => [{ board: b.address }, b.pollsFailed]));
  e.metric('urzedomat_board_online', 'gauge', 'Whether a lock board answers its polls (1) or is offline (0).', boards.map((b) => [{ board: b.address }, b.online === true ? 1 : 0]));
  const bus = s.hardware.bus.stats;
  e.metric('urzedomat_bus_open', 'gauge', 'Whether the serial port or TCP bridge is open.', one(s.hardware.transport.isOpen ? 1 : 0));
  e.metric('urzedomat_bus_frames_sent_total', 'counter', 'Frames written to the RS-485 bus.', one(bus.txFrames));
  e.metric('urzedomat_bus_frames_received_total', 'counter', 'Frames read from the RS-485 bus.', one(bus.rxFrames));
  e.metric('urzedomat_bus_timeouts_total', 'counter', 'Requests on the bus that got no answer in time (a bus fault).', one(bus.timeouts));
  e.metric('urzedomat_bus_retries_total', 'counter', 'Status polls sent again after a miss.', one(bus.retries));
  e.metric('urzedomat_bus_discarded_bytes_total', 'counter', 'Bytes thrown away as noise or broken frames (a bus fault).', one(bus.discardedBytes));
  e.metric('urzedomat_bus_unsolicited_frames_total', 'counter', 'Frames nobody asked for (a bus fault: another master, or echoes out of place).', one(bus.unsolicited));

  const t = s.sync.service.status.totals;
  e.metric('urzedomat_sync_pulls_total', 'counter', 'Feed pulls from the office, by result: ok (verified and applied), refused (did not verify), failed (network or HTTP status).', [
    [{ result: 'ok' }, t.pullsOk], [{ result: 'refused' }, t.pullsRefused], [{ result: 'failed' }, t.pullsFailed],
  ]);
  e.metric('urzedomat_sync_pushes_total', 'counter', 'Event pushes to the office, by result: ok (acknowledgement verified) or failed.', [
    [{ result: 'ok' }, t.pushesOk], [{ result: 'failed' }, t.pushesFailed],
  ]);
  const depth = s.store.outbox.depth();
  e.metric('urzedomat_outbox_pending_events', 'gauge', 'Events waiting for the office to acknowledge them.', one(depth.pending));
  const fresh = s.sync.service.freshness();
  if (fresh.feedAgeS !== null) e.metric('urzedomat_sync_feed_age_seconds', 'gauge', 'Seconds since the last feed batch that verified.', one(fresh.feedAgeS));
  if (fresh.ackAgeS !== null) e.metric('urzedomat_sync_ack_age_seconds', 'gauge', 'Seconds since the last acknowledgement that verified.', one(fresh.ackAgeS));

  e.metric('urzedomat_alarms_raised_total', 'counter', 'Alarms raised by the locker since start, by kind.', [...alarms].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => [{ kind }, n]));

  const docs = new Map<string, number>(documentStates.map((st) => [st, 0]));
  for (const r of s.store.db.prepare('SELECT status, count(*) AS n FROM authorization GROUP BY status').all() as { status: string; n: number }[]) docs.set(r.status, r.n);
  e.metric('urzedomat_documents', 'gauge', 'Documents (pickup authorizations) the locker holds records of, by state; finished ones leave with the retention policy.', [...docs].map(([state, n]) => [{ state }, n]));

  const comps = new Map<string, number>(compartmentStates.map((st) => [st, 0]));
  for (const c of s.core.compartments.states()) comps.set(c.state, (comps.get(c.state) ?? 0) + 1);
  e.metric('urzedomat_compartments', 'gauge', 'Compartments by state.', [...comps].map(([state, n]) => [{ state }, n]));

  e.metric('urzedomat_metrics_written_timestamp_seconds', 'gauge', 'When this file was written (Unix time): an old value means the daemon stopped.', one(Math.round(s.clock.wallMs() / 1000)));
  return e.text();
}

/** Writes `text` to `path` atomically: a temporary file beside it (not `.prom`, so never collected), then a rename. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    chmodSync(tmp, 0o644); // the unit's UMask would leave it unreadable to node_exporter's user
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Starts writing `metrics.textfile` (at once, then every `intervalS`); returns the function that stops it. Without
 * the config key: nothing, and a stop that does nothing. A failure is logged when it starts and when it ends,
 * not at every round.
 */
export function startMetricsTextfile(s: MetricsSources & { readonly config: Pick<Config, 'metrics'> }, log: Logger): () => void {
  const m = s.config.metrics;
  if (m === undefined) return () => undefined;
  const tally = new AlarmTally(s.store);
  let failing: string | undefined;
  let timer: unknown;
  let stopped = false;
  const round = (): void => {
    try {
      writeAtomically(m.textfile, renderLockerMetrics(s, tally.update()));
      if (failing !== undefined) log.info({ path: m.textfile }, 'metrics file written again');
      failing = undefined;
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      if (failing !== why) log.warn({ path: m.textfile, err: why }, 'metrics file could not be written');
      failing = why;
    }
    if (!stopped) timer = s.clock.setTimeout(round, m.intervalS * 1000);
  };
  log.info({ path: m.textfile, intervalS: m.intervalS }, 'writing metrics for node_exporter');
  round();
  return () => {
    stopped = true;
    s.clock.clearTimeout(timer);
  };
}
