import { lockerStatusSchema, type CompartmentCounts } from '../src/wire/locker-status.js';
import type { Queryable } from './db/db.js';

export interface LockerHealth {
  readonly id: string;
  readonly name: string;
  readonly lastPullAt: string | null;
  readonly cursor: number;
  readonly eventsThrough: number;
  readonly lastEventAt: string | null;
  readonly feedHead: number;
  readonly openAlarms: ReadonlyArray<{ kind: string; compartment: number | null; at: string; seq: number }>;
}

/** `GET /api/v1/lockers/{id}`: what the office knows of a locker's health. */
export async function lockerHealth(db: Queryable, id: string): Promise<LockerHealth | undefined> {
  const r = await db.query<{ id: string; name: string; last_pull_at: Date | null; cursor: number; events_through: number; last_event_at: Date | null; last: number }>(
    'SELECT l.id, l.name, l.last_pull_at, l.cursor, l.events_through, l.last_event_at, h.last FROM locker l JOIN locker_log_head h ON h.locker_id = l.id WHERE l.id = $1',
    [id],
  );
  const l = r.rows[0];
  if (l === undefined) return undefined;
  const alarms = await db.query<{ kind: string; compartment: number | null; at: Date; event_seq: number }>(
    'SELECT kind, compartment, at, event_seq FROM locker_alarm WHERE locker_id = $1 AND resolved_at IS NULL ORDER BY event_seq',
    [id],
  );
  return {
    id: l.id,
    name: l.name,
    lastPullAt: l.last_pull_at?.toISOString() ?? null,
    cursor: Number(l.cursor),
    eventsThrough: Number(l.events_through),
    lastEventAt: l.last_event_at?.toISOString() ?? null,
    feedHead: Number(l.last),
    openAlarms: alarms.rows.map((a) => ({ kind: a.kind, compartment: a.compartment, at: a.at.toISOString(), seq: Number(a.event_seq) })),
  };
}

/** Each locker's newest `locker.status`, as the panel's lockers view shows it. */
export interface LockerStatusView {
  readonly seq: number;
  /** When the locker saw it (the event's `at`). */
  readonly at: Date;
  readonly boards: ReadonlyArray<{ address: number; online: boolean }>;
  readonly compartments: CompartmentCounts;
}

export interface LockerOverview {
  readonly id: string;
  readonly name: string;
  readonly lastPullAt: Date | null;
  /** The feed position the locker confirmed, and the office's head of that feed. */
  readonly cursor: number;
  readonly feedHead: number;
  /** The last event seq received with every earlier one, and when an event last came in. */
  readonly eventsThrough: number;
  readonly lastEventAt: Date | null;
  /** The events the locker said at its last pull it holds unacknowledged; null when it never said. */
  readonly eventsWaiting: number | null;
  readonly status: LockerStatusView | null;
  /** The newest `audit.head` the locker sent: the audit row it names and when the locker took it. */
  readonly auditHead: { readonly auditSeq: number | null; readonly at: Date } | null;
  readonly openAlarms: number;
}

export interface AlarmView {
  readonly id: number;
  readonly seq: number;
  readonly kind: string;
  readonly compartment: number | null;
  readonly at: Date;
  readonly mailedAt: Date | null;
  /** Whether an e-mail told of it (false: none was needed, or none sent yet). */
  readonly mailed: boolean;
  readonly resolvedAt: Date | null;
  readonly resolvedBy: string | null;
  readonly resolvedByName: string | null;
}

export interface LockerDetail extends LockerOverview {
  readonly open: readonly AlarmView[];
  /** The most recently dealt with, newest first. */
  readonly resolved: readonly AlarmView[];
}

/**
 * Brings `locker_status` up to each locker's newest `locker.status` event (all lockers, or one). The events are
 * kept in `locker_event` by the push as every other type is; this reads the newest by seq through a partial
 * index, so it is cheap to run before every look. A malformed newest event is left out.
 */
