import { z } from 'zod';
import { isoTime } from './feed-schema.js';

/**
 * The locker's event push (contracts.md §5.3): the body's shape and the data of the event types the office
 * acts on. More types may be added; the office stores and ignores the ones it does not know.
 */
export const pushedEventSchema = z.strictObject({
  seq: z.number().int().positive(),
  type: z.string().min(1).max(64),
  at: isoTime,
  data: z.record(z.string(), z.unknown()),
});

export const pushBodySchema = z.strictObject({ events: z.array(pushedEventSchema).max(10_000) });

export type PushedEvent = z.output<typeof pushedEventSchema>;

const id = z.string().min(1).max(128);
const compartment = z.number().int().positive();

/** Data of the types in the table of §5.3. Loose: a locker may add fields. */
export const eventData = {
  'document.loaded': z.object({ authorizationId: id, compartment, staffId: z.string().max(128) }),
  'document.collected': z.object({ authorizationId: id, compartment, receiptId: z.string().min(1).max(128) }),
  'document.retrieved': z.object({ authorizationId: id, compartment, staffId: z.string().max(128), reason: z.string().max(200) }),
  'authorization.rejected': z.object({ authorizationId: id, reason: z.string().max(200) }),
  'compartment.fault': z.object({ compartment, kind: z.string().max(64) }),
  'technician.open': z.object({ compartment, reason: z.string().max(500), actor: z.string().max(200) }),
  alarm: z.object({ kind: z.string().min(1).max(64), compartment: compartment.optional() }),
} as const;

export type KnownEventType = keyof typeof eventData;
