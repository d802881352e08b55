import type { BoardConfig, BoardStatus, LockBoard } from '../boards.js';
import { Priority, type Bus } from '../bus.js';
import type { BusFrame } from '../protocols/index.js';
import { encodeXorReadAll, encodeXorUnlock, isXorStatusOf, xorEchoWindowMs, xorLatched } from '../protocols/xor-8a/codec.js';
import { checkLock } from './board-errors.js';
import { queryStatus } from './status-query.js';

/**
 * The generic 8/16/24-channel XOR board. An unlock is answered after the pulse with `8A ADDR CH STATE BCC`; with
 * STATE 11 those are the request's very bytes, so the bus tells the answer from an adapter's echo by timing
 * (xor-8a/codec.ts, "echo or answer"). The answer is only evidence: a later read-all proves the latch released.
 * The answer comes after the pulse: "about 1 s" (A13), clients wait 750-3000 ms (docs/BOARDS-RESEARCH.md §2). The
 * bus keeps quiet for it (`unlockAnswerWindowMs`), so no other board's reply can collide with it; a board that
 * has answered frees the line at once.
 */
export class XorBoard implements LockBoard {
  readonly address: number;
  readonly protocol = 'xor-8a' as const;
  readonly locks: number;
  private readonly latchedBit: 0 | 1;
  private readonly statusRequest: Buffer;

  constructor(private readonly bus: Bus, cfg: BoardConfig) {
    this.address = cfg.address;
    this.locks = cfg.locks;
    this.latchedBit = cfg.latchedBit;
    this.statusRequest = encodeXorReadAll(cfg.address);
  }

  async status(priority: Priority = Priority.Status, retries?: number): Promise<BoardStatus> {
    const f = await queryStatus(this.bus, this, this.statusRequest, (x) => isXorStatusOf(x, this.address), priority, retries);
    if (f.kind !== 'xor-status') throw new Error('unreachable: matched a frame that is not a status');
    return { latched: xorLatched(f.data, this.locks, this.latchedBit) };
  }

  async unlock(lock: number): Promise<void> {
    checkLock(this, lock);
    const isAnswer = (f: BusFrame): boolean =>
      f.address === this.address && ((f.kind === 'xor-unlock-answer' && f.channel === lock) || (f.kind === 'xor-request' && f.command === 'unlock' && f.channel === lock));
    await this.bus.send(encodeXorUnlock(this.address, lock, this.locks), Priority.Unlock, {
      match: isAnswer, windowMs: this.bus.unlockAnswerWindowMs, echoWindowMs: xorEchoWindowMs(this.bus.baudRate),
    });
  }
}
