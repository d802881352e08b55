import { counterOpen, officeTimeZone, type CounterHours } from './counter-hours.js';
import type { Queryable } from './db/db.js';

/**
 * The statistics of the clerks' panel (issue 16): documents registered, loaded, collected and expired per day,
 * how long collected documents waited in the locker, and how many were collected while the counter was closed.
 *
 * Days are local days in Częstochowa (Europe/Warsaw). Every conversion between an instant and a local day or
 * time is made by the database (`AT TIME ZONE`), so a day's counts and its boundaries always agree.
 * - registered: `created_at` on that day; loaded: `loaded_at`; collected: `collected_at`;
 * - expired: documents whose status is `expired` and whose deadline (`expires_at`) fell on that day;
 * - waiting: from `loaded_at` to `collected_at`, for documents collected within the range.
 */

export interface StatsQuery {
  /** First and last day, inclusive, as YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  readonly lockerId?: string | undefined;
}

export interface DayStats {
  readonly date: string;
  readonly registered: number;
  readonly loaded: number;
  readonly collected: number;
  readonly expired: number;
  readonly collectedOutsideHours: number;
}

export interface WaitBucket {
  /** Waited at least `fromDays` days and less than `toDays` (undefined: no upper bound). */
  readonly fromDays: number;
  readonly toDays: number | undefined;
  readonly count: number;
}

export interface Stats {
  readonly query: StatsQuery;
  readonly days: readonly DayStats[];
  readonly totals: Omit<DayStats, 'date'>;
  readonly waiting: {
    /** Collected documents with a known load time. */
    readonly count: number;
    /** In hours; undefined without any collected document. */
    readonly medianHours: number | undefined;
    readonly p90Hours: number | undefined;
    readonly histogram: readonly WaitBucket[];
  };
  /** Collections by ISO weekday (1 = Monday), within and outside the counter's hours. */
  readonly byWeekday: ReadonlyArray<{ readonly isoDow: number; readonly within: number; readonly outside: number }>;
  /** Share of the range's collections made outside the counter's hours (0-1); undefined without collections. */
  readonly outsideShare: number | undefined;
}

