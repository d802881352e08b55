import { EventEmitter } from 'node:events';
import { createDecoder, type BusFrame } from '../protocols/index.js';
import { CU48 } from '../protocols/kerong-cu48/codec.js';
import { CU16 } from '../protocols/kerong-cu16/codec.js';
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
      if (frame.kind !== 'cu48-request' && frame.kind !== 'cu16-request') continue; // another board's reply
      this.emit('request', frame);
      const reply = this.dispatch(frame);
      if (reply !== undefined) send(reply);
    }
  }

  private dispatch(frame: BusFrame): SimReply | undefined {
    if (frame.kind === 'cu48-request') {
      // Broadcast is never answered here: several boards replying at once would collide on a real bus.
      const board = this.boards.find((b) => b.protocol === 'kerong-cu48' && b.address === frame.address);
      if (board === undefined) return undefined;
      if (frame.command === CU48.cmdUnlock) {
        if (frame.lockByte < CU48.locks) board.unlock(frame.lockByte + 1);
        return undefined; // CU48 never answers an unlock
      }
      return board.statusReply();
    }
    if (frame.kind === 'cu16-request') {
      const board = this.boards.find((b) => b.protocol === 'kerong-cu16' && b.address === frame.address);
      if (board === undefined) return undefined;
      if (frame.command === CU16.cmdUnlock) {
        board.unlock(frame.lockIndex + 1);
        return undefined;
      }
      return board.statusReply();
    }
    return undefined;
  }
}
