import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, UrzError } from '../errors.js';
import type { Db } from './open.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly sha256: string;
}

export interface MigrateResult {
  /** Versions applied by this call, in order. */
  readonly applied: number[];
  /** The database's version afterwards. */
  readonly version: number;
}

const fileName = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Reads `NNN_name.sql` files; the versions must run 1, 2, 3... with no gap and no twin. */
export function readMigrations(dir: string): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const m = fileName.exec(f);
    if (m === null) {
      throw new UrzError(ErrorCodes.MigrationFileInvalid, `migration file ${f} is not named NNN_name.sql`);
    }
    const sql = readFileSync(join(dir, f), 'utf8');
    out.push({ version: Number(m[1]), name: m[2]!, sql, sha256: createHash('sha256').update(sql).digest('hex') });
  }
  out.forEach((mig, i) => {
    if (mig.version !== i + 1) {
      throw new UrzError(ErrorCodes.MigrationFileInvalid, `migration versions must run 1, 2, 3...: expected ${i + 1}, found ${mig.version} (${mig.name})`);
    }
  });
  return out;
}

interface AppliedRow {
  version: number;
  name: string;
  sha256: string;
}

/** The database's version: the highest migration recorded in it (0 for a new database). */
export function schemaVersion(db: Db): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (exists === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the pending migrations in order, each in its own IMMEDIATE transaction together with its record,
 * so a failing migration leaves nothing behind and two processes cannot apply the same one. Refuses a
 * database that is newer than the code, or whose applied migrations were since edited.
 */
export function migrate(db: Db, migrations: readonly Migration[]): MigrateResult {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const known = migrations.length;
  const applied: number[] = [];

  const step = db.transaction((m: Migration) => {
    // Re-read inside the lock: another process may have applied it meanwhile.
    const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
    if (done !== undefined) return false;
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)').run(
      m.version, m.name, m.sha256, new Date().toISOString());
    db.pragma(`user_version = ${m.version}`);
    return true;
  });

  checkApplied(db, migrations, known);
  for (const m of migrations) {
    let ran: boolean;
    try {
      ran = step.immediate(m);
    } catch (e) {
      throw new UrzError(ErrorCodes.MigrationFailed, `migration ${String(m.version).padStart(3, '0')}_${m.name} failed and was rolled back: ${(e as Error).message}`, { cause: e });
    }
    if (ran) applied.push(m.version);
  }
  return { applied, version: schemaVersion(db) };
}

function checkApplied(db: Db, migrations: readonly Migration[], known: number): void {
  const rows = db.prepare('SELECT version, name, sha256 FROM schema_migrations ORDER BY version').all() as AppliedRow[];
  const newest = rows.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new UrzError(ErrorCodes.DbNewerThanCode, `database is at schema version ${newest} but this program knows only up to ${known}: install the newer program, or restore a backup`);
  }
  for (const r of rows) {
    const m = migrations[r.version - 1];
    if (m === undefined || m.sha256 !== r.sha256) {
      throw new UrzError(ErrorCodes.MigrationChanged, `migration ${r.version} (${r.name}) was changed after it was applied; add a new migration instead`);
    }
  }
}
