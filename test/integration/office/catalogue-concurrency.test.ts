import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveDocumentType } from '../../../office/catalogue.js';
import type { Db } from '../../../office/db/db.js';
import { feedBatch } from '../../../office/feed.js';
import { addLocker } from '../../../office/lockers.js';
import { upsertStaff } from '../../../office/staff.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { payloadSchema, type FeedChange } from '../../../src/wire/feed-schema.js';
import { startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';

/**
 * A catalogue change and a locker being added at the same moment, on a real PostgreSQL server: the new locker
 * copies the catalogue into its log while the change is appended to every known locker's log. Whichever way
 * the two interleave, every locker must end up with the catalogue's final word on the type; otherwise a locker
 * could go on releasing a type the office has withdrawn. Other feed writers (staff PINs) run meanwhile, and
 * nothing may deadlock.
 */
describe('catalogue changes while lockers are being added (real PostgreSQL)', () => {
  let t: TestOffice;
  const code = 'odpis-skrocony-aktu-urodzenia';

  beforeAll(async () => {
    t = await startTestOffice({ backend: 'postgres' });
    await t.addLocker('c-0');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await stopPostgresCluster();
  });

  async function changesOf(lockerId: string): Promise<FeedChange[]> {
    const publicKey = createPublicKey(t.office.ctx.signing.publicKeyPem);
    const all: FeedChange[] = [];
    let cursor = 0;
    for (;;) {
      const answer = await feedBatch(t.office.ctx, lockerId, cursor);
      if (!answer.ok) throw new Error('refused');
      const opened = openEnvelope(answer.envelope, publicKey);
      if (!opened.ok) throw new Error(opened.reason);
      const p = payloadSchema.parse(opened.payload);
      all.push(...p.changes);
      cursor = p.last;
      if (!p.more) return all;
    }
  }

  const lastWord = async (lockerId: string) =>
    (await changesOf(lockerId)).filter((c) => c.type === 'documentType.upsert' && c.documentType.code === code).at(-1);

  it('a locker that copied the catalogue just before a change still gets the change', async () => {
    // `office locker add`, paused right after it read the catalogue and before it commits: the moment a change
    // that does not yet see the new locker would otherwise leave it with the old catalogue.
    const ctx = t.office.ctx;
    let reached!: () => void;
    const atCopy = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const paused: Db = {
      kind: ctx.db.kind,
      query: (sql, params) => ctx.db.query(sql, params),
      exec: (sql) => ctx.db.exec(sql),
      close: () => ctx.db.close(),
      transaction: (fn) =>
        ctx.db.transaction((tx) =>
          fn({
            exec: (sql) => tx.exec(sql),
            query: async (sql, params) => {
              const r = await tx.query(sql, params);
              if (/FROM document_type/.test(sql)) {
                reached();
                await gate;
              }
              return r as never;
            },
          }),
        ),
    };
    const adding = addLocker(paused, ctx.vault, 'c-late', 'Late locker');
    await atCopy;
    let saved = false;
    const withdrawn = { code, namePl: 'Odpis skrócony aktu urodzenia', nameEn: 'Short birth certificate', lockerRelease: false, legalBasis: 'wycofany' };
    const saving = saveDocumentType(ctx.db, withdrawn, 'update').then((r) => ((saved = true), r));
    await new Promise((r) => setTimeout(r, 500));
    const savedMeanwhile = saved;
    release();
    await adding;
    // The change waited for the locker being added (which holds a log head) rather than skip it.
    expect(savedMeanwhile).toBe(false);
    expect(await saving).toEqual({ ok: true, changed: true, lockers: 2 });
    expect(await lastWord('c-late')).toMatchObject({ documentType: withdrawn });
    expect(await lastWord('c-0')).toMatchObject({ documentType: withdrawn });
  });

  it('every locker, old or new, ends with the type as the catalogue last says it', async () => {
    const ctx = t.office.ctx;
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      await Promise.all([
        // Two edits racing each other and the new locker; then the locker, started a moment into the edits.
        ...[0, 1].map((k) =>
          saveDocumentType(ctx.db, { code, namePl: 'Odpis skrócony aktu urodzenia', nameEn: 'Short birth certificate', lockerRelease: (round + k) % 2 === 0, legalBasis: `runda ${round}.${k}` }, 'update').then((r) => expect(r.ok).toBe(true)),
        ),
        addLocker(ctx.db, ctx.vault, `c-${round + 1}`, `Locker ${round + 1}`),
        upsertStaff(ctx, { id: `S-${round}`, name: 'Ewa Zych', pin: '4821', roles: ['loader'] }),
      ]);
    }
    const final = (await ctx.db.query<{ locker_release: boolean; legal_basis: string }>('SELECT locker_release, legal_basis FROM document_type WHERE code = $1', [code])).rows[0]!;
    const ids = await ctx.lockers.allIds();
    expect(ids).toHaveLength(rounds + 2);
    for (const id of ids) {
      expect(await lastWord(id), id).toMatchObject({ documentType: { lockerRelease: final.locker_release, legalBasis: final.legal_basis } });
    }
  }, 120_000);
});
