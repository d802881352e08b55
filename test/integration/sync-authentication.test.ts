import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { pino } from 'pino';
import { systemClock, type Clock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { createSync } from '../../src/sync/build.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { openStore, type Store } from '../../src/store/store.js';
import { signedAck } from '../../src/wire/ack.js';
import { eventsKey, eventsMac } from '../../src/wire/event-mac.js';
import { contractExampleConfig, tempDir } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';

/**
 * contracts.md §5.3 on both sides: the push carries a MAC over its exact body that the office checks, and the
 * office's acknowledgement is a signed envelope that the locker checks before it drops a single event. Someone
 * in the TLS path with the bearer token can neither feed the office events nor make the locker drop true ones.
 */

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const codeKey = Buffer.alloc(32, 9);
const token = 'test-token-0123456789abcdef';
const lockerId = 'czestochowa-focha-1';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(o: { clock?: Clock; lockerKey?: Buffer; pullIntervalS?: number } = {}) {
  const t = tempDir();
  cleanups.push(() => t.cleanup());
  const sim = new OfficeSimulator({ lockerId, privateKey, codeKey, token });
  const server = await sim.listen(0);
  cleanups.push(() => server.close());
  const c = contractExampleConfig();
  c.office = { ...c.office, url: `http://127.0.0.1:${server.port}/urzedomat`, pullIntervalS: o.pullIntervalS ?? 10 };
  const clock = o.clock ?? systemClock;
  const store = openStore(t.dir, clock);
  const sync = createSync(parseConfig(c, '/tmp'), store, { token, publicKey, codeKey: o.lockerKey ?? codeKey }, clock, pino({ level: 'silent' }));
  cleanups.push(async () => {
    await sync.service.stop();
    store.close();
  });
  return { sim, store, sync, port: server.port };
}

const alarms = (store: Store): Record<string, unknown>[] =>
  store.outbox.pending(10_000).map((e) => JSON.parse(e.body) as { type: string; data: Record<string, unknown> }).filter((e) => e.type === 'alarm').map((e) => e.data);

function queue(store: Store, n: number): void {
  for (let i = 0; i < n; i++) store.outbox.append('compartment.fault', { compartment: i + 1, kind: 'not-latched' });
}

function post(port: number, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/urzedomat/v1/lockers/${lockerId}/events`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('event push authentication (contracts.md §5.3)', () => {
  it('a push carries the MAC of its exact body; the office verifies it and answers a signed acknowledgement the locker believes', async () => {
    const { sim, store, sync } = await rig();
    queue(store, 3);
    expect(await sync.service.pushOnce()).toBe(0);
    expect(sim.badMacPushes).toBe(0);
    expect([...sim.received.keys()]).toEqual([1, 2, 3]);
    expect(store.outbox.depth()).toEqual({ lastSeq: 3, ackedThrough: 3, pending: 0 });
    expect(sync.service.status.lastAckOkMono).toBeDefined();
    expect(sync.service.freshness().ackAgeS).toBe(0);
  });

  it('the office refuses (401) and records nothing of a push whose MAC does not verify, with or without the token', async () => {
    const { sim, port } = await rig();
    const body = '{"events":[{"seq":1,"type":"alarm","at":"2026-11-25T10:00:00Z","data":{"kind":"tamper"}}]}';
    const kev = eventsKey(codeKey);
    expect((await post(port, body, {})).status).toBe(401);
    expect((await post(port, body, { 'x-urzedomat-mac': eventsMac(eventsKey(Buffer.alloc(32, 1)), body) })).status).toBe(401);
    expect((await post(port, body, { 'x-urzedomat-mac': eventsMac(kev, body + ' ') })).status).toBe(401);
    expect(sim.received.size).toBe(0);
    expect(sim.badMacPushes).toBe(3);
    const ok = await post(port, body, { 'x-urzedomat-mac': eventsMac(kev, body) });
    expect(ok.status).toBe(200);
    expect(sim.received.size).toBe(1);
  });

  it('a locker with another key K is refused by the office and keeps every event for resending', async () => {
    const { sim, store, sync } = await rig({ lockerKey: Buffer.alloc(32, 7) });
    queue(store, 2);
    expect(await sync.service.pushOnce()).toBe('failed');
    expect(sim.received.size).toBe(0);
    expect(store.outbox.depth().pending).toBe(2);
  });

  it.each([
    ['a bare {"ackedThrough": N} (the earlier draft, or a forgery)', (n: number) => JSON.stringify({ ackedThrough: n }), 'envelope-malformed'],
    ['signed by another key', (n: number) => signedAck({ lockerId, ackedThrough: n, serverTime: new Date().toISOString() }, generateKeyPairSync('ed25519').privateKey), 'bad-signature'],
    ['for another locker', (n: number) => signedAck({ lockerId: 'elsewhere', ackedThrough: n, serverTime: new Date().toISOString() }, privateKey), 'wrong-locker'],
    ['beyond what was sent', (n: number) => signedAck({ lockerId, ackedThrough: n + 5, serverTime: new Date().toISOString() }, privateKey), 'beyond-sent'],
  ])('an acknowledgement %s changes nothing, counts as a failed push and, repeated, raises ack-rejected', async (_what, forge, reason) => {
    const { sim, store, sync } = await rig();
    sim.forgeAck = ({ ackedThrough }) => forge(ackedThrough);
    queue(store, 4);
    for (let i = 1; i <= 3; i++) {
      expect(await sync.service.pushOnce()).toBe('failed');
      expect(store.outbox.depth()).toMatchObject({ ackedThrough: 0 });
      expect(sync.service.status).toMatchObject({ ackRejections: i, lastAckRefusal: reason, lastPushOkWall: undefined });
    }
    // The alarm is raised once, at the third refusal in a row, not once per push.
    await sync.service.pushOnce();
    expect(alarms(store)).toEqual([{ kind: 'ack-rejected', reason }]);
    // The honest office again: everything, the alarm included, is delivered and believed.
    sim.forgeAck = undefined;
    expect(await sync.service.pushOnce()).toBe(0);
    expect(sync.service.status.ackRejections).toBe(0);
    expect(store.outbox.depth().pending).toBe(0);
    expect(sim.received.size).toBe(5);
  });
});

describe('sync freshness (contracts.md §5.3)', () => {
  it('a feed with no verified batch for 3 × the pull interval is stale: reported once as feed-stale; a verified batch clears it', async () => {
    const clock = new ManualClock();
    const { sim, store, sync } = await rig({ clock, pullIntervalS: 10 });
    sim.available = false;
    expect(await sync.service.pullOnce()).toBe('failed');
    clock.advance(29_000);
    sync.service.checkFreshness();
    expect(sync.service.freshness()).toMatchObject({ feedStale: false, feedAgeS: null });
    clock.advance(2_000);
    sync.service.checkFreshness();
    sync.service.checkFreshness();
    expect(sync.service.freshness().feedStale).toBe(true);
    expect(sync.service.freshness().problems[0]).toMatch(/no verified feed batch since start/);
    expect(alarms(store)).toEqual([{ kind: 'feed-stale', ageS: null }]);
    sim.available = true;
    expect(await sync.service.pullOnce()).toBe('done');
    sync.service.checkFreshness();
    expect(sync.service.freshness()).toMatchObject({ feedStale: false, feedAgeS: 0 });
    clock.advance(31_000);
    sync.service.checkFreshness();
    expect(sync.service.freshness()).toMatchObject({ feedStale: true, feedAgeS: 31 });
    expect(alarms(store).map((a) => a.kind)).toEqual(['feed-stale', 'feed-stale']);
  });

  it('events that wait past the limit without a verified acknowledgement are stale (ack-stale), whatever the HTTP answers said', async () => {
    const clock = new ManualClock();
    const { sim, store, sync } = await rig({ clock, pullIntervalS: 10 });
    sim.forgeAck = ({ ackedThrough }) => JSON.stringify({ ackedThrough });
    queue(store, 1);
    await sync.service.pushOnce();
    clock.advance(31_000);
    await sync.service.pushOnce();
    sync.service.checkFreshness();
    expect(sync.service.freshness()).toMatchObject({ ackStale: true, ackAgeS: null });
    expect(alarms(store).map((a) => a.kind)).toContain('ack-stale');
  });
});
