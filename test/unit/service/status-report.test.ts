import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { StatusReporter, statusEveryMs, statusMinGapMs, statusSettleMs } from '../../../src/service/status-report.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { tempDir } from '../../helpers/fixtures.js';

type State = 'free' | 'occupied' | 'open' | 'reserved' | 'fault' | 'disabled';

let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let online: Record<number, boolean | undefined>;
let states: State[];
let poller: EventEmitter & { snapshot(a: number): { online: boolean | undefined } };
let compartments: { states(): { id: number; state: State }[]; changes: EventEmitter };
let reporter: StatusReporter;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock();
  store = openStore(t.dir, clock);
  online = { 1: true, 2: true };
  states = ['free', 'free', 'occupied', 'fault', 'disabled'];
  poller = Object.assign(new EventEmitter(), { snapshot: (a: number) => ({ online: online[a] }) });
  compartments = { states: () => states.map((state, i) => ({ id: i + 1, state })), changes: new EventEmitter() };
  reporter = new StatusReporter({ boards: [1, 2], poller, compartments, outbox: store.outbox, clock, logger: pino({ level: 'silent' }) });
});
afterEach(() => {
  reporter.stop();
  store.close();
  t.cleanup();
});

const statuses = () =>
  store.outbox.pending(1000).map((e) => JSON.parse(e.body) as { type: string; data: unknown }).filter((e) => e.type === 'locker.status').map((e) => e.data);

describe('locker.status events (the office’s lockers view)', () => {
  it('one after start, with the boards online and compartments counted by state', () => {
    reporter.start();
    expect(statuses()).toEqual([]);
    clock.advance(statusSettleMs);
    expect(statuses()).toEqual([
      { boards: [{ address: 1, online: true }, { address: 2, online: true }], compartments: { free: 2, occupied: 1, open: 0, reserved: 0, fault: 1, disabled: 1 } },
    ]);
  });

  it('nothing more while nothing changes, until the 15-minute heartbeat', () => {
    reporter.start();
    clock.advance(statusSettleMs);
    clock.advance(statusEveryMs - 1);
    expect(statuses()).toHaveLength(1);
    clock.advance(1);
    expect(statuses()).toHaveLength(2);
    expect(statuses()[1]).toEqual(statuses()[0]);
    clock.advance(statusEveryMs);
    expect(statuses()).toHaveLength(3);
  });

  it('a burst of changes is one event, sent after it settled and not sooner than a minute after the last', () => {
    reporter.start();
    clock.advance(statusSettleMs); // the first, at 10 s
    clock.advance(20_000);
    // A pickup: reserved, open, free again in a few seconds; and a board drops off meanwhile.
    states[0] = 'open';
    compartments.changes.emit('change', {});
    clock.advance(2_000);
    states[2] = 'free';
    compartments.changes.emit('change', {});
    online[2] = false;
    poller.emit('board-offline', { address: 2 });
    clock.advance(statusMinGapMs - 20_000 - 2_000 - 1);
    expect(statuses()).toHaveLength(1); // within a minute of the first
    clock.advance(1);
    expect(statuses()).toHaveLength(2);
    expect(statuses()[1]).toEqual({
      boards: [{ address: 1, online: true }, { address: 2, online: false }],
      compartments: { free: 2, occupied: 0, open: 1, reserved: 0, fault: 1, disabled: 1 },
    });
    // Later, a change on its own goes after the settling time.
    clock.advance(5 * 60_000);
    online[2] = true;
    poller.emit('board-online', { address: 2 });
    clock.advance(statusSettleMs - 1);
    expect(statuses()).toHaveLength(2);
    clock.advance(1);
    expect(statuses()).toHaveLength(3);
    expect(statuses()[2]).toMatchObject({ boards: [{ address: 1, online: true }, { address: 2, online: true }] });
  });

  it('a change that ends where it began queues nothing, and the heartbeat counts from the last event', () => {
    reporter.start();
    clock.advance(statusSettleMs);
    clock.advance(5 * 60_000);
    states[0] = 'open';
    compartments.changes.emit('change', {});
    clock.advance(3_000);
    states[0] = 'free';
    compartments.changes.emit('change', {});
    clock.advance(statusSettleMs);
    expect(statuses()).toHaveLength(1);
    clock.advance(statusEveryMs - 5 * 60_000 - 3_000 - statusSettleMs - 1);
    expect(statuses()).toHaveLength(1);
    clock.advance(1);
    expect(statuses()).toHaveLength(2);
  });

  it('stops listening and timing when stopped', () => {
    reporter.start();
    reporter.stop();
    compartments.changes.emit('change', {});
    clock.advance(2 * statusEveryMs);
    expect(statuses()).toEqual([]);
    expect(poller.listenerCount('board-online') + compartments.changes.listenerCount('change')).toBe(0);
  });
});
