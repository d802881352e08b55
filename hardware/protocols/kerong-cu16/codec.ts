import { packBits, unpackBits } from '../bits.js';
import { STX, sealFrame, type FrameSpec } from '../frame-decoder.js';

/**
 * Kerong KR-CU16 (no vendor document; six independent drivers agree). Request `02 ADDR CMD 03 SUM` where ADDR's
 * high nibble is the board and its low nibble the lock (0-15). Status reply, 9 bytes:
 * `02 ADDR 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM` (IR = item-present sensors), ADDR = board<<4 with lock nibble 0.
 *
 * Board 15 (ADDR 0xF0-0xFF) is the broadcast address in public CU16 code: an unlock there may open that lock on
 * every CU16 on the pair, so no encoder here builds one (the config refuses it too).
 *
 * Several public drivers read a 0x35 frame after an unlock, with ADDR = board<<4 | lock index: the same shape as
 * a status reply. What its data bytes hold (the latches before or after the pulse, or nothing meaningful) differs
 * between sources, so the program never reads them: the latch is read back by a status poll. The bus keeps quiet
 * for the reply window after a CU16 unlock, and a status matches only on the whole address byte, so an answer for
 * lock 2-16 (`02 1x 35 …`, x ≠ 0) is never taken for board 1's status. An answer for lock 1 (`02 10 35 …`) looks
 * exactly like a status reply; only the reply window keeps it apart.
 */
export const CU16 = {
  cmdStatus: 0x30,
  cmdUnlock: 0x31,
  replyStatus: 0x35,
  /** The highest board the program addresses; 15 is the broadcast address. */
  maxBoard: 0x0e,
  broadcast: 0x0f,
  locks: 16,
} as const;

export type Cu16Frame =
  | {
      readonly kind: 'cu16-status';
      /** The board: the high nibble of the address byte. */
      readonly address: number;
      /** The low nibble: 0 in a status reply; the lock index (0-15) in an unlock's answer. */
      readonly lockIndex: number;
      /** The whole address byte, which is what a reply must be matched on. */
      readonly addressByte: number;
      readonly raw: Buffer;
      readonly data: Buffer;
      readonly items: Buffer;
    }
  | { readonly kind: 'cu16-request'; readonly address: number; readonly lockIndex: number; readonly addressByte: number; readonly command: number; readonly raw: Buffer };

/** The address byte of board `board`, lock index `lockIndex` (0 for the board itself, as in a status). */
export function cu16AddressByte(board: number, lockIndex = 0): number {
  return ((board & 0x0f) << 4) | (lockIndex & 0x0f);
}

export function cu16Request(addressByte: number, command: number): Buffer {
  return sealFrame(Buffer.from([STX, addressByte, command, 0, 0]));
}

function checkBoard(board: number): void {
  if (board === CU16.broadcast) throw new RangeError('CU16 board 15 is the broadcast address: an unlock there opens that lock on every CU16 board');
  if (!Number.isInteger(board) || board < 0 || board > CU16.maxBoard) throw new RangeError(`CU16 board must be 0-${CU16.maxBoard}, got ${board}`);
}

function checkLock(lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > CU16.locks) throw new RangeError(`CU16 lock must be 1-16, got ${lock}`);
}

export function encodeCu16Status(board: number): Buffer {
  checkBoard(board);
  return cu16Request(cu16AddressByte(board), CU16.cmdStatus);
}

/** Unlock one lock, counted from 1 as printed on the board. */
export function encodeCu16Unlock(board: number, lock: number): Buffer {
  checkBoard(board);
  checkLock(lock);
  return cu16Request(cu16AddressByte(board, lock - 1), CU16.cmdUnlock);
}

/** Board `board`'s status reply, and nothing else: the whole address byte, lock nibble 0. */
export function isCu16StatusOf(f: { readonly kind: string; readonly addressByte?: number }, board: number): boolean {
  return f.kind === 'cu16-status' && f.addressByte === cu16AddressByte(board);
}

/** The answer some CU16 boards give to an unlock of `lock` (counted from 1): a 0x35 frame addressed to that lock. */
export function isCu16UnlockAnswer(f: { readonly kind: string; readonly addressByte?: number }, board: number, lock: number): boolean {
  return f.kind === 'cu16-status' && f.addressByte === cu16AddressByte(board, lock - 1);
}

/** The raw switch bit of each lock (index 0 = lock 1). */
export function cu16Bits(data: Buffer): number[] {
  return unpackBits(data, CU16.locks);
}

function cu16Reply(addressByte: number, bits: readonly number[], items: readonly number[]): Buffer {
  const f = Buffer.alloc(9);
  f[0] = STX;
  f[1] = addressByte;
  f[2] = CU16.replyStatus;
  packBits(f, 3, bits);
  packBits(f, 5, items);
  return sealFrame(f);
}

/** A status reply, as a simulated board sends it. */
export function encodeCu16StatusReply(board: number, bits: readonly number[], items: readonly number[] = []): Buffer {
  return cu16Reply(cu16AddressByte(board), bits, items);
}

/**
 * An unlock's answer, as a simulated board that gives one sends it. Which latch bits a real board puts in it is
 * unclear between sources (see above); the simulator sends them as they were when the command arrived.
 */
export function encodeCu16UnlockAnswer(board: number, lock: number, bits: readonly number[], items: readonly number[] = []): Buffer {
  checkLock(lock);
  return cu16Reply(cu16AddressByte(board, lock - 1), bits, items);
}

export const cu16StatusReplySpec: FrameSpec<Cu16Frame> = {
  name: 'cu16-status',
  probeLength: 3,
  lengthOf: (h) => (h[2] === CU16.replyStatus ? 9 : 0),
  decode: (raw) => ({ kind: 'cu16-status', address: raw[1]! >> 4, lockIndex: raw[1]! & 0x0f, addressByte: raw[1]!, raw, data: raw.subarray(3, 5), items: raw.subarray(5, 7) }),
};

export const cu16RequestSpec: FrameSpec<Cu16Frame> = {
  name: 'cu16-request',
  probeLength: 3,
  lengthOf: (h) => (h[2] === CU16.cmdStatus || h[2] === CU16.cmdUnlock ? 5 : 0),
  decode: (raw) => ({ kind: 'cu16-request', address: raw[1]! >> 4, lockIndex: raw[1]! & 0x0f, addressByte: raw[1]!, command: raw[2]!, raw }),
};

export const cu16Specs = [cu16StatusReplySpec, cu16RequestSpec] as const;
