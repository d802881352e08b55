import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { outboxEvents } from '../helpers/core-rig.js';
import { until } from '../helpers/until.js';

/**
 * Issue 14, point 3, as a technician sees it: with no verified feed batch for `office.maxFeedAgeS` (the office is
 * unreachable in this rig), `diag status` and `diag selftest` say so and an alarm is queued, while the locker
 * stays in service.
 */
describe('an office feed grown old, in diag', () => {
  let rig: KioskRig;
  let socket: string;

  beforeAll(async () => {
    rig = await startKioskRig((raw) => {
      raw.admin = { socket: join(dirname(raw.dataDir), 'run', 'admin.sock') };
      raw.office = { ...raw.office, pullIntervalS: 5, maxFeedAgeS: 10 };
    });
    socket = rig.daemon.config.admin.socket;
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('status, selftest and an alarm say so; pickups and the mode are untouched', async () => {
    const fresh = JSON.parse((await runCli(['diag', 'status', '--json', '--socket', socket])).stdout);
    expect(fresh.sync).toMatchObject({ lastVerifiedPullAgoS: null, lastVerifiedAckAgoS: null, feedStale: false, problems: [] });
    await until(() => rig.daemon.sync.service.freshness().feedStale, 20_000, 'feed stale');
    await until(() => outboxEvents(rig.daemon.store).some((e) => e.type === 'alarm' && e.data.kind === 'feed-stale'), 10_000, 'feed-stale alarm');
    const status = await runCli(['diag', 'status', '--json', '--socket', socket]);
    const s = JSON.parse(status.stdout);
    expect(s.sync.feedStale).toBe(true);
    expect(s.sync.problems[0]).toMatch(/no verified feed batch since start/);
    expect(s.mode).toBe('inService');
    const human = await runCli(['diag', 'status', '--socket', socket]);
    expect(human.stdout).toMatch(/^ {2}OFFICE: no verified feed batch since start/m);
    const selftest = await runCli(['diag', 'selftest', '--json', '--socket', socket]);
    const checks = JSON.parse(selftest.stdout).checks as { item: string; verdict: string; detail: string }[];
    expect(checks.find((c) => c.item === 'office feed')).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/no verified feed batch/) });
    expect(outboxEvents(rig.daemon.store).filter((e) => e.type === 'alarm' && e.data.kind === 'feed-stale')).toHaveLength(1);
  }, 40_000);
});
