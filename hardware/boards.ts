import { ErrorCodes, UrzError } from '../src/errors.js';
import { Priority, type Bus } from './bus.js';
import type { BoardProtocol, BusFrame } from './protocols/index.js';
import { cu16Bits, encodeCu16Status, encodeCu16Unlock, isCu16StatusOf, isCu16UnlockAnswer } from './protocols/kerong-cu16/codec.js';
import { cu48Bits, encodeCu48Status, encodeCu48Unlock } from './protocols/kerong-cu48/codec.js';

export interface BoardStatus {
  /** Index 0 = lock 1. True when the latch holds (door closed), after the board's wiring polarity. */
  readonly latched: readonly boolean[];
  /** Item-present sensors, where the board has them (CU16). */
  readonly items?: readonly boolean[];
}

/** What a technician is told of a board whose address answers, but not in the command set the program speaks. */
export const unsupportedCommandSetNote = 'answers with an unsupported command set';

/**
 * A status poll that got no reply while frames of another command set (the other CU48 firmware, 0x60/0x61) came
 * from the board's address. It is still a BUS_TIMEOUT for every caller that only asks whether the poll worked.
 */
export class UnsupportedCommandSetError extends UrzError {
  constructor(readonly address: number, cause: unknown) {
    super(ErrorCodes.BusTimeout, `board ${address} ${unsupportedCommandSetNote} (a CU48 with the 0x60/0x61 firmware?): no status reply it can read`, { cause });
  }
}

/** What the rest of the program knows of a lock board. */
export interface LockBoard {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  /**
   * Reads every latch; a technician's scan asks at maintenance priority, behind the poller and any unlock.
   * Rejects with UnsupportedCommandSetError when the address answered only in another command set.
   */
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
    const foreignBefore = this.bus.unsupportedFramesFrom(this.address);
    const f = await this.bus.query(this.statusRequest, (x) => this.isMyStatus(x), { priority, ...(retries === undefined ? {} : { retries }) }).catch((e: unknown) => {
      const heardForeign = this.bus.unsupportedFramesFrom(this.address) > foreignBefore;
      throw heardForeign && e instanceof UrzError && e.code === ErrorCodes.BusTimeout ? new UnsupportedCommandSetError(this.address, e) : e;
    });
    const latched = (bits: number[]): boolean[] => bits.slice(0, this.locks).map((b) => b === this.cfg.latchedBit);
    if (f.kind === 'cu48-status') return { latched: latched(cu48Bits(f.data)) };
    if (f.kind === 'cu16-status') return { latched: latched(cu16Bits(f.data)), items: cu16Bits(f.items).slice(0, this.locks).map((b) => b === 1) };
    throw new Error('unreachable: matched a frame that is not a status');
  }

  async unlock(lock: number): Promise<void> {
    if (!Number.isInteger(lock) || lock < 1 || lock > this.locks) {
      throw new UrzError(ErrorCodes.InvalidLock, `board ${this.address} has locks 1-${this.locks}, not ${lock}`);
    }
    if (this.protocol === 'kerong-cu48') {
      await this.bus.send(encodeCu48Unlock(this.address, lock), Priority.Unlock);
      return;
    }
    // Some CU16 boards answer an unlock: the bus keeps quiet for that answer, so no frame of ours collides with it.
    await this.bus.send(encodeCu16Unlock(this.address, lock), Priority.Unlock, (f) => isCu16UnlockAnswer(f, this.address, lock));
  }

  private isMyStatus(f: BusFrame): boolean {
    if (this.protocol === 'kerong-cu48') return f.kind === 'cu48-status' && f.address === this.address;
    return isCu16StatusOf(f, this.address);
  }
}

export function createBoard(bus: Bus, cfg: BoardConfig): LockBoard {
  return new KerongBoard(bus, cfg);
}
