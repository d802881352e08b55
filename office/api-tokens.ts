import type { Queryable } from './db/db.js';
import { newToken, tokenHash } from './tokens.js';

/** `office token add <name>`: a token for another system, returned once and stored only as its hash. */
export async function addApiToken(db: Queryable, name: string): Promise<string> {
  const token = newToken();
  await db.query('INSERT INTO api_token (name, token_hash) VALUES ($1, $2)', [name, tokenHash(token)]);
  return token;
}

/** The name of the system a token belongs to, or undefined. */
export async function apiTokenOwner(db: Queryable, token: string): Promise<string | undefined> {
  const r = await db.query<{ name: string }>('SELECT name FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash(token)]);
  return r.rows[0]?.name;
}
