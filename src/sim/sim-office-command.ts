import { createPrivateKey, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import QRCode from 'qrcode';
import type { Config } from '../config/schema.js';
import { loadSecrets } from '../config/secrets.js';
import { OfficeSimulator, type IssuedDocument } from './office-simulator.js';

export interface SimOfficeOptions {
  readonly documents: number;
  /** The office's Ed25519 private key (PEM); by default `office-ed25519.key.pem` beside the public key. */
  readonly privateKeyFile?: string | undefined;
}

export interface RunningOffice {
  readonly office: OfficeSimulator;
  readonly documents: IssuedDocument[];
  readonly staff: { id: string; pin: string };
  close(): Promise<void>;
}

/**
 * The office simulator behind the locker's `office.url` (which must be a loopback http:// address): the
 * catalogue, a staff member and `documents` authorizations with random codes, as a real office would send them.
 */
export async function startSimOffice(config: Config, o: SimOfficeOptions): Promise<RunningOffice> {
  const url = new URL(config.office.url);
  if (url.protocol !== 'http:') throw new Error('sim-office serves plain http on loopback: set office.url to http://127.0.0.1:PORT/...');
  const secrets = loadSecrets(config.office);
  const privateKey = createPrivateKey(readFileSync(o.privateKeyFile ?? join(dirname(config.office.publicKeyFile), 'office-ed25519.key.pem')));
  const office = new OfficeSimulator({ lockerId: config.lockerId, privateKey, codeKey: secrets.codeKey, token: secrets.token, pageSize: 500 });
  office.seedCatalogue();
  const staff = { id: 'S-1', pin: String(randomInt(1000, 10000)) };
  office.addStaff(staff.id, 'Anna Nowak (demo)', staff.pin);
  const documents = Array.from({ length: o.documents }, (_, i) => office.issue({ size: (['S', 'S', 'M', 'L'] as const)[i % 4] }));
  const server = await office.listen(Number(url.port || 80), url.hostname, url.pathname.replace(/\/+$/, ''));
  return { office, documents, staff, close: () => server.close() };
}

/** What the demo prints: who may collect what, with the QR code a resident would scan. */
export async function describeOffice(r: RunningOffice, lockerId: string): Promise<string> {
  const lines = [
    `Office simulator for locker ${lockerId}`,
    `Staff login: id ${r.staff.id}, PIN ${r.staff.pin}`,
    'Documents waiting to be loaded (load them as staff first, then collect them as a resident):',
  ];
  for (const d of r.documents) {
    lines.push(`  ${d.id}  phone ${d.phone}  code ${d.code}  QR ${d.qr}`);
  }
  const first = r.documents[0];
  if (first !== undefined) lines.push(`QR code of ${first.id}:`, await QRCode.toString(first.qr, { type: 'terminal', small: true }));
  return lines.join('\n');
}
