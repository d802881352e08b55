import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import { scanBus } from '../../src/admin/bus-scan.js';
import { formatScan } from '../../src/admin/format.js';
import type { BoardConfig } from '../../hardware/boards.js';
import { createLockSystem, type LockSystem } from '../../hardware/lock-system.js';
import { PROTOCOL_BAUD } from '../../hardware/protocols/index.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import { nextEvent } from '../helpers/hardware.js';

/**
 * `diag bus scan` (src/admin/bus-scan.ts) on each family's bus, with the poller running as in the daemon: boards
 * on the line that the config does not name, configured boards that are missing, and a board whose firmware is not
 * the configured one. The simulated boards speak each family's real bytes at its real line speed.
 */
const silent = pino({ level: 'silent' });
let hw: LockSystem | undefined;
let sim: SimulatedBus | undefined;
afterEach(async () => {
  await hw?.stop();
  sim?.stop();
  hw = undefined;
});

async function scanRig(configured: BoardConfig[], onTheLine: BoardConfig[]): Promise<{ hw: LockSystem; sim: SimulatedBus; config: Config }> {
  const baud = PROTOCOL_BAUD[configured[0]!.protocol];
  sim = simulatedBusFor(onTheLine, systemClock, 5);
  hw = createLockSystem(new SimulatedTransport(sim, { baudRate: baud, replyDelayMs: 2 }, systemClock), configured, {
    replyTimeoutMs: 25, interFrameGapMs: 2, statusRetries: 0, pollIntervalMs: 20, offlineAfterMisses: 3, unlockMinIntervalMs: 200, unlockConfirmTimeoutMs: 1_000, baudRate: baud,
  }, systemClock, silent);
  const firstPoll = nextEvent(hw.poller, 'cycle');
  await hw.start();
  await firstPoll;
  return { hw, sim, config: { boards: configured } as unknown as Config };
}

describe('diag bus scan', () => {
  it('an xor-8a bus (9600 baud): probes addresses 1-31 of that family only, and names unconfigured and missing boards', async () => {
    const xor = (address: number, locks = 24): BoardConfig => ({ address, protocol: 'xor-8a', locks, latchedBit: 1 });
    const r = await scanRig([xor(1), xor(3, 8)], [xor(1), xor(7, 16)]);
    const scan = await scanBus(r.config, r.hw.bus);
    expect(scan.baudRate).toBe(9_600);
    expect(scan.boards.map((b) => b.address)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(new Set(scan.boards.map((b) => b.protocol))).toEqual(new Set(['xor-8a']));
    expect(scan.boards.filter((b) => b.answers).map((b) => b.address)).toEqual([1, 7]);
    expect(scan.addresses).toEqual([
      { address: 1, configuredAs: 'xor-8a', speaks: ['xor-8a'] },
      { address: 3, configuredAs: 'xor-8a', speaks: [], problem: 'configured as xor-8a but nothing answers: check power, wiring and the address switches' },
      { address: 7, configuredAs: null, speaks: ['xor-8a'], problem: 'a board answers here as xor-8a but none is configured' },
    ]);
    expect(formatScan(scan)).toMatch(/^address 7 +speaks xor-8a +configured - +<- a board answers here as xor-8a but none is configured$/m);
    expect(r.sim.forbiddenFrames).toBe(0);
    // A probe is a read: the scan moved no latch.
    expect(r.sim.board(7).unlocks).toEqual([]);
  });

  it('a Kerong bus (19200 baud): each address is named by the command set it answers in, whichever was configured', async () => {
    const cu48: BoardConfig = { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 };
    const cu16: BoardConfig = { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 };
    const cu4860: BoardConfig = { address: 2, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1 };
    const r = await scanRig([cu48, cu16, cu4860], [cu48, cu16, cu4860]);
    r.sim.board(0).faults.otherFirmware = true; // configured as the 0x50 firmware; it runs the 0x60 one
    const scan = await scanBus(r.config, r.hw.bus);
    expect(scan.baudRate).toBe(19_200);
    expect(scan.boards).toHaveLength(10 + 15 + 10);
    expect(scan.boards.find((b) => b.protocol === 'kerong-cu48' && b.address === 0)).toMatchObject({ configured: true, answers: false, answersAs: 'kerong-cu48-60' });
    expect(scan.addresses).toEqual([
      { address: 0, configuredAs: 'kerong-cu48', speaks: ['kerong-cu48-60'], problem: 'configured as kerong-cu48 but answers as kerong-cu48-60: set its "protocol" to match (or change the firmware)' },
      { address: 1, configuredAs: 'kerong-cu16', speaks: ['kerong-cu16'] },
      { address: 2, configuredAs: 'kerong-cu48-60', speaks: ['kerong-cu48-60'] },
    ]);
    r.sim.board(0).faults.otherFirmware = false;
    const again = await scanBus(r.config, r.hw.bus);
    expect(again.addresses[0]).toEqual({ address: 0, configuredAs: 'kerong-cu48', speaks: ['kerong-cu48'] });
  });
});
