import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { openEnvelope, signedEnvelope, type EnvelopeRefusal } from './envelope.js';
import { isoTime } from './feed-schema.js';

/** The office's answer to an event push (contracts.md §5.3), inside a signed envelope like the feed's. */
export const ackPayloadSchema = z.object({
  lockerId: z.string().min(1),
  ackedThrough: z.number().int().nonnegative(),
  serverTime: isoTime,
});

export type AckPayload = z.output<typeof ackPayloadSchema>;

/** What the office (and its simulator) answers a push with. */
export function signedAck(p: AckPayload, privateKey: KeyObject, keyId?: string): string {
  return signedEnvelope(p, privateKey, keyId);
}

export type AckRefusal = EnvelopeRefusal | 'payload-malformed' | 'wrong-locker' | 'beyond-sent';

export type AckVerdict =
  | { readonly ok: true; readonly ackedThrough: number; readonly serverTime: string }
  | { readonly ok: false; readonly reason: AckRefusal; readonly detail: string };

/**
 * An acknowledgement is believed only when its signature verifies, it names this locker and it does not
 * acknowledge an event the locker has not sent: anyone in the TLS path could otherwise make the locker drop
 * events the office never received.
 */
export function verifyAck(body: Uint8Array | string, publicKey: KeyObject, want: { lockerId: string; lastSentSeq: number }): AckVerdict {
  const opened = openEnvelope(body, publicKey);
  if (!opened.ok) return { ok: false, reason: opened.reason, detail: opened.detail };
  const parsed = ackPayloadSchema.safeParse(opened.payload);
  if (!parsed.success) return { ok: false, reason: 'payload-malformed', detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; ') };
  const p = parsed.data;
  if (p.lockerId !== want.lockerId) return { ok: false, reason: 'wrong-locker', detail: p.lockerId };
  if (p.ackedThrough > want.lastSentSeq) return { ok: false, reason: 'beyond-sent', detail: `ackedThrough ${p.ackedThrough}, last sent ${want.lastSentSeq}` };
  return { ok: true, ackedThrough: p.ackedThrough, serverTime: p.serverTime };
}
