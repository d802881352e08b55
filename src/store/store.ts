import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { migrationsDir } from '../paths.js';
import { AuditLog } from './audit.js';
import { migrate, readMigrations, type MigrateResult } from './migrator.js';
import { openDatabase, type Db } from './open.js';
import { Outbox } from './outbox.js';

export const databaseFileName = 'urzedomat.db';

export interface Store {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly outbox: Outbox;
  readonly migration: MigrateResult;
  close(): void;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, databaseFileName);
}

/** Opens the locker's database in `dataDir`, brings its schema up to date, and wires the table modules. */
export function openStore(dataDir: string, clock: Clock, dir = migrationsDir): Store {
  const db = openDatabase(databasePath(dataDir));
  try {
    const migration = migrate(db, readMigrations(dir));
    return {
      db,
      audit: new AuditLog(db, clock),
      outbox: new Outbox(db, clock),
      migration,
      close: () => {
        if (db.open) {
          // Fold the WAL back into the main file so a copied data directory is complete on its own.
          db.pragma('wal_checkpoint(TRUNCATE)');
          db.close();
        }
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}
