import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface OpenOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * The only place the program opens a database. Every connection gets the same pragmas:
 * WAL (readers never block the writer), synchronous=FULL (better-sqlite3 would otherwise leave WAL at
 * NORMAL, which can lose the last commits on a power cut), foreign keys on, and a busy timeout.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const readonly = opts.readonly ?? false;
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5_000;
  if (!readonly) mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const created = !readonly && file !== ':memory:' && !existsSync(file);
  const db = new Database(file, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
  // Readable by the service and its group only, whatever the umask (outside systemd it is often 022); SQLite
  // gives the -wal and -shm files the main file's mode, so this is done before they exist.
  if (created) chmodSync(file, 0o640);
  try {
    if (!readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal_mode WAL refused by ${file} (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The pragmas as the connection reports them, for tests and `diag selftest`. */
export function connectionPragmas(db: Db): { journalMode: string; synchronous: number; foreignKeys: number; busyTimeoutMs: number } {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    foreignKeys: Number(db.pragma('foreign_keys', { simple: true })),
    busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
  };
}
