import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCli } from '../helpers/cli.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { nextEvent } from '../helpers/hardware.js';
import { loadConfigFile } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { systemClock } from '../../src/clock.js';

/**
 * The daemon's real serial transport (node-serialport with the operating system's binding) against
 * `urzedomat sim-bus --pty`: a pseudo-terminal made by socat, with simulated boards behind it, in another process.
 */
describe('daemon on a real tty', () => {
  let t: ReturnType<typeof tempDir>;
  beforeAll(() => {
    t = tempDir();
  });
  afterAll(() => t.cleanup());

  it('polls and unlocks through the pty, and the boards receive exactly that unlock', async () => {
    const tty = join(t.dir, 'ttyURZ0');
    const c = runnableConfig(t.dir);
    c.bus = { transport: 'serial', path: tty, baudRate: 19200, pollIntervalMs: 20, replyTimeoutMs: 200, unlockConfirmTimeoutMs: 2000 };
    c.log = { level: 'debug' };
    const file = join(t.dir, 'urzedomat.json');
    writeFileSync(file, JSON.stringify(c));

    const sim = await startCli(['sim-bus', '--config', file, '--pty', tty], {}, (l) => l.msg === 'simulated boards on a pseudo-terminal');
    let daemon: Daemon | undefined;
    try {
      const config = loadConfigFile(file);
      daemon = await startDaemon(config, { logger: pino({ level: process.env.TEST_DEBUG ? 'debug' : 'silent' }), clock: systemClock });
      await nextEvent(daemon.hardware.poller, 'board-online', (e: { address: number }) => e.address === 0, 10_000);
      expect(daemon.hardware.poller.snapshot(0).latched?.every((l) => l)).toBe(true);
      await expect(daemon.hardware.locks.unlock(0, 5)).resolves.toBe('released');
      expect(daemon.hardware.poller.snapshot(0).latched?.[4]).toBe(false);
    } finally {
      await daemon?.stop('test over');
      sim.child.kill('SIGTERM');
    }
    const r = await sim.exited;
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const statusPolls = lines.filter((l) => l.msg === 'request' && l.hex === '020000500355');
    expect(statusPolls.length).toBeGreaterThan(2);
    const unlocks = lines.filter((l) => l.msg === 'unlock received');
    expect(unlocks).toEqual([expect.objectContaining({ address: 0, lock: 5, hex: '02000451035a' })]);
  });
});
