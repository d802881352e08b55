import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** The example configuration of contracts.md section 2, as an installer would write it. */
export function contractExampleConfig(): Record<string, any> {
  return JSON.parse(readFileSync(join(packageRoot, 'deploy', 'config.example.json'), 'utf8'));
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'urz-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Valid secret files in `dir`; returns the `office` section pointing at them. */
export function writeSecrets(dir: string): { tokenFile: string; publicKeyFile: string; codeKeyFile: string } {
  mkdirSync(dir, { recursive: true });
  const tokenFile = join(dir, 'office.token');
  const publicKeyFile = join(dir, 'office.pub.pem');
  const codeKeyFile = join(dir, 'code.key');
  writeFileSync(tokenFile, randomBytes(24).toString('base64url') + '\n');
  writeFileSync(codeKeyFile, randomBytes(32).toString('hex') + '\n');
  const { publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { tokenFile, publicKeyFile, codeKeyFile };
}

/** A runnable config in `dir`: simulated bus, secrets written, data and socket inside `dir`. */
export function runnableConfig(dir: string): Record<string, any> {
  const c = contractExampleConfig();
  c.dataDir = join(dir, 'data');
  c.bus = { transport: 'simulated' };
  c.office = { ...c.office, url: 'http://127.0.0.1:9/urzedomat', ...writeSecrets(dir) };
  c.admin = { socket: join(dir, 'admin.sock') };
  // Test files run in parallel: each daemon gets its own kiosk port.
  c.kiosk = { host: '127.0.0.1', port: randomKioskPort() };
  return c;
}

/**
 * A port for a test daemon's kiosk: random, so parallel test files do not collide, and below Linux's ephemeral
 * range (32768-60999), where the kernel hands out the local ports of outgoing connections: a CI run once failed
 * with EADDRINUSE on 47388, taken by some connection of another test.
 */
export function randomKioskPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}
