/**
 * Sync benchmark (issue 5): verifying and applying a signed batch of 10,000 authorizations, against the time
 * the same rows take as a bare insert in one transaction. Goal: under 3×, and under 1 s on this machine.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { openStore } from '../../src/store/store.js';
import { feedReceiverOn } from '../helpers/feed-receiver.js';

const n = 10_000;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

export function syncBenchmark(rounds = 5): void {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const office = new OfficeSimulator({ lockerId: 'bench', privateKey, codeKey: Buffer.alloc(32, 1), token: 't', pageSize: n + 10 });
  for (let i = 0; i < n; i++) office.issue();
  const body = office.feed(0);
  const rows = (JSON.parse(Buffer.from((JSON.parse(body) as { payload: string }).payload, 'base64').toString()) as { changes: { authorization: Record<string, unknown> }[] }).changes.map((c) => c.authorization);

  const applyMs: number[] = [];
  const bareMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['apply', 'bare'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'urz-bench-'));
      const store = openStore(dir, systemClock);
      try {
        const t0 = process.hrtime.bigint();
        if (kind === 'apply') {
          const { receiver } = feedReceiverOn(store, publicKey, systemClock, 'bench');
          const result = receiver.receive(body);
          if (!result.applied || result.authorizations !== n) throw new Error(`batch not applied: ${JSON.stringify(result)}`);
          applyMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } else {
          const ins = store.db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
            VALUES (@id, @caseRef, @documentType, @size, @phoneMac, @codeMac, @expiresAt, 1, 1, 0, 1)`);
          store.db.transaction(() => {
            for (const row of rows) ins.run(row);
          })();
          bareMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      } finally {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const a = median(applyMs);
  const b = median(bareMs);
  console.log(`\n# sync: one signed batch of ${n.toLocaleString('en')} authorizations (${(body.length / 1e6).toFixed(1)} MB), median of ${rounds}`);
  console.log('| step | time | goal |');
  console.log('|---|---|---|');
  console.log(`| verify signature + check + apply with cursor, one transaction | ${a.toFixed(0)} ms | < 1000 ms |`);
  console.log(`| bare insert of the same rows, one transaction | ${b.toFixed(0)} ms | |`);
  console.log(`| ratio | ${(a / b).toFixed(2)}x | < 3x |`);
}
