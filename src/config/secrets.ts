import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, UrzError } from '../errors.js';
import type { Config } from './schema.js';

export interface OfficeSecrets {
  /** Bearer token for the office API. */
  readonly token: string;
  /** The office's Ed25519 key that signs the feed. */
  readonly publicKey: KeyObject;
  /** K: the 32-byte key shared with the office for phone, code and PIN MACs. */
  readonly codeKey: Buffer;
}

/**
 * Reads and checks the secret files named in `office`. Errors name the config key and the file, never
 * the content. White space around a value is ignored (contracts.md section 2).
 */
export function loadSecrets(office: Config['office']): OfficeSecrets {
  const token = readSecret('office.tokenFile', office.tokenFile);
  if (token.length < 16 || /\s/.test(token)) {
    throw bad('office.tokenFile', office.tokenFile, 'expected a bearer token of at least 16 characters with no spaces');
  }
  const hex = readSecret('office.codeKeyFile', office.codeKeyFile);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw bad('office.codeKeyFile', office.codeKeyFile, 'expected 64 hex characters (a 32-byte key)');
  }
  const pem = readSecret('office.publicKeyFile', office.publicKeyFile);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw bad('office.publicKeyFile', office.publicKeyFile, 'expected a PEM (SPKI) public key');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw bad('office.publicKeyFile', office.publicKeyFile, `expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? 'unknown'}`);
  }
  return { token, publicKey, codeKey: Buffer.from(hex, 'hex') };
}

function readSecret(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw bad(key, file, `cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function bad(key: string, file: string, why: string): UrzError {
  return new UrzError(ErrorCodes.SecretInvalid, `invalid secret ${key} (${file}): ${why}`);
}
