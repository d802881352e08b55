import { sign } from 'node:crypto';
import { readPage } from './change-log.js';
import type { OfficeContext } from './context.js';

export type FeedAnswer = { readonly ok: true; readonly envelope: string; readonly last: number } | { readonly ok: false; readonly error: 'cursor-ahead'; readonly head: number };

/**
 * One signed batch of contracts.md §5.2: the committed changes after `after`, at most `feed.pageSize`.
 * The payload is put together from the changes' stored JSON texts and signed as bytes, so a pull costs one
 * indexed read and one Ed25519 signature. A cursor beyond the log's head means the office lost changes the
 * locker applied (a restored backup): refused, never answered with an empty batch that would hide it.
 */
export async function feedBatch(ctx: OfficeContext, lockerId: string, after: number): Promise<FeedAnswer> {
  const page = await readPage(ctx.db, lockerId, after, ctx.config.feed.pageSize);
  const head = page.head ?? 0;
  if (after > head) return { ok: false, error: 'cursor-ahead', head };
  const now = ctx.now();
  const payload =
    `{"lockerId":${JSON.stringify(lockerId)},"after":${after},"last":${page.last},"more":${page.more},` +
    `"serverTime":"${now.toISOString()}","expiresAt":"${new Date(now.getTime() + ctx.config.feed.batchTtlS * 1000).toISOString()}",` +
    `"changes":[${page.bodies.join(',')}]}`;
  const bytes = Buffer.from(payload, 'utf8');
  const envelope = JSON.stringify({ keyId: ctx.signing.keyId, payload: bytes.toString('base64'), signature: sign(null, bytes, ctx.signing.privateKey).toString('base64') });
  return { ok: true, envelope, last: page.last };
}
