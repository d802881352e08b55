import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { OfficeContext } from '../context.js';
import type { AuthFailureLimiter } from './auth-failures.js';

/**
 * `GET /metrics` (issue 16): the office in the Prometheus text format, with prom-client.
 *
 * Counters are kept in memory since the process started (each node of several keeps its own, as Prometheus
 * expects); the counts of documents, text messages and open alarms are read from the database at each scrape, so
 * every node reports the same. The endpoint needs no clerk session: it is outside the panel, on the service's own
 * address (`http.host`, loopback by default), and a request that came through a reverse proxy (it carries
 * `Forwarded` or `X-Forwarded-For`) is refused, so putting the office behind a proxy does not publish it.
 */

const documentStatuses = ['pending', 'loaded', 'collected', 'expired', 'retrieved', 'revoked', 'rejected'] as const;
const smsStates = ['waiting', 'sending', 'sent', 'refused', 'cancelled', 'given-up'] as const;

export class OfficeMetrics {
  readonly registry = new Registry();
  /** Feed requests answered, by locker and outcome (`served`, `cursor-ahead`). */
  readonly pulls = new Counter({ name: 'urzedomat_office_feed_pulls_total', help: 'Feed pulls answered to lockers, by outcome.', labelNames: ['locker', 'outcome'] as const, registers: [this.registry] });
  readonly pushes = new Counter({ name: 'urzedomat_office_event_pushes_total', help: 'Event pushes accepted from lockers (MAC verified, acknowledgement sent).', labelNames: ['locker'] as const, registers: [this.registry] });
  readonly eventsReceived = new Counter({ name: 'urzedomat_office_events_received_total', help: 'Events in accepted pushes, resends included.', labelNames: ['locker'] as const, registers: [this.registry] });
  readonly eventsStored = new Counter({ name: 'urzedomat_office_events_stored_total', help: 'Events taken in: new (locker, seq) pairs stored.', labelNames: ['locker'] as const, registers: [this.registry] });
  readonly eventConflicts = new Counter({ name: 'urzedomat_office_event_conflicts_total', help: 'Events resent with other content under a seq already seen (recorded, never applied).', labelNames: ['locker'] as const, registers: [this.registry] });

  constructor(ctx: OfficeContext) {
    const registers = [this.registry];
    const db = ctx.db;
    let limiter: AuthFailureLimiter | undefined;
    this.watchLimiter = (l) => (limiter = l);
    new Counter({
      name: 'urzedomat_office_auth_failures_total',
      help: 'Authentication failures of lockers and API clients (bad token, bad MAC) on this node.',
      registers,
      collect() {
        this.reset();
        this.inc(limiter?.total ?? 0);
      },
    });
    const databaseUp = new Gauge({ name: 'urzedomat_office_database_up', help: 'Whether the last scrape could read the database (1) or not (0).', registers });
    const documents = new Gauge({ name: 'urzedomat_office_documents', help: 'Documents by locker and status, read from the database at scrape time.', labelNames: ['locker', 'status'] as const, registers });
    const sms = new Gauge({ name: 'urzedomat_office_sms_jobs', help: 'Text message jobs by state, read from the database at scrape time.', labelNames: ['state'] as const, registers });
    const alarms = new Gauge({ name: 'urzedomat_office_open_alarms', help: 'Alarms not yet dealt with, by locker and kind.', labelNames: ['locker', 'kind'] as const, registers });
    const lastPull = new Gauge({ name: 'urzedomat_office_locker_last_pull_timestamp_seconds', help: "A locker's last feed pull as recorded (Unix time); absent before its first.", labelNames: ['locker'] as const, registers });

    /** The gauges from the database, all read before any is changed, so a scrape never shows half of them. */
    this.refresh = async () => {
      try {
        const [lockers, docs, jobs, open] = await Promise.all([
          db.query<{ id: string; last_pull_at: Date | null }>('SELECT id, last_pull_at FROM locker'),
          db.query<{ locker_id: string; status: string; n: number }>('SELECT locker_id, status, count(*) AS n FROM document GROUP BY locker_id, status'),
          db.query<{ state: string; n: number }>('SELECT state, count(*) AS n FROM sms_job GROUP BY state'),
          db.query<{ locker_id: string; kind: string; n: number }>('SELECT locker_id, kind, count(*) AS n FROM locker_alarm WHERE resolved_at IS NULL GROUP BY locker_id, kind'),
        ]);
        for (const g of [documents, sms, alarms, lastPull]) g.reset();
        for (const l of lockers.rows) {
          for (const status of documentStatuses) documents.set({ locker: l.id, status }, 0);
          if (l.last_pull_at !== null) lastPull.set({ locker: l.id }, l.last_pull_at.getTime() / 1000);
        }
        for (const r of docs.rows) documents.set({ locker: r.locker_id, status: r.status }, Number(r.n));
        for (const state of smsStates) sms.set({ state }, 0);
        for (const r of jobs.rows) sms.set({ state: r.state }, Number(r.n));
        for (const r of open.rows) alarms.set({ locker: r.locker_id, kind: r.kind }, Number(r.n));
        databaseUp.set(1);
      } catch (e) {
        ctx.log.warn({ err: (e as Error).message }, 'metrics: the database could not be read');
        for (const g of [documents, sms, alarms, lastPull]) g.reset();
        databaseUp.set(0);
      }
    };
  }

  /** Reads the gauges that come from the database. */
  readonly refresh: () => Promise<void>;
  /** Where the authentication failures are counted. */
  readonly watchLimiter: (l: AuthFailureLimiter) => void;
}

const perContext = new WeakMap<OfficeContext, OfficeMetrics>();

/** The one set of metrics of this office process (tests may run several offices in one process: one each). */
export function officeMetrics(ctx: OfficeContext): OfficeMetrics {
  let m = perContext.get(ctx);
  if (m === undefined) {
    m = new OfficeMetrics(ctx);
    perContext.set(ctx, m);
  }
  return m;
}

export function metricsRoutes(ctx: OfficeContext, limiter: AuthFailureLimiter) {
  return async (app: FastifyInstance): Promise<void> => {
    const m = officeMetrics(ctx);
    m.watchLimiter(limiter);
    // Scraped every few seconds: not worth a log line each.
    app.get('/metrics', { logLevel: 'warn' }, async (req, reply) => {
      if (req.headers.forwarded !== undefined || req.headers['x-forwarded-for'] !== undefined) {
        return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('Forbidden: /metrics is served on the office host only, not through a proxy\n');
      }
      await m.refresh();
      return reply.header('content-type', m.registry.contentType).header('cache-control', 'no-store').send(await m.registry.metrics());
    });
  };
}
