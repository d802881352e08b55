import { z } from 'zod';

/**
 * The kiosk's part of the configuration: where it listens and what its screens say that only the office knows
 * (service hours, the e-services page, quiet hours at night, how the compartments sit in the cabinet).
 */

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(clock, 'a time as HH:MM (24-hour)');
const span = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'opening hours as HH:MM-HH:MM')
  .refine((s) => s.slice(0, 5) < s.slice(6), 'the opening time must come before the closing time');
const day = z.array(span).max(4);

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The seed office's hours: Mon, Wed, Thu, Fri 8:00-15:00; Tue 7:30-17:00; closed at the weekend. */
const serviceHours = z
  .strictObject({
    mon: day.default(['08:00-15:00']),
    tue: day.default(['07:30-17:00']),
    wed: day.default(['08:00-15:00']),
    thu: day.default(['08:00-15:00']),
    fri: day.default(['08:00-15:00']),
    sat: day.default([]),
    sun: day.default([]),
  });

/** The audible cue for each step; muted between quietFrom and quietTo (local time), which may span midnight. */
const sound = z.strictObject({
  enabled: z.boolean().default(true),
  quietFrom: hhmm.default('22:00'),
  quietTo: hhmm.default('07:00'),
});

export const kioskSchema = z.strictObject({
  /** Loopback by default: the touch screen's browser runs on the same machine. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(8080),
  /** Named in messages that send the resident to the counter. */
  officeName: z.string().min(1).max(120).default('Urząd Stanu Cywilnego w Częstochowie'),
  serviceHours: serviceHours.prefault({}),
  /** The city's e-services page, shown as a QR code on the information screen. */
  eServicesUrl: z.url({ protocol: /^https$/, error: 'an https:// address' }).default('https://www.czestochowa.pl/'),
  sound: sound.prefault({}),
  /**
   * How long a resident's screen waits for input before it returns to the start. Never under 60 s: people
   * who read slowly, or who need to find their phone, must not be timed out.
   */
  residentIdleS: z.number().int().min(60).max(600).default(90),
  /** The staff screens log out after this long without a touch (the API's token lasts 10 minutes). */
  staffIdleS: z.number().int().min(60).max(600).default(300),
  /**
   * The cabinet's front as the resident sees it: columns left to right, each a list of compartment ids top to
   * bottom. Absent: the compartments in configuration order, four to a column.
   */
  columns: z.array(z.array(z.number().int().min(1)).min(1)).min(1).optional(),
});

export type KioskConfig = z.output<typeof kioskSchema>;
