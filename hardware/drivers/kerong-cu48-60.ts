import type { BoardConfig, BoardStatus, LockBoard } from '../boards.js';
import { Priority, type Bus } from '../bus.js';
import {
  CU4860_DEFAULT_LAYOUT, checkCu4860Layout, decodeCu4860Data, encodeCu4860Status, encodeCu4860Unlock, isCu4860StatusOf, type Cu4860Layout,
} from '../protocols/kerong-cu48-60/codec.js';
import { checkLock } from './board-errors.js';
import { queryStatus } from './status-query.js';

/** The layout a board config names: the codec's default (the KerongConsole capture) with the config's choices over it. */
export function cu4860LayoutOf(cfg: BoardConfig): Cu4860Layout {
  const layout: Cu4860Layout = { ...CU4860_DEFAULT_LAYOUT, ...cfg.layout, latchedBit: cfg.latchedBit };
  checkCu4860Layout(layout);
  return layout;
}

/**
 * A Kerong CU48 with the 0x60 firmware. Whether it answers an unlock is disputed (codec E3). If it does with an
 * 18-byte status frame, that frame may show the latch as it was before the pulse; taken as the reply to a later
 * poll it would read as the door shut again, and a pickup would count as finished with the door open. So the bus
 * keeps quiet after an unlock for the board's answer window (`unlockAnswerWindowMs`, as for xor-8a), takes such a
 * frame as the answer, never as a poll's status, and ends the window early when it comes. Only a later poll proves
 * the latch released. An answer later than the window is still a hazard: docs/BOARDS-RESEARCH.md §6.
 */
export class Cu4860Board implements LockBoard {
  readonly address: number;
  readonly protocol = 'kerong-cu48-60' as const;
  readonly locks: number;
  private readonly layout: Cu4860Layout;
  private readonly statusRequest: Buffer;

  constructor(private readonly bus: Bus, cfg: BoardConfig) {
    this.address = cfg.address;
    this.locks = cfg.locks;
    this.layout = cu4860LayoutOf(cfg);
    this.statusRequest = encodeCu4860Status(cfg.address);
  }

  async status(priority: Priority = Priority.Status, retries?: number): Promise<BoardStatus> {
    const f = await queryStatus(this.bus, this, this.statusRequest, (x) => isCu4860StatusOf(x, this.address), priority, retries);
    if (f.kind !== 'cu4860-status') throw new Error('unreachable: matched a frame that is not a status');
    const state = decodeCu4860Data(f.data, this.layout);
    const latched = state.latched.slice(0, this.locks);
    return state.sensors === undefined ? { latched } : { latched, items: state.sensors.slice(0, this.locks) };
  }

  async unlock(lock: number): Promise<void> {
    checkLock(this, lock);
    await this.bus.send(encodeCu4860Unlock(this.address, lock), Priority.Unlock, { match: (f) => isCu4860StatusOf(f, this.address), windowMs: this.bus.unlockAnswerWindowMs });
  }
}
