import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import type { FeedReceiver } from '../../../src/sync/feed-receiver.js';
import type { TrustedClock } from '../../../src/sync/trusted-clock.js';
import { signedEnvelope } from '../../../src/wire/envelope.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { tempDir } from '../../helpers/fixtures.js';
import { feedReceiverOn } from '../../helpers/feed-receiver.js';

/**
 * Issue 14, point 11: genuine but old batches replayed at the cursor must not walk the freshness bar backwards
 * (the newest serverTime applied only ever rises) nor make a correct clock untrusted.
 */

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const lockerId = 'czestochowa-focha-1';

/** An empty batch at cursor 0: genuine, signed, and valid to apply again and again. */
const emptyBatch = (serverTime: string, ttlMin = 15): string => signedEnvelope({
  lockerId, after: 0, last: 0, more: false, serverTime, expiresAt: new Date(Date.parse(serverTime) + ttlMin * 60_000).toISOString(), changes: [],
}, privateKey);

let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let time: TrustedClock;
let receiver: FeedReceiver;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock(Date.parse('2026-11-25T10:03:00Z')); // a correct wall clock
  store = openStore(t.dir, clock);
  ({ receiver, time } = feedReceiverOn(store, publicKey, clock, lockerId));
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const storedServerTime = (): string | null => (store.db.prepare('SELECT feed_server_time AS t FROM sync_state').get() as { t: string | null }).t;

describe('replayed old batches (point 11)', () => {
  it('never lower the newest serverTime applied, so a chain of older replays cannot walk the staleness check backwards', () => {
    const old1 = emptyBatch('2026-11-25T09:50:00Z'); // expires 10:05
    const old2 = emptyBatch('2026-11-25T09:45:00Z'); // expires 10:00
    expect(receiver.receive(emptyBatch('2026-11-25T10:02:00Z'))).toMatchObject({ applied: true });
    // old1 still expires after the newest serverTime: genuine and acceptable, but its time is the past's.
    expect(receiver.receive(old1)).toMatchObject({ applied: true });
    expect(Date.parse(storedServerTime()!)).toBe(Date.parse('2026-11-25T10:02:00Z'));
    // With the bar lowered to 09:50 this one (expiring 10:00) would pass; at 10:02 it is stale.
    expect(receiver.receive(old2)).toEqual({ applied: false, reason: 'stale' });
    expect(Date.parse(storedServerTime()!)).toBe(Date.parse('2026-11-25T10:02:00Z'));
  });

  it('an old batch’s serverTime does not make a correct clock untrusted', () => {
    expect(receiver.receive(emptyBatch('2026-11-25T10:02:30Z'))).toMatchObject({ applied: true });
    expect(time.trusted()).toBe(true);
    // Thirteen minutes old: far beyond the 60 s tolerance, but it says nothing about the clock now.
    expect(receiver.receive(emptyBatch('2026-11-25T09:50:00Z'))).toMatchObject({ applied: true });
    expect(time.trusted()).toBe(true);
    expect(time.trustedNowMs()).toBe(clock.wallMs());
    // A new batch that disagrees with the clock still withdraws the trust.
    clock.advance(1_000);
    expect(receiver.receive(emptyBatch('2026-11-25T12:00:00Z'))).toMatchObject({ applied: true });
    expect(time.trusted()).toBe(false);
  });

  it('the trusted clock ignores a serverTime older than the one it holds', () => {
    time.observe(Date.parse('2026-11-25T10:02:30Z'));
    time.observe(Date.parse('2026-11-25T08:00:00Z'));
    expect(time.trusted()).toBe(true);
    expect(time.conservativeNowMs()).toBe(clock.wallMs());
  });
});
