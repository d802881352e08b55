import type { Clock } from '../src/clock.js';
import type { Logger } from '../src/log.js';
import { createBoard, type BoardConfig, type LockBoard } from './boards.js';
import { Bus, type BusOptions } from './bus.js';
import { Locks, type LocksOptions } from './locks.js';
import { Poller, type PollerOptions } from './poller.js';
import { createDecoder } from './protocols/index.js';
import type { Transport } from './transport/transport.js';

export type LockSystemOptions = BusOptions & PollerOptions & LocksOptions;

/** The hardware layer as the rest of the program sees it: boards on one bus, polled, with guarded unlocks. */
export interface LockSystem {
  readonly transport: Transport;
  readonly bus: Bus;
  readonly boards: readonly LockBoard[];
  readonly poller: Poller;
  readonly locks: Locks;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createLockSystem(
  transport: Transport,
  boardConfigs: readonly BoardConfig[],
  opts: LockSystemOptions,
  clock: Clock,
  logger: Logger,
): LockSystem {
  const log = logger.child({ layer: 'hardware' });
  const xorStatusBytes = boardConfigs.find((b) => b.protocol === 'xor-8a')?.statusBytes;
  const decoder = createDecoder(boardConfigs.map((b) => b.protocol), xorStatusBytes === undefined ? {} : { xorStatusBytes });
  const bus = new Bus(transport, decoder, opts, clock, log);
  const boards = boardConfigs.map((c) => createBoard(bus, c));
  const poller = new Poller(boards, opts, clock, log);
  const locks = new Locks(boards, poller, opts, clock, log);
  return {
    transport,
    bus,
    boards,
    poller,
    locks,
    async start() {
      await transport.start();
      poller.start();
    },
    async stop() {
      await poller.stop();
      bus.close();
      await transport.close();
    },
  };
}
