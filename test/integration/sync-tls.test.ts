import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createSync } from '../../src/sync/build.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { openStore } from '../../src/store/store.js';
import { contractExampleConfig, tempDir } from '../helpers/fixtures.js';

/** Certificates as a city's IT would make them: a CA, the office's server certificate, the locker's client one. */
function makePki(dir: string): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
  };
  ca('ca');
  ca('rogue-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, signer, ext] of [['server', 'ca', ['-extfile', 'server.ext']], ['client', 'ca', []], ['rogue-client', 'rogue-ca', []]] as const) {
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...ext);
  }
}

describe('office sync over HTTPS with a pinned CA and a client certificate (mutual TLS)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const codeKey = Buffer.alloc(32, 3);
  const token = 'tls-test-token-0123456789';
  let t: ReturnType<typeof tempDir>;
  let server: { port: number; close(): Promise<void> };
  const office = new OfficeSimulator({ lockerId: 'czestochowa-focha-1', privateKey, codeKey, token });

  beforeAll(async () => {
    t = tempDir();
    makePki(t.dir);
    office.issue();
    const f = (n: string) => readFileSync(join(t.dir, n));
    server = await office.listen(0, '127.0.0.1', '/urzedomat', { key: f('server.key'), cert: f('server.pem'), ca: f('ca.pem'), requestCert: true, rejectUnauthorized: true });
  });
  afterAll(async () => {
    await server.close();
    t.cleanup();
  });

  async function pullWith(office: Record<string, string>): Promise<string> {
    const c = contractExampleConfig();
    c.office = { ...c.office, url: `https://127.0.0.1:${server.port}/urzedomat`, ...office };
    const d = tempDir();
    const store = openStore(d.dir, systemClock);
    try {
      const sync = createSync(parseConfig(c, t.dir), store, { token, publicKey, codeKey }, systemClock, pino({ level: 'silent' }));
      return await sync.service.pullOnce();
    } finally {
      store.close();
      d.cleanup();
    }
  }

  it('pulls with the office CA pinned and the locker’s client certificate', async () => {
    expect(await pullWith({ caFile: 'ca.pem', clientCertFile: 'client.pem', clientKeyFile: 'client.key' })).toBe('done');
  });

  it('refuses an office whose certificate is not from the pinned CA', async () => {
    expect(await pullWith({ caFile: 'rogue-ca.pem', clientCertFile: 'client.pem', clientKeyFile: 'client.key' })).toBe('failed');
  });

  it('is refused by the office without a client certificate, or with one from another CA', async () => {
    expect(await pullWith({ caFile: 'ca.pem' })).toBe('failed');
    expect(await pullWith({ caFile: 'ca.pem', clientCertFile: 'rogue-client.pem', clientKeyFile: 'rogue-client.key' })).toBe('failed');
  });
});
