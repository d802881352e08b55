import { packBits, unpackBits } from '../bits.js';
import { STX, sealFrame, type FrameSpec } from '../frame-decoder.js';

/**
 * Kerong KR-CU16 (no vendor document; six independent drivers agree). Request `02 ADDR CMD 03 SUM` where ADDR's
 * high nibble is the board and its low nibble the lock (0-15). Status reply, 9 bytes:
 * `02 ADDR 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM` (IR = item-present sensors). Whether an unlock is answered
 * differs between sources, so the program never waits for one: the latch is read back by a status poll.
 */
export const CU16 = {
  cmdStatus: 0x30,
  cmdUnlock: 0x31,
  replyStatus: 0x35,
  maxBoard: 0x0f,
  locks: 16,
} as const;

export type Cu16Frame =
  | { readonly kind: 'cu16-status'; readonly address: number; readonly raw: Buffer; readonly data: Buffer; readonly items: Buffer }
  | { readonly kind: 'cu16-request'; readonly address: number; readonly lockIndex: number; readonly command: number; readonly raw: Buffer };

export function cu16Request(addressByte: number, command: number): Buffer {
  return sealFrame(Buffer.from([STX, addressByte, command, 0, 0]));
}

function checkBoard(board: number): void {
  if (!Number.isInteger(board) || board < 0 || board > CU16.maxBoard) throw new RangeError(`CU16 board must be 0-15, got ${board}`);
}

export function encodeCu16Status(board: number): Buffer {
  checkBoard(board);
  return cu16Request(board << 4, CU16.cmdStatus);
}

/** Unlock one lock, counted from 1 as printed on the board. */
export function encodeCu16Unlock(board: number, lock: number): Buffer {
  checkBoard(board);
  if (!Number.isInteger(lock) || lock < 1 || lock > CU16.locks) throw new RangeError(`CU16 lock must be 1-16, got ${lock}`);
  return cu16Request((board << 4) | (lock - 1), CU16.cmdUnlock);
}

/** The raw switch bit of each lock (index 0 = lock 1). */
export function cu16Bits(data: Buffer): number[] {
  return unpackBits(data, CU16.locks);
}

export function encodeCu16StatusReply(board: number, bits: readonly number[], items: readonly number[] = []): Buffer {
  const f = Buffer.alloc(9);
  f[0] = STX;
  f[1] = board << 4;
  f[2] = CU16.replyStatus;
  packBits(f, 3, bits);
  packBits(f, 5, items);
  return sealFrame(f);
}

export const cu16StatusReplySpec: FrameSpec<Cu16Frame> = {
  name: 'cu16-status',
  probeLength: 3,
  lengthOf: (h) => (h[2] === CU16.replyStatus ? 9 : 0),
  decode: (raw) => ({ kind: 'cu16-status', address: raw[1]! >> 4, raw, data: raw.subarray(3, 5), items: raw.subarray(5, 7) }),
};

export const cu16RequestSpec: FrameSpec<Cu16Frame> = {
  name: 'cu16-request',
  probeLength: 3,
  lengthOf: (h) => (h[2] === CU16.cmdStatus || h[2] === CU16.cmdUnlock ? 5 : 0),
  decode: (raw) => ({ kind: 'cu16-request', address: raw[1]! >> 4, lockIndex: raw[1]! & 0x0f, command: raw[2]!, raw }),
};

export const cu16Specs = [cu16StatusReplySpec, cu16RequestSpec] as const;
