import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSecrets } from '../../src/config/secrets.js';
import type { UrzError } from '../../src/errors.js';
import { ErrorCodes } from '../../src/errors.js';
import { tempDir, writeSecrets } from '../helpers/fixtures.js';

let t: ReturnType<typeof tempDir>;
let office: { url: string; pullIntervalS: number; tokenFile: string; publicKeyFile: string; codeKeyFile: string };
beforeEach(() => {
  t = tempDir();
  office = { url: 'https://office.example', pullIntervalS: 30, ...writeSecrets(t.dir) };
});
afterEach(() => t.cleanup());

function refusal(): UrzError {
  try {
    loadSecrets(office);
  } catch (e) {
    expect((e as UrzError).code).toBe(ErrorCodes.SecretInvalid);
    return e as UrzError;
  }
  throw new Error('accepted');
}

describe('secret files', () => {
  it('reads a token, the Ed25519 public key and the 32-byte code key, ignoring white space around them', () => {
    writeFileSync(office.codeKeyFile, '  ' + 'ab'.repeat(32) + '\r\n\n');
    const s = loadSecrets(office);
    expect(s.codeKey).toEqual(Buffer.alloc(32, 0xab));
    expect(s.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(s.token.length).toBeGreaterThanOrEqual(16);
  });

  it('names the key of a code key that is not 64 hex characters, without printing it', () => {
    writeFileSync(office.codeKeyFile, 'ab'.repeat(31));
    const e = refusal();
    expect(e.message).toContain('office.codeKeyFile');
    expect(e.message).not.toContain('ab'.repeat(31));
  });

  it('names the key of a public key that is not Ed25519 PEM', () => {
    writeFileSync(office.publicKeyFile, 'not a key');
    expect(refusal().message).toContain('office.publicKeyFile');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(office.publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(refusal().message).toMatch(/office\.publicKeyFile.*Ed25519/);
  });

  it('names the key of a missing or empty token file', () => {
    writeFileSync(office.tokenFile, '\n');
    expect(refusal().message).toContain('office.tokenFile');
    office.tokenFile = join(t.dir, 'absent');
    expect(refusal().message).toMatch(/office\.tokenFile.*ENOENT/);
  });
});