/** The longest range the panel and the CSV accept: two years of days. */
export const maxRangeDays = 731;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `s` is a real calendar day written YYYY-MM-DD. */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string' || !datePattern.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `day` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The local date in Częstochowa at `now`, YYYY-MM-DD. */
export function officeToday(now: Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: officeTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The default range: the last `days` days up to today, today included. */
export function defaultRange(now: Date, days = 30): { from: string; to: string } {
  const to = officeToday(now);
  return { from: addDays(to, -(days - 1)), to };
}

/** The lockers a clerk may filter by. */
export async function lockerChoices(db: Queryable): Promise<Array<{ id: string; name: string }>> {
  return (await db.query<{ id: string; name: string }>('SELECT id, name FROM locker ORDER BY id')).rows;
}

export interface StatsOptions {
  readonly hours: CounterHours;
  /** Histogram buckets of one day each, from 0 to this many days; the last bucket takes everything longer. */
  readonly histogramDays: number;
}

export async function officeStats(db: Queryable, q: StatsQuery, o: StatsOptions): Promise<Stats> {
  // $1, $2: the first and last local day; $3: the time zone; $4: the locker or null.
  const params = [q.from, q.to, officeTimeZone, q.lockerId ?? null];
  const start = '($1::date::timestamp AT TIME ZONE $3)';
  const end = '(($2::date + 1)::timestamp AT TIME ZONE $3)';
  const locker = '($4::text IS NULL OR locker_id = $4::text)';
  const perDay = (column: string, extra = ''): string =>
    `SELECT to_char(${column} AT TIME ZONE $3, 'YYYY-MM-DD') AS day, count(*) AS n FROM document
      WHERE ${column} >= ${start} AND ${column} < ${end} AND ${locker}${extra} GROUP BY 1`;
  const counts = await db.query<{ what: string; day: string; n: number }>(
    `SELECT 'registered' AS what, day, n FROM (${perDay('created_at')}) r
     UNION ALL SELECT 'loaded', day, n FROM (${perDay('loaded_at')}) l
     UNION ALL SELECT 'expired', day, n FROM (${perDay('expires_at', " AND status = 'expired'")}) e`,
    params,
  );
  // One row per collection, with its local day, ISO weekday and time, and how long it waited.
  const collections = await db.query<{ local: string; waited_s: number | null }>(
    `SELECT to_char(collected_at AT TIME ZONE $3, 'YYYY-MM-DD ID HH24:MI') AS local,
            extract(epoch FROM collected_at - loaded_at)::float8 AS waited_s
       FROM document WHERE collected_at >= ${start} AND collected_at < ${end} AND ${locker}`,
    params,
  );

  const byDay = new Map<string, { registered: number; loaded: number; collected: number; expired: number; collectedOutsideHours: number }>();
  for (let i = 0, n = dayCount(q.from, q.to); i < n; i++) byDay.set(addDays(q.from, i), { registered: 0, loaded: 0, collected: 0, expired: 0, collectedOutsideHours: 0 });
  for (const r of counts.rows) {
    const d = byDay.get(r.day);
    if (d !== undefined && (r.what === 'registered' || r.what === 'loaded' || r.what === 'expired')) d[r.what] = Number(r.n);
  }
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((isoDow) => ({ isoDow, within: 0, outside: 0 }));
  const waits: number[] = [];
  for (const r of collections.rows) {
    const [day = '', dow = '', hhmm = ''] = r.local.split(' ');
    const outside = !counterOpen(o.hours, Number(dow), hhmm);
    const d = byDay.get(day);
    if (d !== undefined) {
      d.collected += 1;
      if (outside) d.collectedOutsideHours += 1;
    }
    const w = weekdays[Number(dow) - 1];
    if (w !== undefined) {
      if (outside) w.outside += 1;
      else w.within += 1;
    }
    if (r.waited_s !== null && r.waited_s >= 0) waits.push(Number(r.waited_s) / 3600);
  }

  const days = [...byDay].map(([date, d]) => ({ date, ...d }));
  const sum = (k: keyof Omit<DayStats, 'date'>): number => days.reduce((a, d) => a + d[k], 0);
  const totals = { registered: sum('registered'), loaded: sum('loaded'), collected: sum('collected'), expired: sum('expired'), collectedOutsideHours: sum('collectedOutsideHours') };
  waits.sort((a, b) => a - b);
  return {
    query: q,
    days,
    totals,
    waiting: { count: waits.length, medianHours: quantile(waits, 0.5), p90Hours: quantile(waits, 0.9), histogram: histogram(waits, o.histogramDays) },
    byWeekday: weekdays,
    outsideShare: totals.collected === 0 ? undefined : totals.collectedOutsideHours / totals.collected,
  };
}

/**
 * The q-quantile of sorted values, interpolating linearly between the two nearest ranks (so the median of an even
 * count is the mean of the middle two); undefined for none.
 */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function histogram(hours: readonly number[], lastDay: number): WaitBucket[] {
  const counts = new Array<number>(lastDay + 1).fill(0);
  for (const h of hours) counts[Math.min(Math.floor(h / 24), lastDay)]! += 1;
  return counts.map((count, i) => ({ fromDays: i, toDays: i === lastDay ? undefined : i + 1, count }));
}

const csvColumns = ['date', 'registered', 'loaded', 'collected', 'expired', 'collected_outside_hours'] as const;

/** One row a day, with a header row; CRLF line ends (RFC 4180). Only dates and numbers: nothing to quote. */
export function statsCsv(s: Stats): string {
  const rows = s.days.map((d) => [d.date, d.registered, d.loaded, d.collected, d.expired, d.collectedOutsideHours].join(','));
  return [csvColumns.join(','), ...rows].map((l) => `${l}\r\n`).join('');
}
