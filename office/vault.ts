import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OfficeError } from './errors.js';

/**
 * Seals what the office must keep for a while but never in plain text in its database: the residents' phone
 * numbers (for a new code and the reminder), a message holding a code until the gateway took it, and each
 * locker's code key K. AES-256-GCM with a key in a 0600 file beside the signing key, so a copy of the
 * database alone (a backup, a replica) reveals none of them. `purpose` is bound in as associated data, so a
 * sealed value cannot be moved to another row or column and still open.
 */
export interface Vault {
  seal(plain: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
}

export function loadOrCreateVault(file: string): Vault {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another node made it first
    }
  }
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new OfficeError('key-invalid', `vault key ${file}: must be 64 hex characters`);
  return vaultFromKey(Buffer.from(hex, 'hex'));
}

export function vaultFromKey(key: Buffer): Vault {
  return {
    seal(plain, purpose) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(purpose, 'utf8'));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
    },
    open(sealed, purpose) {
      const raw = Buffer.from(sealed, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(purpose, 'utf8'));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
