/**
 * Calendar days as a clerk in Częstochowa means them: a date field's `YYYY-MM-DD` is a day in Warsaw time, whatever
 * the server's time zone, and across the changes to and from summer time.
 */

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Warsaw',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The calendar date and wall-clock time it is in Warsaw at that instant. */
export function warsawParts(d: Date): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
}

/** Warsaw's offset from UTC at that instant, in ms (3,600,000 in winter, 7,200,000 in summer). */
function offsetMs(at: Date): number {
  const p = warsawParts(at);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** `YYYY-MM-DD` of the day it is in Warsaw at that instant. */
export function warsawDay(at: Date): string {
  const p = warsawParts(at);
  return `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** A `YYYY-MM-DD` that names a real day, or undefined. */
export function parseDay(s: string): { y: number; m: number; d: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && y >= 2000 && y <= 2200 ? { y, m: mo, d } : undefined;
}

/** That day's wall-clock time in Warsaw as an instant; undefined for a malformed day. */
export function warsawTime(day: string, h: number, mi: number, s: number): Date | undefined {
  const p = parseDay(day);
  if (p === undefined) return undefined;
  const guess = Date.UTC(p.y, p.m - 1, p.d, h, mi, s);
  let t = guess - offsetMs(new Date(guess));
  const again = guess - offsetMs(new Date(t));
  if (again !== t) t = again;
  return new Date(t);
}

/** The first instant of the day in Warsaw. */
export const warsawDayStart = (day: string): Date | undefined => warsawTime(day, 0, 0, 0);

/** The last second of the day in Warsaw: a deadline "until the 8th" lets the resident collect all that day. */
export const warsawDayEnd = (day: string): Date | undefined => warsawTime(day, 23, 59, 59);

/** The day `n` days after `day`, as `YYYY-MM-DD`. */
export function addDays(day: string, n: number): string {
  const p = parseDay(day);
  if (p === undefined) throw new RangeError('not a day');
  return new Date(Date.UTC(p.y, p.m - 1, p.d + n)).toISOString().slice(0, 10);
}
