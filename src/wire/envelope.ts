import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * The signed envelope of contracts.md §5.2 and §5.3: `{"keyId", "payload": base64, "signature": base64}`, the
 * signature Ed25519 over the exact payload bytes. The office signs feed batches and event acknowledgements with
 * the same key; the locker opens either before it reads a byte of the payload.
 */

export const envelopeSchema = z.object({
  keyId: z.string().min(1).max(128),
  payload: z.string().min(1),
  signature: z.string().min(1).max(200),
});

/** The largest envelope the locker reads at all (10,000 authorizations take about 4 MB). */
export const maxEnvelopeBytes = 32 * 1024 * 1024;

/** What the office does to a payload (and the simulator and the tests): sign the exact bytes of its JSON. */
export function signedEnvelope(payload: unknown, privateKey: KeyObject, keyId = 'office-1'): string {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return JSON.stringify({ keyId, payload: bytes.toString('base64'), signature: sign(null, bytes, privateKey).toString('base64') });
}

export type EnvelopeRefusal = 'too-large' | 'envelope-malformed' | 'bad-signature' | 'payload-not-json';

export type Opened =
  | { readonly ok: true; readonly keyId: string; readonly payload: unknown }
  | { readonly ok: false; readonly reason: EnvelopeRefusal; readonly detail: string };

/**
 * Verifies an envelope and only then parses its payload as UTF-8 JSON. Total: any input gives a verdict,
 * never an exception, and nothing of an unverified payload is looked at.
 */
export function openEnvelope(body: Uint8Array | string, publicKey: KeyObject): Opened {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxEnvelopeBytes) return refuse('too-large', `${size} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return refuse('envelope-malformed', 'not JSON');
  }
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return refuse('envelope-malformed', envelope.error.issues[0]?.message ?? 'invalid');
  const payloadBytes = strictBase64(envelope.data.payload);
  const signature = strictBase64(envelope.data.signature);
  if (payloadBytes === undefined || signature === undefined) return refuse('envelope-malformed', 'not base64');
  let signed = false;
  try {
    signed = signature.length === 64 && verify(null, payloadBytes, publicKey, signature);
  } catch {
    signed = false;
  }
  if (!signed) return refuse('bad-signature', `keyId ${envelope.data.keyId}`);
  try {
    return { ok: true, keyId: envelope.data.keyId, payload: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes)) as unknown };
  } catch {
    return refuse('payload-not-json', 'payload is not UTF-8 JSON');
  }
}

function refuse(reason: EnvelopeRefusal, detail: string): Opened {
  return { ok: false, reason, detail };
}

/** Base64 that round-trips exactly; Node's decoder otherwise skips junk characters silently. */
function strictBase64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}
