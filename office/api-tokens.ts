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

/**
 * `apiTokenOwner` remembered for `ttlMs`: the document system calls for every registration. A token revoked in
 * the database stops working on every node within `ttlMs`. Only tokens that verified are remembered, so a
 * flood of wrong ones cannot fill the table.
 */
export class ApiTokenCache {
  private readonly known = new Map<string, { owner: string; until: number }>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async owner(token: string): Promise<string | undefined> {
    const h = tokenHash(token);
    const hit = this.known.get(h);
    if (hit !== undefined && hit.until > this.now()) return hit.owner;
    this.known.delete(h);
    const owner = await apiTokenOwner(this.db, token);
    if (owner !== undefined && this.known.size < 1000) this.known.set(h, { owner, until: this.now() + this.ttlMs });
    return owner;
  }
}
