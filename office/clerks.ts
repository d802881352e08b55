import type { Queryable } from './db/db.js';
import { OfficeError } from './errors.js';
import { hashPassword } from './password.js';

/** `office clerk add`: a clerk's account for the panel (issue 16 builds the panel that uses it). */
export async function addClerk(db: Queryable, login: string, name: string, admin: boolean, password: string): Promise<void> {
  if (!/^[a-z0-9._-]{2,64}$/.test(login)) throw new OfficeError('bad-input', `login "${login}": 2-64 lowercase letters, digits, dots, dashes or underscores`);
  if (password.length < 12) throw new OfficeError('bad-input', 'the password must have at least 12 characters');
  const r = await db.query('INSERT INTO clerk (login, name, admin, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO NOTHING RETURNING login', [
    login, name, admin, await hashPassword(password),
  ]);
  if (r.rowCount === 0) throw new OfficeError('bad-input', `clerk ${login} already exists`);
}
