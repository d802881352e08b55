import type { Clock } from '../../src/clock.js';
import type { BoardConfig } from '../boards.js';
import { SimBoard } from './sim-board.js';
import { SimulatedBus } from './sim-bus.js';

/** Simulated boards matching a config's `boards`, on one simulated bus. */
export function simulatedBusFor(boards: readonly BoardConfig[], clock: Clock, releaseDelayMs?: number, autoCloseMs?: number): SimulatedBus {
  return new SimulatedBus(
    boards.map((b) => new SimBoard({
      protocol: b.protocol,
      address: b.address,
      locks: physicalLocks(b),
      latchedBit: b.latchedBit,
      statusBytes: b.statusBytes,
      layout: b.layout,
      clock,
      ...(releaseDelayMs === undefined ? {} : { releaseDelayMs }),
      ...(autoCloseMs === undefined ? {} : { autoCloseMs }),
    })),
    { xorStatusBytes: boards.find((b) => b.protocol === 'xor-8a')?.statusBytes },
  );
}

/** The locks the board itself has: a CU48 48 and a CU16 16 whatever the config uses; an xor-8a board as configured. */
function physicalLocks(b: BoardConfig): number {
  switch (b.protocol) {
    case 'kerong-cu48':
    case 'kerong-cu48-60': return 48;
    case 'kerong-cu16': return 16;
    case 'xor-8a': return b.locks;
  }
}
