import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { auditHash, genesisHash, verifyAudit, type AuditRow } from '../../src/store/audit.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { Clock } from '../../src/clock.js';
import { tempDir } from '../helpers/fixtures.js';

const fixedClock: Clock = {
  wallMs: () => Date.parse('2026-11-25T10:00:00Z'),
  monoMs: () => 0,
  setTimeout: () => 0,
  clearTimeout: () => undefined,
};

let t: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  t = tempDir();
  store = openStore(t.dir, fixedClock);
});
afterEach(() => {
  store.close();
  t.cleanup();
});

function rows(): AuditRow[] {
  return store.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
}

function fill(n: number): void {
  for (let i = 0; i < n; i++) {
    store.audit.append({ actor: i % 2 === 0 ? 'system' : 'staff:S-1', action: 'compartment.unlock', subject: `compartment:${i + 1}`, detail: { i } });
  }
}

/** What an attacker with the database file can do: drop the guards first. */
function dropGuards(): void {
  for (const trg of ['audit_immutable', 'audit_delete_only_archived', 'audit_append_only', 'audit_advance_head']) {
    store.db.exec(`DROP TRIGGER IF EXISTS ${trg}`);
  }
}

describe('audit log hash chain', () => {
  it('links every row to the one before it', () => {
    fill(5);
    const r = rows();
    expect(r.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(r[0]!.prev_hash).toBe(genesisHash);
    for (let i = 1; i < r.length; i++) expect(r[i]!.prev_hash).toBe(r[i - 1]!.hash);
    for (const x of r) expect(x.hash).toBe(auditHash(x.prev_hash, x));
    expect(verifyAudit(store.db)).toEqual({ ok: true, rows: 5, lastSeq: 5 });
  });

  it('an empty log verifies', () => {
    expect(verifyAudit(store.db)).toEqual({ ok: true, rows: 0, lastSeq: 0 });
  });

  it('appends inside the caller’s transaction and vanishes with its rollback', () => {
    fill(2);
    expect(() => store.db.transaction(() => {
      store.audit.append({ actor: 'system', action: 'x' });
      throw new Error('abort');
    })()).toThrow('abort');
    fill(1);
    expect(rows().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(verifyAudit(store.db).ok).toBe(true);
  });

  it('the database refuses edits, deletions and out-of-order inserts while its guards stand', () => {
    fill(3);
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 2").run()).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/archived/);
    const r = rows()[2]!;
    expect(() => store.db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(9, r.at, r.actor, r.action, r.subject, r.detail, r.hash, r.hash)).toThrow(/appended/);
  });

  it.each([
    ['at', "'2020-01-01T00:00:00.000Z'"],
    ['actor', "'technician:someone-else'"],
    ['action', "'daemon.start'"],
    ['subject', "'compartment:99'"],
    ['detail', `'{"i":99}'`],
  ])('detects an edited %s', (column, value) => {
    fill(6);
    dropGuards();
    store.db.exec(`UPDATE audit_log SET ${column} = ${value} WHERE seq = 3`);
    expect(verifyAudit(store.db)).toEqual({ ok: false, seq: 3, problem: 'altered' });
  });

  it('detects an edit whose hash was recomputed (the next link breaks)', () => {
    fill(6);
    dropGuards();
    const r = rows()[2]!;
    const forged = { ...r, actor: 'nobody' };
    store.db.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 3').run(forged.actor, auditHash(r.prev_hash, forged));
    expect(verifyAudit(store.db)).toEqual({ ok: false, seq: 4, problem: 'broken-link' });
  });

  it('detects a deleted row in the middle and at the end', () => {
    fill(6);
    dropGuards();
    store.db.exec('DELETE FROM audit_log WHERE seq = 4');
    expect(verifyAudit(store.db)).toEqual({ ok: false, seq: 4, problem: 'gap' });
    store.db.exec('DELETE FROM audit_log WHERE seq >= 4');
    expect(verifyAudit(store.db)).toEqual({ ok: false, seq: 4, problem: 'tail-missing' });
  });

  it('detects a reordering of rows', () => {
    fill(6);
    dropGuards();
    store.db.exec('UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 100;');
    expect(verifyAudit(store.db)).toMatchObject({ ok: false, seq: 2 });
  });

  it('detects any random edit, deletion or reordering (property)', () => {
    const column = fc.constantFrom('at', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash');
    const tamper = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), column, text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
    );
    fill(12);
    dropGuards();
    const snapshot = rows();
    const restore = store.db.transaction(() => {
      store.db.exec('DELETE FROM audit_log');
      const ins = store.db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of snapshot) ins.run(r.seq, r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash);
    });
    fc.assert(
      fc.property(tamper, (tm) => {
        restore();
        const n = snapshot.length;
        const seq = (tm.at % n) + 1;
        if (tm.kind === 'edit') {
          const old = (snapshot[seq - 1] as unknown as Record<string, unknown>)[tm.column];
          const value = tm.column === 'detail' ? JSON.stringify({ t: tm.text }) : tm.column.endsWith('hash') ? 'f'.repeat(64) : tm.text;
          fc.pre(value !== old);
          store.db.prepare(`UPDATE audit_log SET ${tm.column} = ? WHERE seq = ?`).run(value, seq);
        } else if (tm.kind === 'delete') {
          store.db.prepare('DELETE FROM audit_log WHERE seq BETWEEN ? AND ?').run(seq, seq + tm.count - 1);
        } else {
          const other = (tm.other % n) + 1;
          fc.pre(other !== seq);
          store.db.prepare('UPDATE audit_log SET seq = -1 WHERE seq = ?').run(seq);
          store.db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq, other);
          store.db.prepare('UPDATE audit_log SET seq = ? WHERE seq = -1').run(other);
        }
        expect(verifyAudit(store.db).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
    restore();
    expect(verifyAudit(store.db).ok).toBe(true);
  });
});
