import type { Clock } from '../../src/clock.js';
import type { BoardProtocol } from '../protocols/index.js';
import { encodeCu16StatusReply, encodeCu16UnlockAnswer } from '../protocols/kerong-cu16/codec.js';
import { encodeCu48StatusReply } from '../protocols/kerong-cu48/codec.js';
import { encodeOtherFirmwareStatusReply } from '../protocols/kerong-cu48/other-firmware.js';

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
  /** (CU16) Answers an unlock with a 0x35 frame addressed to the lock, as several public drivers expect. */
  answersUnlock: boolean;
  /** (CU16) Extra delay before that answer: beyond the bus's reply window it arrives as a late answer. */
  unlockReplyDelayMs: number;
  /**
   * (CU48) Runs the other firmware: understands only 0x60/0x61, and answers a status request, ours included, with
   * its 18-byte 0x75 reply. Our unlocks (0x51) do nothing.
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
  /** Time from an unlock command to the latch reading released (the solenoid pulse). */
  readonly releaseDelayMs?: number;
  /** When set, a released latch catches again after this long, as if a person took the document and shut the door. */
  readonly autoCloseMs?: number;
  readonly clock: Clock;
  readonly random?: () => number;
}

/**
 * A Kerong board as the bus sees it. Each lock's switch reads latched until an unlock releases it (after the
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
  private readonly releaseDelayMs: number;
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
    this.releaseDelayMs = o.releaseDelayMs ?? 20;
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

  /**
   * An unlock command in the command set this board speaks (ours, or the other firmware's when that is on):
   * acted on like `unlock`, and answered when the board answers unlocks.
   */
  unlockCommand(lock: number, otherFirmware = false): SimReply | undefined {
    if (otherFirmware !== (this.protocol === 'kerong-cu48' && this.faults.otherFirmware)) return undefined; // a command set it does not speak
    const answer = this.faults.answersUnlock && this.protocol === 'kerong-cu16' && lock >= 1 && lock <= this.locks
      ? encodeCu16UnlockAnswer(this.address, lock, this.bits())
      : undefined;
    this.unlock(lock);
    if (answer === undefined || this.faults.offline || this.faults.noReply) return undefined;
    return { bytes: answer, extraDelayMs: this.faults.unlockReplyDelayMs };
  }

  /** The status reply, with whatever faults are switched on; undefined when the board stays silent. */
  statusReply(): SimReply | undefined {
    const f = this.faults;
    if (f.offline || f.noReply || this.random() < f.dropRate) return undefined;
    const bits = this.bits();
    let bytes = this.protocol === 'kerong-cu16'
      ? encodeCu16StatusReply(this.address, bits)
      : f.otherFirmware ? encodeOtherFirmwareStatusReply(this.address, bits) : encodeCu48StatusReply(this.address, bits);
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

  /** Each lock's raw switch bit, as wired. */
  private bits(): number[] {
    return this.latched.map((l) => (l ? this.latchedBit : 1 - this.latchedBit));
  }

  private index(lock: number): number {
    if (!Number.isInteger(lock) || lock < 1 || lock > this.locks) throw new RangeError(`board ${this.address} has no lock ${lock}`);
    return lock - 1;
  }
}
