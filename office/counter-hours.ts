import { z } from 'zod';

/**
 * The registry office counter's opening hours, for the statistics: a document collected at the locker outside
 * them is one a resident could not have collected at the counter, the reason the city built the locker.
 *
 * The locker has its own copy of office hours (`kiosk.serviceHours`, shown to residents on its screen), but the
 * office does not import the locker's code: it keeps these in its own config, `stats.counterHours`, in the same
 * form (per weekday, a list of `HH:MM-HH:MM` spans, local time in Częstochowa). Without the key: Monday
 * 8:00-18:00, Tuesday to Friday 8:00-16:00, closed at the weekend (the civil registry office's hours).
 */

/** Where the office is: its days and hours are Europe/Warsaw's, summer time included. */
export const officeTimeZone = 'Europe/Warsaw';

const span = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'opening hours as HH:MM-HH:MM')
  .refine((s) => s.slice(0, 5) < s.slice(6), 'the opening time must come before the closing time');
const day = z.array(span).max(4);

export const counterHoursSchema = z.strictObject({
  mon: day.default(['08:00-18:00']),
  tue: day.default(['08:00-16:00']),
  wed: day.default(['08:00-16:00']),
  thu: day.default(['08:00-16:00']),
  fri: day.default(['08:00-16:00']),
  sat: day.default([]),
  sun: day.default([]),
});

export type CounterHours = z.output<typeof counterHoursSchema>;

export const defaultCounterHours: CounterHours = counterHoursSchema.parse({});

/** ISO weekday numbers (1 = Monday ... 7 = Sunday) to the config's keys. */
const isoDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Whether the counter is open on ISO weekday `isoDow` (1-7) at local time `hhmm` ("HH:MM"): a span includes its
 * opening minute and excludes its closing one (16:00 on a Tuesday is after hours).
 */
export function counterOpen(hours: CounterHours, isoDow: number, hhmm: string): boolean {
  const key = isoDays[isoDow - 1];
  if (key === undefined) return false;
  return hours[key].some((s) => s.slice(0, 5) <= hhmm && hhmm < s.slice(6));
}
