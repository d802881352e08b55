import { z } from 'zod';

/**
 * The office feed's wire format (contracts.md 5.2). The payload is read only after its envelope's signature verified
 * (envelope.ts). Objects are loose (`z.object`) where the office may add fields later, strict where an
 * unexpected key would change meaning.
 */

export const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), 'an ISO-8601 time');
const mac = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex characters');
const id = z.string().min(1).max(128);

const documentType = z.object({
  code: z.string().min(1).max(128),
  namePl: z.string().max(500),
  nameEn: z.string().max(500),
  lockerRelease: z.boolean(),
  legalBasis: z.string().max(2_000).default(''),
});

const authorization = z.object({
  id,
  caseRef: z.string().max(200),
  documentType: z.string().min(1).max(128),
  size: z.enum(['S', 'M', 'L']),
  phoneMac: mac,
  codeMac: mac,
  expiresAt: isoTime,
  feeSettled: z.boolean(),
  consent: z.boolean(),
  accessible: z.boolean().default(false),
});

const staff = z.object({
  id,
  name: z.string().max(200),
  pinMac: mac,
  roles: z.array(z.string().max(64)).max(20),
  active: z.boolean(),
});

const seq = z.number().int().positive();

export const changeSchema = z.discriminatedUnion('type', [
  z.object({ seq, type: z.literal('documentType.upsert'), documentType }),
  z.object({ seq, type: z.literal('authorization.upsert'), authorization }),
  z.object({ seq, type: z.literal('authorization.revoke'), id, reason: z.string().max(200) }),
  z.object({ seq, type: z.literal('staff.upsert'), staff }),
]);

export const payloadSchema = z.object({
  lockerId: z.string().min(1),
  after: z.number().int().nonnegative(),
  last: z.number().int().nonnegative(),
  more: z.boolean(),
  serverTime: isoTime,
  expiresAt: isoTime,
  changes: z.array(changeSchema).max(100_000),
});

export type FeedPayload = z.output<typeof payloadSchema>;
export type FeedChange = FeedPayload['changes'][number];
