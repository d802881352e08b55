import { EventEmitter } from 'node:events';
import { createDecoder, type BusFrame } from '../protocols/index.js';
import { CU48 } from '../protocols/kerong-cu48/codec.js';
import { CU16 } from '../protocols/kerong-cu16/codec.js';
import { OTHER_FIRMWARE } from '../protocols/kerong-cu48/other-firmware.js';
import type { SimBoard, SimReply } from './sim-board.js';

export interface SimBusEvents {
  /** A request frame reached the boards: what the tests read as "the bytes the boards received". */
  request: [frame: BusFrame];
}

/**
 * The boards on one simulated RS-485 pair. Bytes written by the controller are cut into frames by the
 * production decoder and handed to the board they address; replies go back through `send`.
 */
export class SimulatedBus extends EventEmitter<SimBusEvents> {
  /** Bus-wide faults: `echo` sends every transmission straight back, as some adapters do. */
  readonly faults = { echo: false };
  private readonly decoder;
  private readonly boards: SimBoard[];

  constructor(boards: readonly SimBoard[]) {
    super();
    this.boards = [...boards];
    this.decoder = createDecoder(this.boards.map((b) => b.protocol));
  }

  board(address: number): SimBoard {
    const b = this.boards.find((x) => x.address === address);
    if (b === undefined) throw new RangeError(`no simulated board at address ${address}`);
    return b;
  }

  get allBoards(): readonly SimBoard[] {
    return this.boards;
  }

  /** Cancels every board's pending latch and door timers. */
  stop(): void {
    for (const b of this.boards) b.stop();
  }

  /** Bytes from the controller's side of the line. */
  receive(bytes: Buffer, send: (reply: SimReply) => void): void {
    if (this.faults.echo) send({ bytes: Buffer.from(bytes), extraDelayMs: 0 });
    for (const frame of this.decoder.feed(bytes)) {
      if (frame.kind === 'unsupported-command-set') {
        // Another master speaking the other CU48 firmware; only a board running it acts.
        if (frame.raw.length === 6) this.reply(this.dispatchOtherFirmware(frame.address, frame.raw[2]!, frame.command), send);
        continue;
      }
      if (frame.kind !== 'cu48-request' && frame.kind !== 'cu16-request') continue; // another board's reply
      this.emit('request', frame);
      this.reply(this.dispatch(frame), send);
    }
  }

  private reply(r: SimReply | undefined, send: (reply: SimReply) => void): void {
    if (r !== undefined) send(r);
  }

  private dispatch(frame: BusFrame): SimReply | undefined {
    if (frame.kind === 'cu48-request') {
      // Broadcast is never answered here: several boards replying at once would collide on a real bus.
      const board = this.boards.find((b) => b.protocol === 'kerong-cu48' && b.address === frame.address);
      if (board === undefined) return undefined;
      if (frame.command === CU48.cmdUnlock) {
        if (frame.lockByte < CU48.locks) board.unlockCommand(frame.lockByte + 1);
        return undefined; // CU48 never answers an unlock
      }
      return board.statusReply();
    }
    if (frame.kind === 'cu16-request') {
      const board = this.boards.find((b) => b.protocol === 'kerong-cu16' && b.address === frame.address);
      if (board === undefined) return undefined;
      if (frame.command === CU16.cmdUnlock) return board.unlockCommand(frame.lockIndex + 1);
      return board.statusReply();
    }
    return undefined;
  }

  private dispatchOtherFirmware(address: number, lockByte: number, command: number): SimReply | undefined {
    const board = this.boards.find((b) => b.protocol === 'kerong-cu48' && b.address === address && b.faults.otherFirmware);
    if (board === undefined) return undefined;
    if (command === OTHER_FIRMWARE.cmdUnlock) {
      if (lockByte < CU48.locks) board.unlockCommand(lockByte + 1, true);
      return undefined;
    }
    return board.statusReply();
  }
}
