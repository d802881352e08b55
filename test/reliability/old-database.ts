/**
 * A database as a locker in service for a year would have it at schema version 1, for the migration moments of
 * the power-cut campaign: enough rows that migrating it takes a measurable time to aim a kill into.
 */
import Database from 'better-sqlite3';
import type { Clock } from '../../src/clock.js';
import { migrate, readMigrations, type Migration } from '../../src/store/migrator.js';
import { AuditLog } from '../../src/store/audit.js';
import { openDatabase } from '../../src/store/open.js';
import { migrationsDir } from '../../src/paths.js';

export const allMigrations: Migration[] = readMigrations(migrationsDir);

const fixed: Clock = { wallMs: () => Date.parse('2026-01-01T00:00:00Z'), monoMs: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };

export function buildOldDatabase(file: string, rows: number): { authorizations: number; auditRows: number } {
  const db = openDatabase(file);
  migrate(db, allMigrations.slice(0, 1));
  const audit = new AuditLog(db, fixed);
  db.transaction(() => {
    for (let c = 1; c <= 8; c++) db.prepare("INSERT INTO compartment (id, board, lock, size, updated_at) VALUES (?, 0, ?, 'S', '2026-01-01T00:00:00Z')").run(c, c);
    const auth = db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, status, closed_at, feed_seq)
      VALUES (?, 'USC.1', 'odpis-skrocony-aktu-urodzenia', 'S', ?, ?, '2026-02-01T00:00:00Z', 1, 1, 0, 'collected', '2026-01-10T00:00:00Z', ?)`);
    const intent = db.prepare("INSERT INTO unlock_intent (compartment_id, purpose, authorization_id, actor, status, created_at, resolved_at) VALUES (?, 'release', ?, 'resident', 'closed', '2026-01-10T00:00:00Z', '2026-01-10T00:00:01Z')");
    const guess = db.prepare("INSERT INTO guess_limit (scope, failures_in_row, updated_at) VALUES (?, 1, '2026-01-01T00:00:00Z')");
    for (let i = 0; i < rows; i++) {
      const mac = (i.toString(16) + 'a'.repeat(64)).slice(0, 64);
      auth.run(`O-${i}`, mac, mac, i + 1);
      intent.run((i % 8) + 1, `O-${i}`);
      if (i % 20 === 0) guess.run(`phone:${mac}`);
      audit.append({ actor: 'system', action: 'test.history', subject: `authorization:O-${i}` });
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { authorizations: rows, auditRows: rows };
}

/** The schema objects a database has after the first `version` migrations, to compare a killed one against. */
export function schemaAt(version: number): string[] {
  const db = new Database(':memory:');
  migrate(db, allMigrations.slice(0, version));
  const out = schemaOf(db);
  db.close();
  return out;
}

export function schemaOf(db: Database.Database): string[] {
  return (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[])
    .map((r) => `${r.type} ${r.name}: ${r.sql ?? ''}`);
}
