/**
 * Campaign 5, audit tampering: someone with the database file in hand drops the guard triggers and edits,
 * deletes, reorders or forges audit rows (recomputing the forged row's own hash). Every trial starts from the
 * same intact log and must be caught by `verifyAudit` (what `urzedomat diag audit verify` and the selftest run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditHash, verifyAudit, type AuditRow } from '../../src/store/audit.js';
import { openStore } from '../../src/store/store.js';
import { ManualClock } from '../helpers/manual-clock.js';

export type TamperKind = 'edit' | 'forge' | 'delete' | 'delete-tail' | 'reorder';
export interface AuditReport { readonly rows: number; readonly trials: number; readonly detected: number; readonly byKind: Record<TamperKind, { tried: number; detected: number }> }

const columns = ['at', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash'] as const;

export function auditTampering(o: { trials: number; rows: number; seed?: number }): AuditReport {
  const dir = mkdtempSync(join(tmpdir(), 'urz-audit-'));
  const clock = new ManualClock();
  const store = openStore(dir, clock);
  let seed = o.seed ?? 7;
  const random = (n: number): number => Math.floor(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * n);
  try {
    const actors = ['system', 'resident', 'staff:S-1', 'technician:Jan Kowalski'];
    const actions = ['compartment.unlock', 'pickup.refused', 'staff.login', 'lockout.reset', 'alarm.tamper'];
    for (let i = 0; i < o.rows; i++) {
      clock.advance(1_000 + random(60_000));
      store.audit.append({ actor: actors[random(actors.length)]!, action: actions[random(actions.length)]!, subject: `compartment:${1 + random(24)}`, detail: { i } });
    }
    for (const t of ['audit_immutable', 'audit_delete_only_archived', 'audit_append_only', 'audit_advance_head']) store.db.exec(`DROP TRIGGER IF EXISTS ${t}`);
    const snapshot = store.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
    const n = snapshot.length;
    const ins = store.db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const restore = store.db.transaction(() => {
      store.db.exec('DELETE FROM audit_log');
      for (const r of snapshot) ins.run(r.seq, r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash);
    });
    const kinds: TamperKind[] = ['edit', 'forge', 'delete', 'delete-tail', 'reorder'];
    const byKind = Object.fromEntries(kinds.map((k) => [k, { tried: 0, detected: 0 }])) as AuditReport['byKind'];
    let detected = 0;
    for (let trial = 0; trial < o.trials; trial++) {
      restore();
      if (!verifyAudit(store.db).ok) throw new Error('the restored log does not verify');
      const kind = kinds[trial % kinds.length]!;
      const seq = 1 + random(n - 1); // any row but the last (the tail has its own kind)
      const row = snapshot[seq - 1]!;
      switch (kind) {
        case 'edit': {
          const column = columns[random(columns.length)]!;
          const value = column === 'detail' ? JSON.stringify({ i: -1 - trial }) : column.endsWith('hash') ? (row[column] === 'f'.repeat(64) ? 'e' : 'f').repeat(64) : `${row[column] ?? ''}x`;
          store.db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(value, seq);
          break;
        }
        case 'forge': {
          // A smarter attacker recomputes the forged row's hash; the next row's link still breaks.
          const forged = { ...row, actor: 'technician:nobody' };
          store.db.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = ?').run(forged.actor, auditHash(row.prev_hash, forged), seq);
          break;
        }
        case 'delete':
          store.db.prepare('DELETE FROM audit_log WHERE seq BETWEEN ? AND ?').run(seq, Math.min(n - 1, seq + random(3)));
          break;
        case 'delete-tail':
          store.db.prepare('DELETE FROM audit_log WHERE seq > ?').run(n - 1 - random(Math.min(5, n - 1)));
          break;
        case 'reorder': {
          const other = seq === 1 ? 2 : seq - 1 - random(seq - 1);
          store.db.prepare('UPDATE audit_log SET seq = -1 WHERE seq = ?').run(seq);
          store.db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq, other);
          store.db.prepare('UPDATE audit_log SET seq = ? WHERE seq = -1').run(other);
          break;
        }
      }
      byKind[kind].tried += 1;
      if (!verifyAudit(store.db).ok) {
        byKind[kind].detected += 1;
        detected += 1;
      }
    }
    return { rows: n, trials: o.trials, detected, byKind };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
