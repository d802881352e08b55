import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/schema.js';

/**
 * Makes the secret files the simulation config points at, once, so the demo needs no set-up.
 * The office's private key lies beside them for the office simulator; a real locker never has it.
 */
export function ensureSimulationSecrets(office: Config['office']): { officePrivateKeyFile: string } {
  const officePrivateKeyFile = join(dirname(office.publicKeyFile), 'office-ed25519.key.pem');
  for (const f of [office.tokenFile, office.codeKeyFile, office.publicKeyFile]) {
    mkdirSync(dirname(f), { recursive: true, mode: 0o700 });
  }
  if (!existsSync(office.tokenFile)) writeSecret(office.tokenFile, randomBytes(24).toString('base64url') + '\n');
  if (!existsSync(office.codeKeyFile)) writeSecret(office.codeKeyFile, randomBytes(32).toString('hex') + '\n');
  if (!existsSync(office.publicKeyFile) || !existsSync(officePrivateKeyFile)) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    writeSecret(officePrivateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeSecret(office.publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }
  return { officePrivateKeyFile };
}

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
}
