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
      locks: b.protocol === 'kerong-cu48' ? 48 : 16,
      latchedBit: b.latchedBit,
      clock,
      ...(releaseDelayMs === undefined ? {} : { releaseDelayMs }),
      ...(autoCloseMs === undefined ? {} : { autoCloseMs }),
    })),
  );
}
