import { verify, type KeyObject } from 'node:crypto';
import { envelopeSchema, payloadSchema, type FeedPayload } from './feed-schema.js';

/** Why a batch was refused; each is one distinct alarm, not one per poll. */
export type FeedRefusal =
  | 'too-large' | 'envelope-malformed' | 'bad-signature' | 'payload-not-json' | 'payload-malformed'
  | 'wrong-locker' | 'wrong-after' | 'seq-not-increasing' | 'wrong-last' | 'expired' | 'stale';

export type FeedVerdict = { readonly ok: true; readonly payload: FeedPayload } | { readonly ok: false; readonly reason: FeedRefusal; readonly detail: string };

export interface FeedExpectations {
  readonly lockerId: string;
  /** The locker's cursor: the batch must start right after it. */
  readonly cursor: number;
  /** serverTime of the newest batch applied so far (ms), if any: a batch expiring before it is stale. */
  readonly newestServerTimeMs: number | undefined;
  /** The locker's wall clock (ms) if it is trusted, else undefined. */
  readonly trustedNowMs: number | undefined;
}

/** The largest envelope the locker reads at all (10,000 authorizations take about 4 MB). */
export const maxEnvelopeBytes = 32 * 1024 * 1024;

/**
 * Verifies a feed batch before anything in its payload is read: the Ed25519 signature over the exact payload
 * bytes first, then lockerId, continuity with the cursor, increasing seqs, `last`, and freshness (rollback,
 * replay and freeze attacks). Total: any input gives a verdict, never an exception.
 */
export function verifyFeed(body: Uint8Array | string, publicKey: KeyObject, want: FeedExpectations): FeedVerdict {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxEnvelopeBytes) return refuse('too-large', `${size} bytes`);
  let envelopeRaw: unknown;
  try {
    envelopeRaw = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return refuse('envelope-malformed', 'not JSON');
  }
  const envelope = envelopeSchema.safeParse(envelopeRaw);
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

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    return refuse('payload-not-json', 'payload is not UTF-8 JSON');
  }
  const parsed = payloadSchema.safeParse(raw);
  if (!parsed.success) return refuse('payload-malformed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; '));
  const p = parsed.data;
  if (p.lockerId !== want.lockerId) return refuse('wrong-locker', p.lockerId);
  if (p.after !== want.cursor) return refuse('wrong-after', `after ${p.after}, cursor ${want.cursor}`);
  let prev = p.after;
  for (const c of p.changes) {
    if (c.seq <= prev) return refuse('seq-not-increasing', `seq ${c.seq} after ${prev}`);
    prev = c.seq;
  }
  if (p.last !== prev) return refuse('wrong-last', `last ${p.last}, final seq ${prev}`);
  const expiresAt = Date.parse(p.expiresAt);
  if (want.newestServerTimeMs !== undefined && !(expiresAt > want.newestServerTimeMs)) return refuse('stale', `expires ${p.expiresAt}`);
  if (want.trustedNowMs !== undefined && !(want.trustedNowMs < expiresAt)) return refuse('expired', `expired ${p.expiresAt}`);
  return { ok: true, payload: p };
}

function refuse(reason: FeedRefusal, detail: string): FeedVerdict {
  return { ok: false, reason, detail };
}

/** Base64 that round-trips exactly; Node's decoder otherwise skips junk characters silently. */
function strictBase64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}
