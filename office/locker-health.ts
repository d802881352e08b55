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
