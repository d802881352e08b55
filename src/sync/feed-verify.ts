import type { KeyObject } from 'node:crypto';
import { openEnvelope, type EnvelopeRefusal } from '../wire/envelope.js';
import { payloadSchema, type FeedPayload } from '../wire/feed-schema.js';

/** Why a batch was refused; each is one distinct alarm, not one per poll. */
export type FeedRefusal =
  | EnvelopeRefusal | 'payload-malformed'
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

/**
 * Verifies a feed batch before anything in its payload is read: the Ed25519 signature over the exact payload
 * bytes first, then lockerId, continuity with the cursor, increasing seqs, `last`, and freshness (rollback,
 * replay and freeze attacks). Total: any input gives a verdict, never an exception.
 */
export function verifyFeed(body: Uint8Array | string, publicKey: KeyObject, want: FeedExpectations): FeedVerdict {
  const opened = openEnvelope(body, publicKey);
  if (!opened.ok) return refuse(opened.reason, opened.detail);
  const parsed = payloadSchema.safeParse(opened.payload);
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
