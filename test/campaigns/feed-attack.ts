/**
 * Campaign 4, the feed attack: forged and mangled feed batches (bits flipped in payload or signature, re-signed
 * with a key that is not the office's or with a wrong lockerId, an old or repeated `after`, a decreasing seq, a
 * wrong `last`, expired, unsigned, not JSON, huge), then every genuine batch replayed after a restart of the
 * locker. Nothing may be applied: the authorization table stays byte-identical and the cursor stays put.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedEnvelope } from '../../src/wire/envelope.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { FeedReceiver } from '../../src/sync/feed-receiver.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { feedReceiverOn } from '../helpers/feed-receiver.js';

export interface FeedReport { readonly forged: number; readonly replayed: number; readonly applied: number; readonly tableUnchanged: boolean; readonly cursor: number; readonly kinds: Record<string, number> }

const lockerId = 'czestochowa-focha-1';
const mac = (c: string): string => c.repeat(64);

function authorization(id: string): Record<string, unknown> {
  return { id, caseRef: 'USC.5361.1.2026', documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S', phoneMac: mac('a'), codeMac: mac('b'), expiresAt: '2099-12-02T15:00:00Z', feeSettled: true, consent: true, accessible: false };
}

function batch(after: number, n: number): Record<string, unknown> & { changes: { seq: number }[]; last: number; after: number; lockerId: string; expiresAt: string } {
  const changes = Array.from({ length: n }, (_, i) => ({ seq: after + i + 1, type: 'authorization.upsert', authorization: authorization(`A-${after + i + 1}`) }));
  return { lockerId, after, last: after + n, more: false, serverTime: '2026-11-25T10:00:00Z', expiresAt: '2026-11-25T10:05:00Z', changes };
}

export function feedAttack(o: { forgeries: number; genuineBatches: number; seed?: number }): FeedReport {
  const dir = mkdtempSync(join(tmpdir(), 'urz-feed-'));
  const office = generateKeyPairSync('ed25519');
  const impostor = generateKeyPairSync('ed25519');
  const clock = new ManualClock(Date.parse('2026-11-25T10:00:30Z'));
  let seed = o.seed ?? 3;
  const random = (n: number): number => Math.floor(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * n);
  const open = (): { store: Store; receiver: FeedReceiver } => {
    const store = openStore(dir, clock);
    return { store, receiver: feedReceiverOn(store, office.publicKey, clock, lockerId).receiver };
  };
  let { store, receiver } = open();
  try {
    const genuine: string[] = [];
    for (let b = 0; b < o.genuineBatches; b++) {
      const env = signedEnvelope(batch(b * 5, 5), office.privateKey);
      if (!receiver.receive(env).applied) throw new Error('a genuine batch was refused');
      genuine.push(env);
    }
    const table = (): string => JSON.stringify(store.db.prepare('SELECT * FROM authorization ORDER BY id').all());
    const before = table();
    const cursor = receiver.cursor().cursor;
    const base = batch(cursor, 5);
    const good = JSON.parse(signedEnvelope(base, office.privateKey)) as { keyId: string; payload: string; signature: string };
    const kinds: Record<string, number> = {};
    let applied = 0;
    const forge = (i: number): string => {
      const k = ['flip-payload', 'flip-signature', 'impostor', 'locker', 'old-after', 'seq', 'last', 'expired', 'unsigned', 'garbage', 'huge'][i % 11]!;
      kinds[k] = (kinds[k] ?? 0) + 1;
      const p = structuredClone(base);
      switch (k) {
        case 'flip-payload':
        case 'flip-signature': {
          const key = k === 'flip-payload' ? 'payload' : 'signature';
          const bytes = Buffer.from(good[key], 'base64');
          const at = random(bytes.length);
          bytes[at] = bytes[at]! ^ (1 << random(8));
          return JSON.stringify({ ...good, [key]: bytes.toString('base64') });
        }
        case 'impostor': return signedEnvelope(p, impostor.privateKey);
        case 'locker': p.lockerId = `locker-${random(100)}`; return signedEnvelope(p, office.privateKey);
        case 'old-after': p.after = random(cursor); return signedEnvelope(p, office.privateKey);
        case 'seq': p.changes[2]!.seq = 1 + random(cursor); return signedEnvelope(p, office.privateKey);
        case 'last': p.last += 1 + random(50); return signedEnvelope(p, office.privateKey);
        case 'expired': p.expiresAt = '2026-11-25T10:00:01Z'; return signedEnvelope(p, office.privateKey);
        case 'unsigned': return JSON.stringify({ ...good, signature: ['', 'AAAA', '===='][random(3)] });
        case 'garbage': return Buffer.from(Array.from({ length: random(200) }, () => random(256))).toString('latin1');
        default: return JSON.stringify({ keyId: 'office-1', payload: 'A'.repeat(33 * 1024 * 1024), signature: 'A'.repeat(88) });
      }
    };
    for (let i = 0; i < o.forgeries; i++) if (receiver.receive(forge(i)).applied) applied += 1;
    // The locker restarts (a power cut, an update); every genuine batch it ever got is sent again, twice.
    store.close();
    ({ store, receiver } = open());
    let replayed = 0;
    for (const env of [...genuine, ...genuine]) {
      replayed += 1;
      if (receiver.receive(env).applied) applied += 1;
    }
    return { forged: o.forgeries, replayed, applied, tableUnchanged: table() === before, cursor: receiver.cursor().cursor, kinds };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
