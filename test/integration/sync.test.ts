import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createSync, type Sync } from '../../src/sync/build.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { openStore, type Store } from '../../src/store/store.js';
import { contractExampleConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const codeKey = Buffer.alloc(32, 9);
const token = 'test-token-0123456789abcdef';
const lockerId = 'czestochowa-focha-1';

interface Locker {
  store: Store;
  sync: Sync;
  stop(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configFor(port: number, pullIntervalS = 5) {
  const c = contractExampleConfig();
  c.office = { ...c.office, url: `http://127.0.0.1:${port}/urzedomat`, pullIntervalS };
  return parseConfig(c, '/tmp');
}

/** A locker process's sync against the office on `port`, with its database in `dir`. */
function startLocker(dir: string, port: number): Locker {
  const store = openStore(dir, systemClock);
  const sync = createSync(configFor(port), store, { token, publicKey, codeKey }, systemClock, pino({ level: 'silent' }));
  sync.service.start();
  const l = {
    store, sync,
    async stop() {
      await sync.service.stop();
      store.close();
    },
  };
  return l;
}

async function office(pageSize = 1_000): Promise<{ sim: OfficeSimulator; port: number; restart(): Promise<void>; close(): Promise<void> }> {
  const sim = new OfficeSimulator({ lockerId, privateKey, codeKey, token, pageSize });
  let server = await sim.listen(0);
  const port = server.port;
  const o = {
    sim, port,
    async restart() {
      await server.close();
      server = await sim.listen(port);
    },
    close: () => server.close(),
  };
  cleanups.push(() => o.close());
  return o;
}

const count = (s: Store) => (s.db.prepare('SELECT COUNT(*) AS n FROM authorization').get() as { n: number }).n;
const cursor = (s: Store) => (s.db.prepare('SELECT feed_cursor AS c FROM sync_state').get() as { c: number }).c;

describe('office sync over loopback HTTP', () => {
  it('a fresh locker syncs 10,000 authorizations across pages; restarts of either side lose and duplicate nothing', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const o = await office(700);
    o.sim.seedCatalogue();
    for (let i = 0; i < 10_000; i++) o.sim.issue();
    o.sim.addStaff('S-1', 'Anna Nowak', '1234');

    let locker = startLocker(t.dir, o.port);
    await until(() => cursor(locker.store) >= 2_100, 20_000, 'three pages');
    await locker.stop(); // the locker restarts mid-way
    locker = startLocker(t.dir, o.port);
    cleanups.push(() => locker.stop());
    await until(() => cursor(locker.store) >= 5_000, 20_000, 'half');
    await o.restart(); // and so does the office
    await until(() => cursor(locker.store) === o.sim.lastSeq, 30_000, 'all pages');

    expect(count(locker.store)).toBe(10_000);
    expect(locker.store.db.prepare("SELECT COUNT(*) AS n FROM authorization WHERE status = 'pending'").get()).toEqual({ n: 10_000 });
    expect(locker.store.db.prepare('SELECT COUNT(*) AS n FROM staff').get()).toEqual({ n: 1 });
    expect(o.sim.differingResends).toBe(0);
  }, 120_000);

  it('events flow back in order with no gaps; an office outage and restarts lose and repeat nothing', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const o = await office();
    let locker = startLocker(t.dir, o.port);
    for (let i = 0; i < 250; i++) locker.store.outbox.append('alarm', { kind: 'test', i });
    await until(() => o.sim.ackedThrough >= 100, 10_000, 'some acknowledged');
    o.sim.available = false;
    for (let i = 250; i < 400; i++) locker.store.outbox.append('alarm', { kind: 'test', i });
    await locker.stop();
    locker = startLocker(t.dir, o.port);
    cleanups.push(() => locker.stop());
    await new Promise((r) => setTimeout(r, 200));
    o.sim.available = true;
    await o.restart();
    await until(() => o.sim.ackedThrough === 400 && locker.store.outbox.depth().pending === 0, 20_000, 'all acknowledged');
    expect([...o.sim.received.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect([...o.sim.received.values()].map((e) => (JSON.parse(e) as { data: { i: number } }).data.i)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(o.sim.differingResends).toBe(0);
    expect(locker.store.outbox.depth()).toEqual({ lastSeq: 400, ackedThrough: 400, pending: 0 });
  }, 60_000);

  it('a refused batch does not slow the pulls down, raises one alarm, and is not a successful pull', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const o = await office();
    o.sim.issue();
    // The office signs with a key the locker does not know.
    const wrong = new OfficeSimulator({ lockerId, privateKey: generateKeyPairSync('ed25519').privateKey, codeKey, token });
    wrong.issue();
    const bad = await wrong.listen(0);
    cleanups.push(() => bad.close());
    const store = openStore(t.dir, systemClock);
    const sync = createSync(configFor(bad.port), store, { token, publicKey, codeKey }, systemClock, pino({ level: 'silent' }));
    cleanups.push(async () => {
      await sync.service.stop();
      store.close();
    });
    for (let i = 0; i < 3; i++) expect(await sync.service.pullOnce()).toBe('refused');
    // No backoff for a refused batch, and no contact with the office either: a 200 that does not verify is not a
    // successful pull (contracts.md §5.3).
    expect(sync.service.status.pullFailures).toBe(0);
    expect(sync.service.status).toMatchObject({ pullRefusals: 3, lastPullRefusal: 'bad-signature', lastPullOkWall: undefined });
    expect(sync.service.freshness().feedAgeS).toBeNull();
    const alarms = store.outbox.pending().map((e) => JSON.parse(e.body) as { type: string; data: { kind: string; reason: string } });
    expect(alarms).toEqual([expect.objectContaining({ type: 'alarm', data: { kind: 'feed-rejected', reason: 'bad-signature' } })]);
    expect(count(store)).toBe(0);
  });
});
