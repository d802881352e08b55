import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { serveSimulatedBus } from '../../hardware/sim/tcp-server.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import type { BoardProtocol, BusFrame } from '../../hardware/protocols/index.js';
import { CU16 } from '../../hardware/protocols/kerong-cu16/codec.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { CU4860 } from '../../hardware/protocols/kerong-cu48-60/codec.js';

export interface SimBusOptions {
  /** Loopback TCP port to serve the boards on (0: any free port). */
  readonly tcpPort: number;
  /** Path of a pseudo-terminal to create in front of the boards (needs socat). */
  readonly ptyPath: string | undefined;
  readonly replyDelayMs: number;
  /** Doors shut by themselves this long after their latch released (a simulated resident). */
  readonly autoCloseMs?: number | undefined;
}

export interface RunningSimBus {
  readonly simBus: SimulatedBus;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The config's boards, simulated, served over loopback TCP like a KR-BU bridge and, with a pty path, on a
 * pseudo-terminal (socat joins the pty to the TCP server), so the daemon can be pointed at them through its
 * real serial transport exactly as at a USB RS-485 adapter. Every request the boards receive is logged.
 */
export async function startSimBus(config: Config, o: SimBusOptions, clock: Clock, logger: Logger): Promise<RunningSimBus> {
  const simBus = simulatedBusFor(config.boards, clock, undefined, o.autoCloseMs);
  simBus.on('request', (f) => {
    const detail = requestDetail(f);
    logger.debug({ hex: f.raw.toString('hex'), ...detail }, 'request');
    if (detail.command === 'unlock') logger.info({ hex: f.raw.toString('hex'), ...detail }, 'unlock received');
  });
  simBus.on('forbidden', (f) => {
    if (f.kind !== 'xor-forbidden') return;
    logger.error({ hex: f.raw.toString('hex'), protocol: 'xor-8a', address: f.address, channel: f.channel, what: f.what }, 'forbidden frame received; no board acted on it');
  });
  const server = await serveSimulatedBus(simBus, { host: '127.0.0.1', port: o.tcpPort, replyDelayMs: o.replyDelayMs });
  logger.info({ host: '127.0.0.1', port: server.port, boards: config.boards.map((b) => `${b.protocol}@${b.address}`) }, 'simulated boards listening');

  let socat: ChildProcess | undefined;
  let relaunch: NodeJS.Timeout | undefined;
  let stopping = false;
  const ptyPath = o.ptyPath;
  if (ptyPath !== undefined) {
    // socat exits when the daemon closes the pty; start it again so the device comes back, as a re-plugged adapter.
    const launch = (): void => {
      if (stopping) return;
      socat = spawn('socat', [`PTY,link=${ptyPath},rawer,echo=0,wait-slave`, `TCP:127.0.0.1:${server.port}`], { stdio: 'ignore' });
      socat.on('error', (e) => logger.error({ err: e.message }, 'socat could not start: install it (apt-get install socat)'));
      socat.on('exit', () => {
        if (!stopping) relaunch = setTimeout(launch, 100);
      });
    };
    launch();
    const deadline = Date.now() + 5_000;
    while (!existsSync(ptyPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!existsSync(ptyPath)) throw new Error(`the pseudo-terminal ${ptyPath} did not appear (is socat installed?)`);
    logger.info({ pty: ptyPath }, 'simulated boards on a pseudo-terminal');
  }

  return {
    simBus,
    port: server.port,
    async stop() {
      stopping = true;
      clearTimeout(relaunch);
      socat?.kill('SIGTERM');
      await server.close();
      simBus.stop();
    },
  };
}

/**
 * What a request the boards received asks, in every family's terms: the family, the board, status or unlock, and
 * for an unlock the lock (counted from 1, as the config and the board's print count it).
 */
export function requestDetail(f: BusFrame): { protocol?: BoardProtocol; address?: number; command?: 'status' | 'unlock'; lock?: number } {
  const of = (protocol: BoardProtocol, address: number, unlock: boolean, lock: number): ReturnType<typeof requestDetail> =>
    unlock ? { protocol, address, command: 'unlock', lock } : { protocol, address, command: 'status' };
  switch (f.kind) {
    case 'cu48-request': return of('kerong-cu48', f.address, f.command === CU48.cmdUnlock, f.lockByte + 1);
    case 'cu16-request': return of('kerong-cu16', f.address, f.command === CU16.cmdUnlock, f.lockIndex + 1);
    case 'cu4860-request': return of('kerong-cu48-60', f.address, f.command === CU4860.cmdUnlock, f.lockByte + 1);
    case 'xor-request': return f.command === 'unlock' ? of('xor-8a', f.address, true, f.channel) : of('xor-8a', f.address, false, 0);
    default: return {};
  }
}
