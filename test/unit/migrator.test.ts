import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../../src/errors.js';
import { migrationsDir, packageRoot } from '../../src/paths.js';
import { migrate, readMigrations, schemaVersion } from '../../src/store/migrator.js';
import { connectionPragmas, openDatabase, type Db } from '../../src/store/open.js';
import { openStore } from '../../src/store/store.js';
import { systemClock } from '../../src/clock.js';
import { tempDir } from '../helpers/fixtures.js';

let t: ReturnType<typeof tempDir>;
let dbFile: string;
let migDir: string;
beforeEach(() => {
  t = tempDir();
  dbFile = join(t.dir, 'test.db');
  migDir = join(t.dir, 'migrations');
  mkdirSync(migDir);
});
afterEach(() => t.cleanup());

function tables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

describe('migrator', () => {
  it('applies pending migrations in order, each exactly once, and records them', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(migDir, '002_second.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);');
    const db = openDatabase(dbFile);
    expect(migrate(db, readMigrations(migDir))).toEqual({ applied: [1, 2], version: 2 });
    expect(migrate(db, readMigrations(migDir))).toEqual({ applied: [], version: 2 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 1 });
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual([{ version: 1, name: 'first' }, { version: 2, name: 'second' }]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);

    writeFileSync(join(migDir, '003_third.sql'), 'CREATE TABLE c (z INTEGER);');
    expect(migrate(db, readMigrations(migDir))).toEqual({ applied: [3], version: 3 });
    db.close();
  });

  it('creates the database file, its WAL and shared-memory files readable by owner and group only, whatever the umask', () => {
    const old = process.umask(0o022);
    try {
      const db = openDatabase(dbFile);
      db.exec('CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);');
      for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) expect((statSync(f).mode & 0o777).toString(8), f).toBe('640');
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it('leaves an up-to-date database untouched (no commit seen by another connection)', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    const db = openDatabase(dbFile);
    migrate(db, readMigrations(migDir));
    const watcher = openDatabase(dbFile);
    const before = watcher.pragma('data_version', { simple: true });
    migrate(db, readMigrations(migDir));
    const again = openDatabase(dbFile);
    migrate(again, readMigrations(migDir));
    expect(watcher.pragma('data_version', { simple: true })).toBe(before);
    [db, watcher, again].forEach((d) => d.close());
  });

  it('rolls a failing migration back entirely and keeps the ones before it', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(migDir, '002_broken.sql'), `
      CREATE TABLE b (y INTEGER);
      INSERT INTO a VALUES (42);
      ALTER TABLE a ADD COLUMN w INTEGER;
      INSERT INTO nowhere VALUES (1);`);
    const db = openDatabase(dbFile);
    expect(() => migrate(db, readMigrations(migDir))).toThrow(expect.objectContaining({ code: ErrorCodes.MigrationFailed }));
    expect(tables(db)).toEqual(['a', 'schema_migrations']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 0 });
    expect((db.prepare('PRAGMA table_info(a)').all() as unknown[]).length).toBe(1);
    expect(schemaVersion(db)).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);

    // Fixed, it applies on the next start.
    writeFileSync(join(migDir, '002_broken.sql'), 'CREATE TABLE b (y INTEGER);');
    expect(migrate(db, readMigrations(migDir)).applied).toEqual([2]);
    db.close();
  });

  it('refuses a database from a newer version of the program and changes nothing', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(migDir, '002_second.sql'), 'CREATE TABLE b (x INTEGER);');
    const db = openDatabase(dbFile);
    migrate(db, readMigrations(migDir));
    db.close();

    const older = readMigrations(migDir).slice(0, 1);
    const db2 = openDatabase(dbFile);
    expect(() => migrate(db2, older)).toThrow(expect.objectContaining({ code: ErrorCodes.DbNewerThanCode }));
    expect(schemaVersion(db2)).toBe(2);
    db2.close();
  });

  it('refuses a migration edited after it was applied', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER);');
    const db = openDatabase(dbFile);
    migrate(db, readMigrations(migDir));
    writeFileSync(join(migDir, '001_first.sql'), 'CREATE TABLE a (x INTEGER, y INTEGER);');
    expect(() => migrate(db, readMigrations(migDir))).toThrow(expect.objectContaining({ code: ErrorCodes.MigrationChanged }));
    db.close();
  });

  it('refuses misnamed files and gaps in the numbering', () => {
    writeFileSync(join(migDir, '001_first.sql'), 'SELECT 1;');
    writeFileSync(join(migDir, '003_third.sql'), 'SELECT 1;');
    expect(() => readMigrations(migDir)).toThrow(expect.objectContaining({ code: ErrorCodes.MigrationFileInvalid }));
    writeFileSync(join(migDir, '002-second.sql'), 'SELECT 1;');
    expect(() => readMigrations(migDir)).toThrow(expect.objectContaining({ code: ErrorCodes.MigrationFileInvalid }));
  });

  it("applies the project's own migrations to a new database, then nothing", () => {
    const db = openDatabase(dbFile);
    const all = readMigrations(migrationsDir);
    expect(all.length).toBeGreaterThan(0);
    expect(migrate(db, all).version).toBe(all.length);
    expect(tables(db)).toEqual(expect.arrayContaining([
      'audit_head', 'audit_log', 'authorization', 'compartment', 'document_type', 'guess_limit', 'outbox',
      'receipt', 'schema_migrations', 'staff', 'sync_state', 'unlock_intent',
    ]));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});

describe('connections', () => {
  it('open with WAL, synchronous FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(dbFile, { busyTimeoutMs: 1234 });
    expect(connectionPragmas(db)).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: 1, busyTimeoutMs: 1234 });
    db.close();
    const ro = openDatabase(dbFile, { readonly: true });
    expect(connectionPragmas(ro)).toMatchObject({ journalMode: 'wal', synchronous: 2, foreignKeys: 1 });
    ro.close();
  });

  it('the store opens its connection the same way and enforces foreign keys', () => {
    const store = openStore(join(t.dir, 'data'), systemClock);
    expect(connectionPragmas(store.db)).toMatchObject({ journalMode: 'wal', synchronous: 2, foreignKeys: 1 });
    expect(() => store.db.prepare("INSERT INTO unlock_intent (compartment_id, purpose, actor, created_at) VALUES (999, 'load', 'x', 'now')").run())
      .toThrow(/FOREIGN KEY/);
    store.close();
  });

  it('no program module opens a database except through openDatabase', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(join('store', 'open.ts')) && /new\s+Database\s*\(/.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const d of ['src', 'hardware', 'state-machines']) walk(join(packageRoot, d));
    expect(offenders).toEqual([]);
  });
});
