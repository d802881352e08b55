import { EventEmitter } from 'node:events';
import { createDecoder, type BoardProtocol, type BusFrame } from '../protocols/index.js';
import { CU48 } from '../protocols/kerong-cu48/codec.js';
import { CU16 } from '../protocols/kerong-cu16/codec.js';
import { CU4860 } from '../protocols/kerong-cu48-60/codec.js';
import type { SimBoard, SimReply } from './sim-board.js';

export interface SimBusEvents {
  /** A request frame reached the boards: what the tests read as "the bytes the boards received". */
  request: [frame: BusFrame];
  /** A frame no code of ours may build (xor-8a open-all, long power) reached the boards: never acted on. */
  forbidden: [frame: BusFrame];
}

/**
 * The boards on one simulated RS-485 pair. Bytes written by the controller are cut into frames by the
 * production decoder and handed to the board they address; replies go back through `send`.
 */
export class SimulatedBus extends EventEmitter<SimBusEvents> {
  /** Bus-wide faults: `echo` sends every transmission straight back, as some adapters do. */
  readonly faults = { echo: false };
  /** Frames that would open more than one lock or hold a solenoid on, heard and refused: must stay 0. */
  forbiddenFrames = 0;
  private readonly decoder;
  private readonly boards: SimBoard[];

  constructor(boards: readonly SimBoard[], o: { xorStatusBytes?: number | undefined } = {}) {
    super();
    this.boards = [...boards];
    this.decoder = createDecoder(this.boards.map((b) => b.protocol), o.xorStatusBytes === undefined ? {} : { xorStatusBytes: o.xorStatusBytes });
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
      if (frame.kind === 'xor-forbidden') {
        this.forbiddenFrames += 1;
        this.emit('forbidden', frame);
        continue;
      }
      if (frame.kind !== 'cu48-request' && frame.kind !== 'cu16-request' && frame.kind !== 'cu4860-request' && frame.kind !== 'xor-request') continue; // a reply
      this.emit('request', frame);
      const r = this.dispatch(frame);
      if (r !== undefined) send(r);
    }
  }

  private dispatch(frame: BusFrame): SimReply | undefined {
    switch (frame.kind) {
      case 'cu48-request':
        return this.kerong48(frame.address, frame.lockByte, frame.command === CU48.cmdUnlock, 'kerong-cu48');
      case 'cu4860-request':
        return this.kerong48(frame.address, frame.lockByte, frame.command === CU4860.cmdUnlock, 'kerong-cu48-60');
      case 'cu16-request': {
        const board = this.boards.find((b) => b.protocol === 'kerong-cu16' && b.address === frame.address);
        if (board === undefined) return undefined;
        if (frame.command === CU16.cmdUnlock) return board.unlockCommand(frame.lockIndex + 1);
        return board.statusReply();
      }
      case 'xor-request': {
        const board = this.boards.find((b) => b.protocol === 'xor-8a' && b.address === frame.address);
        if (board === undefined) return undefined;
        return frame.command === 'unlock' ? board.unlockCommand(frame.channel) : board.statusReply();
      }
      default:
        return undefined;
    }
  }

  /**
   * A CU48 request of either firmware. A board answers a status request of either in the command set it speaks
   * (so one with the other firmware is heard, not silent) and acts only on unlocks of that set. Broadcast is never
   * answered here: several boards replying at once would collide on a real bus.
   */
  private kerong48(address: number, lockByte: number, unlock: boolean, commandSet: BoardProtocol): SimReply | undefined {
    const board = this.boards.find((b) => (b.protocol === 'kerong-cu48' || b.protocol === 'kerong-cu48-60') && b.address === address);
    if (board === undefined) return undefined;
    if (!unlock) return board.statusReply();
    if (lockByte >= CU48.locks) return undefined; // 0x30 would be every lock: no board acts on it here
    return board.unlockCommand(lockByte + 1, commandSet);
  }
}
