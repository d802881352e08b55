import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMacHeader, eventsKey, eventsMac } from '../../../src/wire/event-mac.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { payloadSchema } from '../../../src/wire/feed-schema.js';
import { verifyAck } from '../../../src/wire/ack.js';
import { registration, startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';

/**
 * Two office nodes on one PostgreSQL server, as a city would run them behind a load balancer: lockers pull
 * from either node while documents are registered on both, and push their events to either node, resending
 * some batches to the other one. No locker may miss a change, and no event may be lost or doubled.
 */
describe('two office nodes on one PostgreSQL', () => {
  let a: TestOffice;
  let b: TestOffice;
  const lockers = ['n-1', 'n-2', 'n-3'];
  const secrets = new Map<string, { token: string; codeKey: Buffer }>();

  beforeAll(async () => {
    a = await startTestOffice({ backend: 'postgres', config: { feed: { pageSize: 20, batchTtlS: 300 } } });
    b = await startTestOffice({ backend: 'postgres', shareWith: a, config: { feed: { pageSize: 20, batchTtlS: 300 } } });
    for (const id of lockers) secrets.set(id, await a.addLocker(id));
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await stopPostgresCluster();
  });

  it('lockers pulling from either node miss no change while both register documents', async () => {
    const publicKey = createPublicKey(a.office.ctx.signing.publicKeyPem);
    const registered = new Map<string, string[]>(lockers.map((l) => [l, []]));
    let writing = true;
    const writers = [a, b].flatMap((node, n) =>
      [0, 1, 2].map(async (w) => {
        for (let i = 0; i < 40; i++) {
          const lockerId = lockers[(i + w + n) % lockers.length]!;
          const r = await node.api('POST', '/api/v1/documents', registration(lockerId, { caseRef: `N${n}-${w}-${i}` }));
          expect(r.status).toBe(201);
          registered.get(lockerId)!.push(r.body.id as string);
        }
      }),
    );
    const pullers = lockers.map(async (lockerId, k) => {
      const { token } = secrets.get(lockerId)!;
      let cursor = 0;
      let turn = k;
      const ids: string[] = [];
      const pull = async (): Promise<number> => {
        const node = turn++ % 2 === 0 ? a : b;
        const res = await fetch(`${node.url}/v1/lockers/${lockerId}/feed?after=${cursor}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const opened = openEnvelope(await res.text(), publicKey);
        if (!opened.ok) throw new Error(opened.reason);
        const p = payloadSchema.parse(opened.payload);
        expect(p.after).toBe(cursor);
        p.changes.forEach((c, i) => expect(c.seq).toBe(p.after + i + 1));
        for (const c of p.changes) if (c.type === 'authorization.upsert') ids.push(c.authorization.id);
        cursor = p.last;
        return p.changes.length;
      };
      while (writing) await pull();
      while ((await pull()) > 0);
      return { lockerId, ids };
    });
    await Promise.all(writers);
    writing = false;
    for (const { lockerId, ids } of await Promise.all(pullers)) {
      expect(ids.length).toBe(registered.get(lockerId)!.length);
      expect(new Set(ids)).toEqual(new Set(registered.get(lockerId)));
    }
  }, 120_000);

  it('events pushed to either node, some resent to the other, are each stored once and acknowledged in order', async () => {
    const publicKey = createPublicKey(a.office.ctx.signing.publicKeyPem);
    const perLocker = 150;
    await Promise.all(
      lockers.map(async (lockerId, k) => {
        const { token, codeKey } = secrets.get(lockerId)!;
        const kev = eventsKey(codeKey);
        const events = Array.from({ length: perLocker }, (_, i) => ({
          seq: i + 1, type: 'compartment.fault', at: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(), data: { compartment: (i % 4) + 1, kind: 'not-latched' },
        }));
        let acked = 0;
        for (let from = 0, turn = k; from < perLocker; turn++) {
          const batch = events.slice(acked, Math.min(perLocker, acked + 1 + (turn % 7)));
          const body = JSON.stringify({ events: batch });
          const push = async (node: TestOffice): Promise<number> => {
            const res = await fetch(`${node.url}/v1/lockers/${lockerId}/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', [eventMacHeader]: eventsMac(kev, body) },
              body,
            });
            expect(res.status).toBe(200);
            const ack = verifyAck(await res.text(), publicKey, { lockerId, lastSentSeq: batch.at(-1)!.seq });
            if (!ack.ok) throw new Error(ack.reason);
            return ack.ackedThrough;
          };
          // Every third batch goes to both nodes at once: the same events arriving twice, concurrently.
          const answers = await Promise.all(turn % 3 === 0 ? [push(a), push(b)] : [push(turn % 2 === 0 ? a : b)]);
          for (const n of answers) expect(n).toBe(batch.at(-1)!.seq);
          acked = batch.at(-1)!.seq;
          from = acked;
        }
      }),
    );
    const rows = await a.office.ctx.db.query<{ locker_id: string; n: number; lo: number; hi: number }>(
      'SELECT locker_id, count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM locker_event GROUP BY locker_id ORDER BY locker_id',
    );
    expect(rows.rows).toEqual(lockers.map((l) => ({ locker_id: l, n: perLocker, lo: 1, hi: perLocker })));
    const conflicts = await a.office.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_conflict');
    expect(conflicts.rows[0]!.n).toBe(0);
    for (const l of lockers) {
      const h = await b.api('GET', `/api/v1/lockers/${l}`);
      expect(h.body.eventsThrough).toBe(perLocker);
    }
  }, 120_000);
});
