import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfficeError } from '../errors.js';
import { officeSourcePath } from '../paths.js';
import type { Db } from './db.js';

export interface OfficeMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly sha256: string;
}

/** `office/migrations`, from the source tree (tests) or beside the built program. */
export function officeMigrationsDir(): string {
  const dir = officeSourcePath('migrations');
  if (!existsSync(dir)) throw new OfficeError('migration-failed', `office migrations not found in ${dir}`);
  return dir;
}

export function readOfficeMigrations(dir = officeMigrationsDir()): OfficeMigration[] {
  const out = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const m = /^(\d{3})-([a-z0-9-]+)\.sql$/.exec(f);
      if (m === null) throw new OfficeError('migration-failed', `office migration file name ${f} is not NNN-name.sql`);
      const sql = readFileSync(join(dir, f), 'utf8');
      return { version: Number(m[1]), name: m[2]!, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    });
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new OfficeError('migration-failed', `office migrations must be numbered 1, 2, 3...: ${m.version} is number ${i + 1}`);
  });
  return out;
}

/**
 * Applies the missing migrations in order, each once, all in one transaction that first takes an advisory
 * lock: two office nodes starting at once on one server wait for each other instead of both migrating.
 * A database newer than the code, or whose applied migrations were edited since, is refused.
 */
export async function migrateOffice(db: Db, migrations = readOfficeMigrations()): Promise<{ applied: number[] }> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('urzedomat-office-migrate'))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS office_migration (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = (await tx.query<{ version: number; sha256: string }>('SELECT version, sha256 FROM office_migration ORDER BY version')).rows;
    for (const row of done) {
      const m = migrations[row.version - 1];
      if (m === undefined) throw new OfficeError('migration-failed', `the office database has migration ${row.version}, newer than this program knows (${migrations.length}): upgrade the program`);
      if (m.sha256 !== row.sha256) throw new OfficeError('migration-failed', `office migration ${row.version} (${m.name}) was changed after it was applied`);
    }
    const applied: number[] = [];
    for (const m of migrations.slice(done.length)) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO office_migration (version, name, sha256) VALUES ($1, $2, $3)', [m.version, m.name, m.sha256]);
      applied.push(m.version);
    }
    return { applied };
  });
}
