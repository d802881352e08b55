import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { pinMac } from '../../src/wire/credentials.js';
import { createSync } from '../../src/sync/build.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { contractExampleConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { insertAuthorization, testKey } from '../helpers/store-fixtures.js';
import { rigBoards, startCore } from '../helpers/core-rig.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('offline', () => {
  it('the office is down during 500 loads and pickups; when it is back, exactly those events arrive, in order, once', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const token = 'offline-test-token-0123456789';
    const office = new OfficeSimulator({ lockerId: 'czestochowa-focha-1', privateKey, codeKey: testKey, token });
    office.available = false;
    const server = await office.listen(0);
    cleanups.push(() => server.close());

    const r = await startCore(t.dir, simulatedBusFor(rigBoards, systemClock, 2), systemClock, { unlockMinIntervalMs: 0 });
    cleanups.push(() => r.stop());
    const c = contractExampleConfig();
    c.office = { ...c.office, url: `http://127.0.0.1:${server.port}/urzedomat`, pullIntervalS: 5 };
    const sync = createSync(parseConfig(c, '/tmp'), r.store, { token, publicKey, codeKey: testKey }, systemClock, pino({ level: 'silent' }));
    sync.service.start();
    cleanups.push(() => sync.service.stop());

    await until(() => r.hw.poller.snapshot(0).online === true, 3_000, 'online');
    r.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'x', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    const login = (): string => {
      const a = r.staff.login('S-1', '1234');
      if (a.status !== 200) throw new Error('login');
      return a.body.token;
    };
    let staffToken = login();
    const expected: string[] = [];
    for (let i = 0; i < 250; i++) {
      const id = `A-${i}`;
      const phone = `6002${String(i).padStart(5, '0')}`;
      const code = String(30_000_000 + i * 13);
      insertAuthorization(r.store.db, { id, phone, code, status: 'pending', compartment: null });
      // The rig's sessions end after 500 ms idle; a slow iteration on a busy machine must not end the test.
      if (r.staff.session(staffToken) === undefined) staffToken = login();
      const loaded = await r.staff.load(staffToken, id);
      if (loaded.status !== 200) throw new Error(`load ${id}: ${JSON.stringify(loaded)}`);
      r.sim.board(0).closeDoor(loaded.body.compartment);
      await until(() => r.compartments.state(loaded.body.compartment) === 'occupied', 3_000, 'occupied');
      const picked = await r.pickup.pickup({ phone, code });
      if (picked.status !== 200) throw new Error(`pickup ${id}: ${JSON.stringify(picked)}`);
      r.sim.board(0).closeDoor(picked.body.compartment);
      await until(() => r.compartments.state(picked.body.compartment) === 'free', 3_000, 'free');
      expected.push(`document.loaded:${id}`, `document.collected:${id}`);
    }
    expect(office.received.size).toBe(0);
    // Besides the 500, the locker may rightly have reported the office's silence (feed-stale, ack-stale: 3 pull
    // intervals without a verified batch or acknowledgement), depending on how long the loop took on this machine.
    const queued = r.store.outbox.depth().lastSeq;
    expect(queued).toBeGreaterThanOrEqual(500);

    office.available = true;
    await until(() => office.ackedThrough >= queued && r.store.outbox.depth().pending === 0, 30_000, 'all events delivered');
    const got = [...office.received.entries()].sort(([a], [b]) => a - b).map(([seq, e]) => ({ seq, ...(JSON.parse(e) as { type: string; data: { authorizationId?: string; kind?: string } }) }));
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    const alarms = got.filter((e) => e.type === 'alarm');
    expect(alarms.every((e) => e.data.kind === 'feed-stale' || e.data.kind === 'ack-stale')).toBe(true);
    expect(got.filter((e) => e.type !== 'alarm').map((e) => `${e.type}:${e.data.authorizationId}`)).toEqual(expected);
    expect(office.differingResends).toBe(0);
  }, 120_000);
});
