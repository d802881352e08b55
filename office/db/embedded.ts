import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * The embedded default (contracts.md §7.2 without `database`): PGlite, PostgreSQL compiled to WebAssembly,
 * in `<dataDir>/db`. Two instances on one directory silently lose committed rows (docs/OFFICE-RESEARCH.md §1),
 * so the process holds `<dataDir>/office.lock` for as long as the database is open.
 * PGlite never fsyncs: a power cut can lose the last commits. That is said in the README for this mode.
 */
export async function openEmbeddedDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700); // PGlite creates its files 0666: the directory is what keeps them private
  const unlock = lockDataDir(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(join(dataDir, 'db'));
  } catch (e) {
    unlock();
    throw e;
  }
  return {
    kind: 'embedded',
    ...wrap(pg),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
  };
}

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await q.query<R>(sql, params as unknown[]);
      // PGlite says 0 affected rows for a SELECT; node-postgres (and the Db contract) count the rows returned.
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.exec(sql);
    },
  };
}
