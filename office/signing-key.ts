import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OfficeError } from './errors.js';

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** What a locker's `office.publicKeyFile` holds: SPKI PEM. */
  readonly publicKeyPem: string;
}

/** The feed key of contracts.md §7.2: Ed25519 PKCS#8 PEM, 0600, created by the first command that needs it. */
export function loadOrCreateSigningKey(file: string, keyId: string): SigningKey {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new OfficeError('key-invalid', `signingKeyFile ${file}: not a PEM private key`, { cause: e });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new OfficeError('key-invalid', `signingKeyFile ${file}: not an Ed25519 key`);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { keyId, privateKey, publicKeyPem };
}
