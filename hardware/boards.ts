import { ErrorCodes, UrzError } from '../src/errors.js';
import { Priority, type Bus } from './bus.js';
import type { BoardProtocol, BusFrame } from './protocols/index.js';
import { cu16Bits, encodeCu16Status, encodeCu16Unlock } from './protocols/kerong-cu16/codec.js';
import { cu48Bits, encodeCu48Status, encodeCu48Unlock } from './protocols/kerong-cu48/codec.js';

export interface BoardStatus {
  /** Index 0 = lock 1. True when the latch holds (door closed), after the board's wiring polarity. */
  readonly latched: readonly boolean[];
  /** Item-present sensors, where the board has them (CU16). */
  readonly items?: readonly boolean[];
}

/** What the rest of the program knows of a lock board. */
export interface LockBoard {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  /** Reads every latch. */
  /** A technician's scan asks at maintenance priority, behind the poller and any unlock. */
  status(priority?: Priority, retries?: number): Promise<BoardStatus>;
  /**
   * Sends one unlock command for `lock` (counted from 1). Resolves once the bytes are on the line: that is
   * not proof the door opened; only a later status showing the latch released is.
   */
  unlock(lock: number): Promise<void>;
}

export interface BoardConfig {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  readonly latchedBit: 0 | 1;
}

/** A Kerong board on a bus; the two families differ only in their frames. */
class KerongBoard implements LockBoard {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  private readonly statusRequest: Buffer;

  constructor(private readonly bus: Bus, private readonly cfg: BoardConfig) {
    this.address = cfg.address;
    this.protocol = cfg.protocol;
    this.locks = cfg.locks;
    this.statusRequest = cfg.protocol === 'kerong-cu48' ? encodeCu48Status(cfg.address) : encodeCu16Status(cfg.address);
  }

  async status(priority: Priority = Priority.Status, retries?: number): Promise<BoardStatus> {
    const f = await this.bus.query(this.statusRequest, (x) => this.isMyStatus(x), { priority, ...(retries === undefined ? {} : { retries }) });
    const latched = (bits: number[]): boolean[] => bits.slice(0, this.locks).map((b) => b === this.cfg.latchedBit);
    if (f.kind === 'cu48-status') return { latched: latched(cu48Bits(f.data)) };
    if (f.kind === 'cu16-status') return { latched: latched(cu16Bits(f.data)), items: cu16Bits(f.items).slice(0, this.locks).map((b) => b === 1) };
    throw new Error('unreachable: matched a frame that is not a status');
  }

  async unlock(lock: number): Promise<void> {
    if (!Number.isInteger(lock) || lock < 1 || lock > this.locks) {
      throw new UrzError(ErrorCodes.InvalidLock, `board ${this.address} has locks 1-${this.locks}, not ${lock}`);
    }
    const bytes = this.protocol === 'kerong-cu48' ? encodeCu48Unlock(this.address, lock) : encodeCu16Unlock(this.address, lock);
    await this.bus.send(bytes, Priority.Unlock);
  }

  private isMyStatus(f: BusFrame): boolean {
    if (this.protocol === 'kerong-cu48') return f.kind === 'cu48-status' && f.address === this.address;
    return f.kind === 'cu16-status' && f.address === this.address;
  }
}

export function createBoard(bus: Bus, cfg: BoardConfig): LockBoard {
  return new KerongBoard(bus, cfg);
}
