import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDocument } from '../../../office/documents.js';
import { feedBatch } from '../../../office/feed.js';
import { upsertStaff } from '../../../office/staff.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { payloadSchema } from '../../../src/wire/feed-schema.js';
import { registration, startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';

/**
 * The visibility trap of issue 15 on a real PostgreSQL server: with writers committing concurrently, a change
 * with seq N+1 must never be served while seq N is still uncommitted, or a locker that pulls in between moves
 * its cursor past N and never sees it. Many writers register documents (one change each) and set PINs (one
 * change to every locker) while readers pull as fast as they can, like lockers, each keeping its own cursor.
 * Every batch a reader gets must continue exactly where the previous one ended, and in the end every reader
 * has seen every change of its locker exactly once.
 */
describe('per-locker change log under concurrent writers (real PostgreSQL)', () => {
  let t: TestOffice;
  const lockers = ['l-a', 'l-b'];

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'postgres', config: { feed: { pageSize: 50, batchTtlS: 300 } } });
    for (const id of lockers) await t.addLocker(id);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await stopPostgresCluster();
  });

  it('no pull ever skips a change that commits later with a smaller seq', async () => {
    const ctx = t.office.ctx;
    const publicKey = createPublicKey(ctx.signing.publicKeyPem);
    let writing = true;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 60; i++) {
        const lockerId = lockers[(w + i) % lockers.length]!;
        const out = await registerDocument(ctx, registration(lockerId, { caseRef: `W${w}-${i}` }) as never, 'test');
        expect(out.ok).toBe(true);
        if (i % 15 === 0) await upsertStaff(ctx, { id: `S-${w}`, name: `Staff ${w}`, pin: String(1000 + i), roles: ['loader'] });
      }
    });
    const readers = lockers.flatMap((lockerId) =>
      [0, 1].map(async () => {
        let cursor = 0;
        const seen: number[] = [];
        const pull = async (): Promise<boolean> => {
          const answer = await feedBatch(ctx, lockerId, cursor);
          if (!answer.ok) throw new Error('refused');
          const opened = openEnvelope(answer.envelope, publicKey);
          if (!opened.ok) throw new Error(opened.reason);
          const p = payloadSchema.parse(opened.payload);
          // The batch continues exactly where the last one ended: no seq skipped, none repeated.
          p.changes.forEach((c, i) => expect(c.seq, `locker ${lockerId}: batch after ${p.after}`).toBe(p.after + i + 1));
          seen.push(...p.changes.map((c) => c.seq));
          cursor = p.last;
          return p.changes.length > 0;
        };
        while (writing) await pull();
        while (await pull());
        return { lockerId, seen };
      }),
    );
    await Promise.all(writers);
    writing = false;
    const results = await Promise.all(readers);
    for (const { lockerId, seen } of results) {
      const head = Number((await ctx.db.query<{ last: number }>('SELECT last FROM locker_log_head WHERE locker_id = $1', [lockerId])).rows[0]!.last);
      expect(seen).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    }
    // 480 registrations, 32 PIN settings sent to both lockers, and each locker's catalogue of 7 types.
    const total = results.reduce((n, r) => n + r.seen.length, 0) / 2;
    expect(total).toBe(480 + 32 * 2 + 14);
  }, 120_000);
});