export async function absorbLockerStatus(db: Queryable, lockerId?: string): Promise<number> {
  const r = await db.query<{ locker_id: string; seq: number; at: Date; body: string }>(
    `SELECT l.id AS locker_id, e.seq, e.at, e.body
       FROM locker l
       LEFT JOIN locker_status s ON s.locker_id = l.id
       CROSS JOIN LATERAL (SELECT seq, at, body FROM locker_event e
                            WHERE e.locker_id = l.id AND e.type = 'locker.status' AND e.seq > COALESCE(s.event_seq, 0)
                            ORDER BY e.seq DESC LIMIT 1) e
      WHERE $1::text IS NULL OR l.id = $1::text`,
    [lockerId ?? null],
  );
  let written = 0;
  for (const row of r.rows) {
    let data: unknown;
    try {
      data = (JSON.parse(row.body) as { data?: unknown }).data;
    } catch {
      continue;
    }
    const s = lockerStatusSchema.safeParse(data);
    if (!s.success) continue;
    const c = s.data.compartments;
    const w = await db.query(
      `INSERT INTO locker_status (locker_id, event_seq, at, boards, free, occupied, open, reserved, fault, disabled)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (locker_id) DO UPDATE SET event_seq = EXCLUDED.event_seq, at = EXCLUDED.at, boards = EXCLUDED.boards, free = EXCLUDED.free,
         occupied = EXCLUDED.occupied, open = EXCLUDED.open, reserved = EXCLUDED.reserved, fault = EXCLUDED.fault, disabled = EXCLUDED.disabled
       WHERE locker_status.event_seq < EXCLUDED.event_seq`,
      [row.locker_id, Number(row.seq), row.at, JSON.stringify(s.data.boards.map((b) => ({ address: b.address, online: b.online }))), c.free, c.occupied, c.open, c.reserved, c.fault, c.disabled],
    );
    written += w.rowCount;
  }
  return written;
}

interface OverviewRow {
  id: string;
  name: string;
  last_pull_at: Date | null;
  events_waiting: number | null;
  cursor: number;
  feed_head: number;
  events_through: number;
  last_event_at: Date | null;
  status_seq: number | null;
  status_at: Date | null;
  boards: unknown;
  free: number | null;
  occupied: number | null;
  open: number | null;
  reserved: number | null;
  fault: number | null;
  disabled: number | null;
  audit_at: Date | null;
  audit_body: string | null;
  open_alarms: number;
}

const overviewSql = `
  SELECT l.id, l.name, l.last_pull_at, l.events_waiting, l.cursor, h.last AS feed_head, l.events_through, l.last_event_at,
         s.event_seq AS status_seq, s.at AS status_at, s.boards, s.free, s.occupied, s.open, s.reserved, s.fault, s.disabled,
         a.at AS audit_at, a.body AS audit_body,
         (SELECT count(*) FROM locker_alarm x WHERE x.locker_id = l.id AND x.resolved_at IS NULL) AS open_alarms
    FROM locker l
    JOIN locker_log_head h ON h.locker_id = l.id
    LEFT JOIN locker_status s ON s.locker_id = l.id
    LEFT JOIN LATERAL (SELECT at, body FROM locker_event e WHERE e.locker_id = l.id AND e.type = 'audit.head' ORDER BY e.seq DESC LIMIT 1) a ON true`;

function overview(r: OverviewRow): LockerOverview {
  const boards = typeof r.boards === 'string' ? (JSON.parse(r.boards) as unknown) : r.boards;
  let auditSeq: number | null = null;
  if (r.audit_body !== null) {
    try {
      const seq = (JSON.parse(r.audit_body) as { data?: { seq?: unknown } }).data?.seq;
      auditSeq = typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
    } catch {
      auditSeq = null;
    }
  }
  return {
    id: r.id,
    name: r.name,
    lastPullAt: r.last_pull_at,
    eventsWaiting: r.events_waiting === null ? null : Number(r.events_waiting),
    cursor: Number(r.cursor),
    feedHead: Number(r.feed_head),
    eventsThrough: Number(r.events_through),
    lastEventAt: r.last_event_at,
    status:
      r.status_seq === null || r.status_at === null
        ? null
        : {
            seq: Number(r.status_seq),
            at: r.status_at,
            boards: Array.isArray(boards) ? (boards as { address: number; online: boolean }[]) : [],
            compartments: { free: Number(r.free), occupied: Number(r.occupied), open: Number(r.open), reserved: Number(r.reserved), fault: Number(r.fault), disabled: Number(r.disabled) },
          },
    auditHead: r.audit_at === null ? null : { auditSeq, at: r.audit_at },
    openAlarms: Number(r.open_alarms),
  };
}

