import type { Bus, Priority } from './bus.js';
import { KerongBoard } from './drivers/kerong.js';
import { Cu4860Board } from './drivers/kerong-cu48-60.js';
import { XorBoard } from './drivers/xor-8a.js';
import type { BoardProtocol } from './protocols/index.js';
import type { Cu4860Layout } from './protocols/kerong-cu48-60/codec.js';

export interface BoardStatus {
  /** Index 0 = lock 1. True when the latch holds (door closed), after the board's wiring polarity. */
  readonly latched: readonly boolean[];
  /** Item-present sensors, where the board has them (CU16; the CU48 0x60 firmware's second field). */
  readonly items?: readonly boolean[];
}

export { answersAsNote, OtherCommandSetError } from './drivers/board-errors.js';

/** What the rest of the program knows of a lock board. */
export interface LockBoard {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  /**
   * Reads every latch; a technician's scan asks at maintenance priority, behind the poller and any unlock.
   * Rejects with OtherCommandSetError when the address answered only in another family's command set.
   */
  status(priority?: Priority, retries?: number): Promise<BoardStatus>;
  /**
   * Sends one unlock command for `lock` (counted from 1). Resolves once the bytes are on the line: that is
   * not proof the door opened; only a later status showing the latch released is.
   */
  unlock(lock: number): Promise<void>;
}

/** How a CU48 0x60 board's twelve data bytes are read, where the public sources disagree (polarity: `latchedBit`). */
export type Cu4860LayoutConfig = Partial<Omit<Cu4860Layout, 'latchedBit'>>;

export interface BoardConfig {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  readonly latchedBit: 0 | 1;
  /** xor-8a: the status bytes of a read-all reply (2-4; 3 when absent, the captured board). */
  readonly statusBytes?: number | undefined;
  /** kerong-cu48-60: the data bytes' layout (the KerongConsole capture's when absent). */
  readonly layout?: Cu4860LayoutConfig | undefined;
}

export function createBoard(bus: Bus, cfg: BoardConfig): LockBoard {
  switch (cfg.protocol) {
    case 'kerong-cu48':
    case 'kerong-cu16':
      return new KerongBoard(bus, { ...cfg, protocol: cfg.protocol });
    case 'kerong-cu48-60':
      return new Cu4860Board(bus, cfg);
    case 'xor-8a':
      return new XorBoard(bus, cfg);
  }
}
