import type { Queryable } from '../db/db.js';
import { verifyPassword } from '../password.js';

export const maxFailures = 5;
export const lockMs = 15 * 60_000;

export type LoginOutcome = { readonly ok: true } | { readonly ok: false; readonly lockedForS?: number };

/**
 * Checks a clerk's password. Five failures in a row lock the login for fifteen minutes, whatever is typed
 * meanwhile; a success clears the count. An unknown or inactive login costs the same password hash, so the
 * answer's time does not tell whether the login exists.
 */
export async function checkLogin(db: Queryable, login: string, password: string, now: Date): Promise<LoginOutcome> {
  const r = await db.query<{ password_hash: string; active: boolean; failed_logins: number; locked_until: Date | null }>(
    'SELECT password_hash, active, failed_logins, locked_until FROM clerk WHERE login = $1',
    [login],
  );
  const c = r.rows[0];
  if (c === undefined) return unknownLogin(login, password, now);
  if (c.locked_until !== null && c.locked_until > now) return { ok: false, lockedForS: Math.ceil((c.locked_until.getTime() - now.getTime()) / 1000) };
  const good = await verifyPassword(password, c.password_hash);
  if (!c.active) return { ok: false };
  if (good) {
    await db.query('UPDATE clerk SET failed_logins = 0, locked_until = NULL WHERE login = $1', [login]);
    return { ok: true };
  }
  const failures = c.failed_logins + 1;
  const locked = failures >= maxFailures ? new Date(now.getTime() + lockMs) : null;
  await db.query('UPDATE clerk SET failed_logins = $2, locked_until = $3 WHERE login = $1', [login, locked === null ? failures : 0, locked]);
  return locked === null ? { ok: false } : { ok: false, lockedForS: lockMs / 1000 };
}

// A valid scrypt record of a random password: verifying against it costs what a real check costs.
const dummyHash = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * A login that does not exist is locked like a real one after five failures, so the lock message does not tell
 * a guesser which logins exist. Kept in memory (bounded); a restart forgets it, which only helps a guesser to the
 * "wrong login or password" answer they would get anyway.
 */
const unknown = new Map<string, { failures: number; lockedUntil: number }>();

async function unknownLogin(login: string, password: string, now: Date): Promise<LoginOutcome> {
  await verifyPassword(password, dummyHash);
  const t = now.getTime();
  const u = unknown.get(login) ?? { failures: 0, lockedUntil: 0 };
  if (u.lockedUntil > t) return { ok: false, lockedForS: Math.ceil((u.lockedUntil - t) / 1000) };
  u.failures += 1;
  if (u.failures >= maxFailures) Object.assign(u, { failures: 0, lockedUntil: t + lockMs });
  unknown.delete(login);
  if (unknown.size >= 10_000) unknown.delete(unknown.keys().next().value!);
  unknown.set(login, u);
  return u.lockedUntil > t ? { ok: false, lockedForS: lockMs / 1000 } : { ok: false };
}
