import type { Clock } from '../../src/clock.js';
import type { Cu4860LayoutConfig } from '../boards.js';
import type { BoardProtocol } from '../protocols/index.js';
import { encodeCu16StatusReply, encodeCu16UnlockAnswer } from '../protocols/kerong-cu16/codec.js';
import { encodeCu48StatusReply } from '../protocols/kerong-cu48/codec.js';
import { CU4860_DEFAULT_LAYOUT, encodeCu4860StatusReply, type Cu4860Layout } from '../protocols/kerong-cu48-60/codec.js';
import { XOR_8A, encodeXorStatusReply, encodeXorUnlockAnswer } from '../protocols/xor-8a/codec.js';

/** Faults a test or the demo can switch on per board. Rates are probabilities per reply (0-1). */
export interface BoardFaults {
  /** The board is gone (unpowered, cable cut): it hears nothing and says nothing. */
  offline: boolean;
  /** The board acts on commands but its replies never arrive. */
  noReply: boolean;
  /** Replies with a wrong checksum byte. */
  badChecksum: boolean;
  /** Replies cut short. */
  truncate: boolean;
  /** Extra delay before every reply. */
  slowReplyMs: number;
  /** Random bytes before every reply. */
  garbage: boolean;
  /** Unlock commands do nothing: the latch stays latched. */
  stuckLatch: boolean;
  /**
   * Answers an unlock: (CU16) with a 0x35 frame addressed to the lock, as several public drivers expect; (CU48
   * 0x60) with an 18-byte status reply, as one public driver expects. An xor-8a board always answers, after its
   * pulse, with `8A ADDR CH STATE BCC`.
   */
  answersUnlock: boolean;
  /** Extra delay before an unlock's answer: beyond the bus's window it arrives as a late answer. */
  unlockReplyDelayMs: number;
  /**
   * (CU48 of either firmware) Runs the other firmware: a `kerong-cu48` board speaks 0x60/0x61 and a
   * `kerong-cu48-60` one 0x50/0x51. It answers a status request of either, ours included, in its own command set;
   * unlocks of the other set do nothing.
   */
  otherFirmware: boolean;
  dropRate: number;
  corruptRate: number;
  delayRate: number;
  delayMs: number;
}

export const noFaults = (): BoardFaults => ({
  offline: false, noReply: false, badChecksum: false, truncate: false, slowReplyMs: 0, garbage: false, stuckLatch: false,
  answersUnlock: false, unlockReplyDelayMs: 0, otherFirmware: false, dropRate: 0, corruptRate: 0, delayRate: 0, delayMs: 0,
});

export interface SimReply {
  readonly bytes: Buffer;
  readonly extraDelayMs: number;
}

export interface SimBoardOptions {
  readonly protocol: BoardProtocol;
  readonly address: number;
  readonly locks: number;
  /** The switch bit value that means latched, as wired on this board. */
  readonly latchedBit: 0 | 1;
  /** xor-8a: status bytes in a read-all reply (3 when absent). */
  readonly statusBytes?: number | undefined;
  /** kerong-cu48-60: the layout its replies are written in (the codec's default when absent). */
  readonly layout?: Cu4860LayoutConfig | undefined;
  /** Time from an unlock command to the latch reading released (the solenoid pulse). */
  readonly releaseDelayMs?: number;
  /**
   * xor-8a: when the board answers an unlock, counted from the command (its pulse; 300 ms when absent). A real
   * board answers "about 1 s" after (A13); it must be later than the echo window (wire time + 100 ms), or a STATE 11
   * answer, byte for byte the request, is taken for the adapter's echo (xor-8a/codec.ts).
   */
  readonly xorAnswerAfterMs?: number;
  /** When set, a released latch catches again after this long, as if a person took the document and shut the door. */
  readonly autoCloseMs?: number;
  readonly clock: Clock;
  readonly random?: () => number;
}

/**
 * A lock board of any family as the bus sees it. Each lock's switch reads latched until an unlock releases it (after the
 * pulse); it latches again when the door is pushed shut. Replies are built with the production encoders.
 */
export class SimBoard {
  readonly protocol: BoardProtocol;
  readonly address: number;
  readonly locks: number;
  readonly faults: BoardFaults = noFaults();
  /** Every lock this board was told to unlock, in order: what the tests compare with what was asked. */
  readonly unlocks: number[] = [];
  private readonly latched: boolean[];
  private readonly latchedBit: 0 | 1;
  private readonly statusBytes: number;
  private readonly layout: Cu4860Layout;
  private readonly releaseDelayMs: number;
  private readonly xorAnswerAfterMs: number;
  private readonly autoCloseMs: number | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Latches releasing and doors shutting later: cleared by stop(), so a stopped locker leaves no timer behind. */
  private readonly timers = new Set<unknown>();

  constructor(o: SimBoardOptions) {
    this.protocol = o.protocol;
    this.address = o.address;
    this.locks = o.locks;
    this.latchedBit = o.latchedBit;
    this.statusBytes = o.statusBytes ?? XOR_8A.defaultStatusBytes;
    this.layout = { ...CU4860_DEFAULT_LAYOUT, ...o.layout, latchedBit: o.latchedBit };
    this.releaseDelayMs = o.releaseDelayMs ?? 20;
    this.xorAnswerAfterMs = o.xorAnswerAfterMs ?? 300;
    this.autoCloseMs = o.autoCloseMs;
    this.clock = o.clock;
    this.random = o.random ?? Math.random;
    this.latched = Array.from({ length: o.locks }, () => true);
  }

