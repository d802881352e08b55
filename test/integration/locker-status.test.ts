import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { StatusReporter } from '../../src/service/status-report.js';
import { lockerStatusSchema } from '../../src/wire/locker-status.js';
import { outboxEvents, startCoreWithDocument, type CoreRig } from '../helpers/core-rig.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/**
 * The locker tells the office which boards answer and how its compartments stand (`locker.status`), from the
 * same sources as `diag status`: the poller and the compartment machines, on simulated boards.
 */
describe('locker.status from the running core', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it('queues the counts at start, after a door is forced and after the board drops off, and nothing in between', async () => {
    const t = tempDir();
    cleanups.push(() => t.cleanup());
    const rig: CoreRig = await startCoreWithDocument(t.dir); // compartment 2 holds a document; 1, 3, 4 are free
    cleanups.push(() => rig.stop());
    const reporter = new StatusReporter({
      boards: [0], poller: rig.hw.poller, compartments: rig.compartments, outbox: rig.store.outbox, clock: systemClock, logger: pino({ level: 'silent' }),
      settleMs: 50, minGapMs: 150, everyMs: 60_000,
    });
    reporter.start();
    cleanups.push(() => reporter.stop());
    const statuses = () => outboxEvents(rig.store).filter((e) => e.type === 'locker.status').map((e) => lockerStatusSchema.parse(e.data));

    await until(() => statuses().length === 1, 3_000, 'first status');
    expect(statuses()[0]).toEqual({ boards: [{ address: 0, online: true }], compartments: { free: 3, occupied: 1, open: 0, reserved: 0, fault: 0, disabled: 0 } });

    rig.sim.board(0).forceOpen(3);
    await until(() => statuses().length === 2, 3_000, 'status after the forced door');
    expect(statuses()[1]!.compartments).toEqual({ free: 2, occupied: 1, open: 1, reserved: 0, fault: 0, disabled: 0 });
    expect(outboxEvents(rig.store).some((e) => e.type === 'alarm' && e.data.kind === 'forced-open')).toBe(true);

    rig.sim.board(0).faults.offline = true;
    await until(() => statuses().length === 3, 3_000, 'status after the board went offline');
    expect(statuses()[2]!.boards).toEqual([{ address: 0, online: false }]);

    await new Promise((r) => setTimeout(r, 500)); // polls keep failing, nothing else changes
    expect(statuses()).toHaveLength(3);
  });
});
