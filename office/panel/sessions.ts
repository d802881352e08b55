import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/db.js';

/**
 * Clerks' sessions, kept in the database so that every office node knows them. The cookie carries 256 random
 * bits; the table only their SHA-256. A session ends after `idleMs` without a request, at logout, or when its
 * clerk is deactivated.
 */
export interface Session {
  readonly idHash: string;
  readonly login: string;
  readonly name: string;
  readonly admin: boolean;
  /** The synchronizer token every form of this session must send back. */
  readonly csrf: string;
}

export const sessionCookie = 'urz_session';
const hash = (v: string): string => createHash('sha256').update(v, 'utf8').digest('hex');

export async function createSession(db: Queryable, login: string, now: Date): Promise<string> {
  const value = randomBytes(32).toString('base64url');
  // Times from the office's clock, as findSession compares them with it, not the database's.
  await db.query('INSERT INTO clerk_session (id_hash, login, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)', [hash(value), login, randomBytes(24).toString('base64url'), now]);
  return value;
}

/** The live session for a cookie value, touched; undefined when unknown, idle too long or its clerk inactive. */
export async function findSession(db: Queryable, value: string | undefined, idleMs: number, now: Date): Promise<Session | undefined> {
  if (value === undefined || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
  const r = await db.query<{ id_hash: string; login: string; name: string; admin: boolean; csrf: string }>(
    `UPDATE clerk_session s SET last_seen = $3 FROM clerk c
      WHERE s.id_hash = $1 AND c.login = s.login AND c.active AND s.last_seen > $2
      RETURNING s.id_hash, s.login, c.name, c.admin, s.csrf`,
    [hash(value), new Date(now.getTime() - idleMs), now],
  );
  const s = r.rows[0];
  return s && { idHash: s.id_hash, login: s.login, name: s.name, admin: s.admin, csrf: s.csrf };
}

export async function endSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM clerk_session WHERE id_hash = $1', [idHash]);
}