  isLatched(lock: number): boolean {
    return this.latched[this.index(lock)]!;
  }

  /** A person pushes the door shut: the latch catches. */
  closeDoor(lock: number): void {
    this.latched[this.index(lock)] = true;
  }

  /** The door is pried open with no command: the switch reads released. */
  forceOpen(lock: number): void {
    this.latched[this.index(lock)] = false;
  }

  /** The command reached this board: record it, and release the latch after the pulse unless stuck. */
  unlock(lock: number): void {
    if (this.faults.offline) return;
    if (lock < 1 || lock > this.locks) return; // a real board ignores a lock it does not have
    this.unlocks.push(lock);
    if (this.faults.stuckLatch) return;
    const release = (): void => {
      this.latched[lock - 1] = false;
      if (this.autoCloseMs !== undefined) this.later(() => this.closeDoor(lock), this.autoCloseMs);
    };
    if (this.releaseDelayMs <= 0) release();
    else this.later(release, this.releaseDelayMs);
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private later(fn: () => void, ms: number): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** The command set the board answers in now: its own, or (CU48 with `otherFirmware`) the other firmware's. */
  speaks(): BoardProtocol {
    if (!this.faults.otherFirmware) return this.protocol;
    if (this.protocol === 'kerong-cu48') return 'kerong-cu48-60';
    if (this.protocol === 'kerong-cu48-60') return 'kerong-cu48';
    return this.protocol;
  }

  /**
   * An unlock command in `commandSet`: acted on like `unlock` if the board speaks it, and answered when the board
   * answers unlocks. A command set it does not speak does nothing.
   */
  unlockCommand(lock: number, commandSet: BoardProtocol = this.protocol): SimReply | undefined {
    if (commandSet !== this.speaks()) return undefined;
    const known = lock >= 1 && lock <= this.locks;
    const answer = known ? this.unlockAnswer(lock) : undefined;
    this.unlock(lock);
    if (answer === undefined || this.faults.offline || this.faults.noReply) return undefined;
    return answer;
  }

  /** The answer to an unlock, if this board gives one, built before the command is acted on. */
  private unlockAnswer(lock: number): SimReply | undefined {
    const delay = this.faults.unlockReplyDelayMs;
    switch (this.speaks()) {
      case 'kerong-cu16':
        return this.faults.answersUnlock ? { bytes: encodeCu16UnlockAnswer(this.address, lock, this.bits()), extraDelayMs: delay } : undefined;
      case 'kerong-cu48-60':
        return this.faults.answersUnlock ? { bytes: encodeCu4860StatusReply(this.address, { latched: this.latched }, this.layout), extraDelayMs: delay } : undefined;
      case 'xor-8a': {
        // Sent after the pulse with the channel's switch as it then reads: STATE 11 is raw bit 1 (the request's bytes).
        const rawAfter = this.faults.stuckLatch ? this.latchedBit : 1 - this.latchedBit;
        return { bytes: encodeXorUnlockAnswer(this.address, lock, rawAfter === 1 ? XOR_8A.stateHigh : XOR_8A.stateLow), extraDelayMs: this.xorAnswerAfterMs + delay };
      }
      default:
        return undefined;
    }
  }

  /** The status reply, with whatever faults are switched on; undefined when the board stays silent. */
  statusReply(): SimReply | undefined {
    const f = this.faults;
    if (f.offline || f.noReply || this.random() < f.dropRate) return undefined;
    let bytes = this.encodeStatus();
    if (f.badChecksum || this.random() < f.corruptRate) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x5a;
    }
    if (f.truncate) bytes = bytes.subarray(0, Math.max(1, bytes.length - 3));
    if (f.garbage) bytes = Buffer.concat([Buffer.from([0xff, 0x00, 0x03, 0x65, 0x7e]), bytes]);
    let extraDelayMs = f.slowReplyMs;
    if (this.random() < f.delayRate) extraDelayMs += f.delayMs;
    return { bytes, extraDelayMs };
  }

  private encodeStatus(): Buffer {
    switch (this.speaks()) {
      case 'kerong-cu16': return encodeCu16StatusReply(this.address, this.bits());
      case 'kerong-cu48': return encodeCu48StatusReply(this.address, this.bits());
      case 'kerong-cu48-60': return encodeCu4860StatusReply(this.address, { latched: this.latched }, this.layout);
      case 'xor-8a': return encodeXorStatusReply(this.address, this.bits(), this.statusBytes);
    }
  }

  /** Each lock's raw switch bit, as wired. */
  private bits(): number[] {
    return this.latched.map((l) => (l ? this.latchedBit : 1 - this.latchedBit));
  }

  private index(lock: number): number {
    if (!Number.isInteger(lock) || lock < 1 || lock > this.locks) throw new RangeError(`board ${this.address} has no lock ${lock}`);
    return lock - 1;
  }
}
