import type { OfficeConfig } from './config.js';
import type { Db } from './db/db.js';
import { openEmbeddedDb } from './db/embedded.js';
import { migrateOffice } from './db/migrate.js';
import { openPostgresDb } from './db/postgres.js';

/** The configured database, created and migrated when needed (contracts.md §7.2). */
export async function openOfficeDb(config: OfficeConfig): Promise<Db> {
  const db = config.database === undefined ? await openEmbeddedDb(config.dataDir) : openPostgresDb(config.database.url, config.database.poolSize);
  try {
    await migrateOffice(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
