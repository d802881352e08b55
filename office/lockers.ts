import { randomBytes } from 'node:crypto';
import { eventsKey } from '../src/wire/event-mac.js';
import { appendChanges, type NewChange } from './change-log.js';
import type { Db, Queryable } from './db/db.js';
import { OfficeError } from './errors.js';
import { newToken, tokenHash } from './tokens.js';
import type { Vault } from './vault.js';

export const lockerIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface LockerKeys {
  readonly id: string;
  /** Where it stands, as residents are told in their text message. */
  readonly name: string;
  /** K of contracts.md §5.1. */
  readonly codeKey: Buffer;
  /** Kev of §5.3. */
  readonly eventsKey: Buffer;
}

export interface NewLockerSecrets {
  readonly token: string;
  readonly codeKey: Buffer;
}

const keyPurpose = (id: string): string => `locker-code-key:${id}`;

/**
 * Registers a locker: its row, its log head and a log that starts with the whole catalogue. Staff are not
 * copied: a PIN is never stored, so a new locker learns a member of staff when their PIN is next set.
 */
export async function addLocker(db: Db, vault: Vault, id: string, name: string): Promise<NewLockerSecrets> {
  if (!lockerIdPattern.test(id)) throw new OfficeError('bad-input', `locker id "${id}": lowercase letters, digits and dashes, at most 63`);
  const token = newToken();
  const codeKey = randomBytes(32);
  await db.transaction(async (tx) => {
    const inserted = await tx.query(
      'INSERT INTO locker (id, name, token_hash, code_key_sealed) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id',
      [id, name, tokenHash(token), vault.seal(codeKey.toString('hex'), keyPurpose(id))],
    );
    if (inserted.rowCount === 0) throw new OfficeError('locker-exists', `locker ${id} already exists`);
    await tx.query('INSERT INTO locker_log_head (locker_id) VALUES ($1)', [id]);
    const types = await catalogueChanges(tx);
    await appendChanges(tx, types.map((change) => ({ lockerId: id, change })));
  });
  return { token, codeKey };
}

async function catalogueChanges(tx: Queryable): Promise<NewChange[]> {
  const r = await tx.query<{ code: string; name_pl: string; name_en: string; locker_release: boolean; legal_basis: string }>(
    'SELECT code, name_pl, name_en, locker_release, legal_basis FROM document_type ORDER BY code',
  );
  return r.rows.map((t) => ({
    type: 'documentType.upsert',
    documentType: { code: t.code, namePl: t.name_pl, nameEn: t.name_en, lockerRelease: t.locker_release, legalBasis: t.legal_basis },
  }));
}

/**
 * The lockers' keys, unsealed once and kept in memory: every registration and every push needs them, and a
 * pull authenticates by token hash on every request. A locker is never deleted, so entries never go stale.
 */
export class LockerDirectory {
  private readonly byId = new Map<string, LockerKeys>();
  private readonly idByTokenHash = new Map<string, string>();

  constructor(
    private readonly db: Queryable,
    private readonly vault: Vault,
  ) {}

  async keys(id: string): Promise<LockerKeys | undefined> {
    const hit = this.byId.get(id);
    if (hit !== undefined) return hit;
    const r = await this.db.query<{ name: string; code_key_sealed: string }>('SELECT name, code_key_sealed FROM locker WHERE id = $1', [id]);
    const row = r.rows[0];
    if (row === undefined) return undefined;
    const codeKey = Buffer.from(this.vault.open(row.code_key_sealed, keyPurpose(id)), 'hex');
    const keys = { id, name: row.name, codeKey, eventsKey: eventsKey(codeKey) };
    this.byId.set(id, keys);
    return keys;
  }

  /** The locker a bearer token belongs to, or undefined. */
  async byToken(token: string): Promise<LockerKeys | undefined> {
    const h = tokenHash(token);
    let id = this.idByTokenHash.get(h);
    if (id === undefined) {
      const r = await this.db.query<{ id: string }>('SELECT id FROM locker WHERE token_hash = $1', [h]);
      id = r.rows[0]?.id;
      if (id === undefined) return undefined;
      this.idByTokenHash.set(h, id);
    }
    return this.keys(id);
  }

  async allIds(tx: Queryable = this.db): Promise<string[]> {
    return (await tx.query<{ id: string }>('SELECT id FROM locker ORDER BY id')).rows.map((r) => r.id);
  }
}
