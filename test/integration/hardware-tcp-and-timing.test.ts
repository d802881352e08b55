import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { createLockSystem, type LockSystem } from '../../hardware/lock-system.js';
import { TcpTransport } from '../../hardware/transport/tcp.js';
import { SimulatedTransport } from '../../hardware/sim/sim-transport.js';
import { serveSimulatedBus } from '../../hardware/sim/tcp-server.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import type { BoardConfig } from '../../hardware/boards.js';
import type { LatchChange } from '../../hardware/poller.js';
import { wireMs } from '../../hardware/transport/transport.js';
import { nextEvent, until } from '../helpers/hardware.js';

const silent = pino({ level: 'silent' });
const defaults = simulationConfig().bus; // the shipped timing defaults
let hw: LockSystem | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await hw?.stop();
  hw = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('poll cadence with the default timings', () => {
  it('sees a 300 ms open-close on any of 4 CU48 boards at 19200 baud (wire time simulated)', async () => {
    const boards: BoardConfig[] = [0, 1, 2, 3].map((address) => ({ address, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }));
    const sim = simulatedBusFor(boards, systemClock);
    hw = createLockSystem(new SimulatedTransport(sim, { baudRate: 19_200, replyDelayMs: 3 }, systemClock), boards, defaults, systemClock, silent);
    await hw.start();
    await until(() => [0, 1, 2, 3].every((a) => hw!.poller.snapshot(a).online === true), 5_000, 'all boards online');
    const seen: LatchChange[] = [];
    hw.poller.on('latch', (c) => seen.push(c));
    for (const [address, lock] of [[0, 1], [3, 48], [2, 17]] as const) {
      sim.board(address).forceOpen(lock);
      await new Promise((r) => setTimeout(r, 300));
      sim.board(address).closeDoor(lock);
      await nextEvent(hw.poller, 'latch', (c: LatchChange) => c.address === address && c.lock === lock && c.latched);
      const mine = seen.filter((c) => c.address === address && c.lock === lock).map((c) => c.latched);
      expect(mine).toEqual([false, true]);
    }
  });
});

describe('TCP transport (KR-BU bridge)', () => {
  const boards: BoardConfig[] = [{ address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }];

  it('polls and unlocks over TCP, and reconnects when the bridge drops the connection', async () => {
    const sim = simulatedBusFor(boards, systemClock, 5);
    const server = await serveSimulatedBus(sim, { host: '127.0.0.1', port: 0, replyDelayMs: 2 });
    cleanups.push(() => server.close());
    const transport = new TcpTransport({ host: '127.0.0.1', port: server.port, reconnectMinMs: 20, reconnectMaxMs: 100 }, systemClock, silent);
    hw = createLockSystem(transport, boards, { ...defaults, unlockMinIntervalMs: 100 }, systemClock, silent);
    const online = nextEvent(hw.poller, 'board-online');
    await hw.start();
    await online;
    await expect(hw.locks.unlock(0, 8)).resolves.toBe('released');
    expect(sim.board(0).unlocks).toEqual([8]);

    const lost = nextEvent(transport, 'state', (s: { open: boolean }) => !s.open);
    const back = nextEvent(transport, 'state', (s: { open: boolean }) => s.open, 5_000);
    server.dropConnections();
    await lost;
    await back;
    sim.board(0).closeDoor(8);
    await nextEvent(hw.poller, 'latch', (c: LatchChange) => c.lock === 8 && c.latched);
  });

  it('the next frame waits for the last one\'s wire time on the bridge\'s RS-485 side, then the gap, though the socket took the bytes at once', async () => {
    const sim = simulatedBusFor(boards, systemClock, 5);
    const server = await serveSimulatedBus(sim, { host: '127.0.0.1', port: 0, replyDelayMs: 2 });
    cleanups.push(() => server.close());
    const transport = new TcpTransport({ host: '127.0.0.1', port: server.port, reconnectMinMs: 20, reconnectMaxMs: 100 }, systemClock, silent);
    // A bridge at 1200 baud: an unlock frame takes 50 ms on the pair, far beyond the 3 ms gap and loopback TCP.
    hw = createLockSystem(transport, boards, { ...defaults, baudRate: 1_200 }, systemClock, silent);
    await transport.start(); // no poller: only the frames this test sends
    const tx: number[] = [];
    hw.bus.on('tx', (_b: Buffer, at: number) => tx.push(at));
    await hw.boards[0]!.unlock(8);
    await hw.boards[0]!.status();
    expect(tx).toHaveLength(2);
    expect(tx[1]! - tx[0]!).toBeGreaterThanOrEqual(wireMs(6, 1_200) + defaults.interFrameGapMs);
  });

  it('keeps trying with backoff while the bridge is down, and connects when it comes up', async () => {
    const sim = simulatedBusFor(boards, systemClock, 5);
    const probe = await serveSimulatedBus(sim, { host: '127.0.0.1', port: 0, replyDelayMs: 2 });
    const port = probe.port;
    await probe.close(); // a port nobody listens on now
    const transport = new TcpTransport({ host: '127.0.0.1', port, reconnectMinMs: 20, reconnectMaxMs: 80 }, systemClock, silent);
    hw = createLockSystem(transport, boards, defaults, systemClock, silent);
    await hw.start();
    expect(transport.isOpen).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    const server = await serveSimulatedBus(sim, { host: '127.0.0.1', port, replyDelayMs: 2 });
    cleanups.push(() => server.close());
    await nextEvent(hw.poller, 'board-online', () => true, 5_000);
    expect(transport.isOpen).toBe(true);
  });
});
