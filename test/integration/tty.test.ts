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

/** One board of each family, its lock 5 unlocked, and the golden bytes the simulated boards must receive. */
const families = [
  {
    protocol: 'kerong-cu48',
    board: { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
    baudRate: 19_200,
    statusHex: '020000500355', // 02 00 00 50 03 55 (DESIGN §4)
    unlockHex: '02000451035a', // 02 00 04 51 03 5A: lock 5
    answersUnlock: false,
  },
  {
    protocol: 'kerong-cu48-60',
    board: { address: 0, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1 },
    baudRate: 19_200,
    statusHex: '020000600365', // 02 00 00 60 03 65 (kerong-cu48-60/codec.ts, B1)
    unlockHex: '02000461036a', // 02 00 04 61 03 6A: lock 5, in byte 2 (codec E4)
    answersUnlock: false,
  },
  {
    protocol: 'xor-8a',
    // latchedBit 0: the board answers the unlock with STATE 11, the request's very bytes, through the real tty.
    board: { address: 1, protocol: 'xor-8a', locks: 8, latchedBit: 0 },
    baudRate: 9_600,
    statusHex: '80010033b2', // 80 01 00 33 B2 (xor-8a/codec.ts, A5)
    unlockHex: '8a0105119f', // 8A 01 05 11 9F: channel 5
    answersUnlock: true,
  },
] as const;

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

  it.each(families)('$protocol: polls and unlocks through the pty, and the board receives exactly that unlock', async (f) => {
    const dir = join(t.dir, f.protocol);
    const tty = join(dir, 'ttyURZ0');
    const c = runnableConfig(dir);
    const address = f.board.address;
    c.boards = [f.board];
    c.compartments = [{ id: 1, board: address, lock: 1, size: 'S' }];
    // No baudRate: the config takes the family's.
    c.bus = { transport: 'serial', path: tty, pollIntervalMs: 20, replyTimeoutMs: 200, unlockConfirmTimeoutMs: 2000 };
    c.log = { level: 'debug' };
    const file = join(dir, 'urzedomat.json');
    writeFileSync(file, JSON.stringify(c));

    const sim = await startCli(['sim-bus', '--config', file, '--pty', tty], {}, (l) => l.msg === 'simulated boards on a pseudo-terminal');
    let daemon: Daemon | undefined;
    try {
      const config = loadConfigFile(file);
      daemon = await startDaemon(config, { logger: pino({ level: process.env.TEST_DEBUG ? 'debug' : 'silent' }), clock: systemClock });
      expect(daemon.hardware.transport.description).toBe(`serial ${tty} @${f.baudRate}`);
      await nextEvent(daemon.hardware.poller, 'board-online', (e: { address: number }) => e.address === address, 10_000);
      expect(daemon.hardware.poller.snapshot(address).latched).toEqual(Array(f.board.locks).fill(true));
      // socat joins the pty to the boards only once the daemon has opened it: the first polls go out together and
      // their replies come back together, all but one unclaimed. From a poll after those on, the line is quiet.
      await daemon.hardware.poller.nextStatus(address);
      const unsolicitedBefore = daemon.hardware.bus.stats.unsolicited;
      await expect(daemon.hardware.locks.unlock(address, 5)).resolves.toBe('released');
      expect(daemon.hardware.poller.snapshot(address).latched?.[4]).toBe(false);
      // An xor-8a board's answer came back through the pty after its pulse: heard as the answer, not as an echo.
      expect(daemon.hardware.bus.stats.unlockReplies).toBe(f.answersUnlock ? 1 : 0);
      expect(daemon.hardware.bus.stats.echoes).toBe(0);
      expect(daemon.hardware.bus.stats.unsolicited).toBe(unsolicitedBefore);
    } finally {
      await daemon?.stop('test over');
      sim.child.kill('SIGTERM');
    }
    const r = await sim.exited;
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const statusPolls = lines.filter((l) => l.msg === 'request' && l.hex === f.statusHex);
    expect(statusPolls.length).toBeGreaterThan(2);
    expect(statusPolls[0]).toMatchObject({ protocol: f.protocol, address, command: 'status' });
    const unlocks = lines.filter((l) => l.msg === 'unlock received');
    expect(unlocks).toEqual([expect.objectContaining({ protocol: f.protocol, address, lock: 5, command: 'unlock', hex: f.unlockHex })]);
    expect(lines.filter((l) => l.msg === 'forbidden frame received; no board acted on it')).toEqual([]);
  });
});
