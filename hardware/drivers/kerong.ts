import type { BoardConfig, BoardStatus, LockBoard } from '../boards.js';
import { Priority, type Bus } from '../bus.js';
import type { BusFrame } from '../protocols/index.js';
import { cu16Bits, encodeCu16Status, encodeCu16Unlock, isCu16StatusOf, isCu16UnlockAnswer } from '../protocols/kerong-cu16/codec.js';
import { cu48Bits, encodeCu48Status, encodeCu48Unlock } from '../protocols/kerong-cu48/codec.js';
import { checkLock } from './board-errors.js';
import { queryStatus } from './status-query.js';

/** A Kerong CU48 (0x50 firmware) or CU16 on a bus; the two differ only in their frames. */
export class KerongBoard implements LockBoard {
  readonly address: number;
  readonly protocol: 'kerong-cu48' | 'kerong-cu16';
  readonly locks: number;
  private readonly statusRequest: Buffer;

  constructor(private readonly bus: Bus, private readonly cfg: BoardConfig & { readonly protocol: 'kerong-cu48' | 'kerong-cu16' }) {
    this.address = cfg.address;
    this.protocol = cfg.protocol;
    this.locks = cfg.locks;
    this.statusRequest = cfg.protocol === 'kerong-cu48' ? encodeCu48Status(cfg.address) : encodeCu16Status(cfg.address);
  }

  async status(priority: Priority = Priority.Status, retries?: number): Promise<BoardStatus> {
    const f = await queryStatus(this.bus, this, this.statusRequest, (x) => this.isMyStatus(x), priority, retries);
    const latched = (bits: number[]): boolean[] => bits.slice(0, this.locks).map((b) => b === this.cfg.latchedBit);
    if (f.kind === 'cu48-status') return { latched: latched(cu48Bits(f.data)) };
    if (f.kind === 'cu16-status') return { latched: latched(cu16Bits(f.data)), items: cu16Bits(f.items).slice(0, this.locks).map((b) => b === 1) };
    throw new Error('unreachable: matched a frame that is not a status');
  }

  async unlock(lock: number): Promise<void> {
    checkLock(this, lock);
    if (this.protocol === 'kerong-cu48') {
      await this.bus.send(encodeCu48Unlock(this.address, lock), Priority.Unlock);
      return;
    }
    // Some CU16 boards answer an unlock: the bus keeps quiet for that answer, so no frame of ours collides with it.
    await this.bus.send(encodeCu16Unlock(this.address, lock), Priority.Unlock, { match: (f) => isCu16UnlockAnswer(f, this.address, lock) });
  }

  private isMyStatus(f: BusFrame): boolean {
    if (this.protocol === 'kerong-cu48') return f.kind === 'cu48-status' && f.address === this.address;
    return isCu16StatusOf(f, this.address);
  }
}