/** Every locker, for the panel's table: pulls, feed and events, the newest status and audit head, open alarms. */
export async function lockersOverview(db: Queryable): Promise<LockerOverview[]> {
  await absorbLockerStatus(db);
  const r = await db.query<OverviewRow>(`${overviewSql} ORDER BY l.name, l.id`);
  return r.rows.map(overview);
}

const alarmSql = `
  SELECT a.id, a.event_seq, a.kind, a.compartment, a.at, a.mailed_at, a.mail_id, a.resolved_at, a.resolved_by, c.name AS resolved_by_name
    FROM locker_alarm a LEFT JOIN clerk c ON c.login = a.resolved_by
   WHERE a.locker_id = $1`;

interface AlarmRow {
  id: number;
  event_seq: number;
  kind: string;
  compartment: number | null;
  at: Date;
  mailed_at: Date | null;
  mail_id: number | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolved_by_name: string | null;
}

const alarmView = (a: AlarmRow): AlarmView => ({
  id: Number(a.id),
  seq: Number(a.event_seq),
  kind: a.kind,
  compartment: a.compartment,
  at: a.at,
  mailedAt: a.mailed_at,
  mailed: a.mail_id !== null,
  resolvedAt: a.resolved_at,
  resolvedBy: a.resolved_by,
  resolvedByName: a.resolved_by_name,
});

/** One locker for its page: the overview, its open alarms (oldest first) and the last `resolvedLimit` dealt with. */
export async function lockerDetail(db: Queryable, id: string, resolvedLimit = 50): Promise<LockerDetail | undefined> {
  await absorbLockerStatus(db, id);
  const r = await db.query<OverviewRow>(`${overviewSql} WHERE l.id = $1`, [id]);
  const row = r.rows[0];
  if (row === undefined) return undefined;
  const open = await db.query<AlarmRow>(`${alarmSql} AND a.resolved_at IS NULL ORDER BY a.at, a.id`, [id]);
  const resolved = await db.query<AlarmRow>(`${alarmSql} AND a.resolved_at IS NOT NULL ORDER BY a.resolved_at DESC, a.id DESC LIMIT $2`, [id, resolvedLimit]);
  return { ...overview(row), open: open.rows.map(alarmView), resolved: resolved.rows.map(alarmView) };
}

/**
 * A clerk dealt with an alarm: who and when are recorded, and it leaves the open alarms (the panel's and the
 * API's). An alarm already dealt with keeps its first record; the answer says who that was.
 */
export async function resolveAlarm(
  db: Queryable, lockerId: string, alarmId: number, by: string, at: Date,
): Promise<{ readonly result: 'resolved' } | { readonly result: 'already'; readonly by: string | null; readonly at: Date | null } | { readonly result: 'not-found' }> {
  const r = await db.query('UPDATE locker_alarm SET resolved_at = $4, resolved_by = $3 WHERE id = $2 AND locker_id = $1 AND resolved_at IS NULL', [lockerId, alarmId, by, at]);
  if (r.rowCount > 0) return { result: 'resolved' };
  const seen = await db.query<{ resolved_at: Date | null; resolved_by: string | null }>('SELECT resolved_at, resolved_by FROM locker_alarm WHERE id = $2 AND locker_id = $1', [lockerId, alarmId]);
  const a = seen.rows[0];
  return a === undefined ? { result: 'not-found' } : { result: 'already', by: a.resolved_by, at: a.resolved_at };
}
