import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHealth, type HealthInputs } from '../../../src/service/health.js';
import { openStore, type Store } from '../../../src/store/store.js';
import type { Poller } from '../../../hardware/poller.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { tempDir } from '../../helpers/fixtures.js';

let t: ReturnType<typeof tempDir>;
let store: Store;
let clock: ManualClock;
let lastOkMono: number | undefined;

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock();
  store = openStore(t.dir, clock);
  lastOkMono = 0;
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const inputs = (officeProblems: readonly string[]): HealthInputs => ({
  clock, db: store.db, boards: [0], maxPollAgeMs: 5_000, officeProblems: () => officeProblems,
  poller: { snapshot: () => ({ lastOkMono }) } as unknown as Poller,
});

describe('health check (the watchdog’s verdict)', () => {
  it('an office feed or acknowledgement grown old is a note beside a healthy verdict, never a reason to restart', () => {
    expect(checkHealth(inputs([]), 0, 1_000)).toEqual({ ok: true, notes: [] });
    const stale = ['last verified feed batch 95 s ago (limit 90 s)'];
    expect(checkHealth(inputs(stale), 0, 1_000)).toEqual({ ok: true, notes: stale });
  });

  it('a silent bus is unhealthy whatever the office says', () => {
    clock.advance(10_000);
    expect(checkHealth(inputs([]), 0, 1_000)).toMatchObject({ ok: false, why: expect.stringMatching(/no board answered/) });
    lastOkMono = undefined;
    expect(checkHealth(inputs(['x']), 0, 1_000)).toEqual({ ok: false, why: 'no board has answered yet' });
  });
});
