import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../office/db/db.js';
import { openEmbeddedDb } from '../../../office/db/embedded.js';
import { migrateOffice, readOfficeMigrations, type OfficeMigration } from '../../../office/db/migrate.js';
import { openPostgresDb } from '../../../office/db/postgres.js';
import { OfficeError } from '../../../office/errors.js';
import { freshPostgresUrl, stopPostgresCluster } from '../../helpers/office-rig.js';

const real = readOfficeMigrations();
const extra = (version: number, sql: string): OfficeMigration => ({ version, name: 'extra', sql, sha256: `sha-${version}-${sql.length}` });

async function applied(db: Db): Promise<number[]> {
  return (await db.query<{ version: number }>('SELECT version FROM office_migration ORDER BY version')).rows.map((r) => Number(r.version));
}

describe('office migrations', () => {
  afterAll(() => stopPostgresCluster());

  it('are numbered 1, 2, 3 ... and each has a name', () => {
    expect(real.map((m) => m.version)).toEqual(real.map((_, i) => i + 1));
    expect(real.every((m) => /^[a-z0-9-]+$/.test(m.name))).toBe(true);
  });

  describe('on PostgreSQL', () => {
    let url: string;
    beforeAll(async () => {
      url = await freshPostgresUrl();
    }, 60_000);

    it('two nodes migrating at once apply each migration once, in order, and a third start applies nothing', async () => {
      const a = openPostgresDb(url, 2);
      const b = openPostgresDb(url, 2);
      try {
        const [ra, rb] = await Promise.all([migrateOffice(a), migrateOffice(b)]);
        expect([...ra.applied, ...rb.applied]).toEqual(real.map((m) => m.version));
        expect(await applied(a)).toEqual(real.map((m) => m.version));
        expect((await migrateOffice(a)).applied).toEqual([]);
        // The catalogue seeded by a migration is there once.
        expect(Number((await a.query<{ n: number }>('SELECT count(*)::int AS n FROM document_type')).rows[0]!.n)).toBe(7);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a new migration is applied after the others; an edited one, or a database newer than the program, is refused', async () => {
      const db = openPostgresDb(url, 2);
      try {
        const next = extra(real.length + 1, 'CREATE TABLE office_extra (id int PRIMARY KEY);');
        expect((await migrateOffice(db, [...real, next])).applied).toEqual([real.length + 1]);
        const edited = [...real, { ...next, sha256: 'changed' }];
        await expect(migrateOffice(db, edited)).rejects.toThrow(/was changed after it was applied/);
        await expect(migrateOffice(db, real)).rejects.toThrow(/newer than this program knows/);
        await expect(migrateOffice(db, real)).rejects.toBeInstanceOf(OfficeError);
      } finally {
        await db.close();
      }
    });

    it('a migration that fails leaves nothing of itself or of those before it in the same run', async () => {
      const url2 = await freshPostgresUrl();
      const db = openPostgresDb(url2, 2);
      try {
        await expect(migrateOffice(db, [...real, extra(real.length + 1, 'CREATE TABLE broken (;')])).rejects.toThrow();
        expect((await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'locker'")).rowCount).toBe(0);
        expect((await migrateOffice(db)).applied).toEqual(real.map((m) => m.version));
      } finally {
        await db.close();
      }
    });
  });

  it('on the embedded database: the same migrations, once; a second process is refused while one holds the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urz-office-mig-'));
    const db = await openEmbeddedDb(dir);
    try {
      expect((await migrateOffice(db)).applied).toEqual(real.map((m) => m.version));
      expect((await migrateOffice(db)).applied).toEqual([]);
      await expect(openEmbeddedDb(dir)).rejects.toThrow(/in use by process \d+/);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
