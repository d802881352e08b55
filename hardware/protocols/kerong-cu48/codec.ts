import { packBits, unpackBits } from '../bits.js';
import { STX, sealFrame, type FrameSpec } from '../frame-decoder.js';

/**
 * Kerong KR-CU48 ("CU48 Protocol and Introduction" v2.1), 19200 8N1.
 * Request `02 ADDR LOCK CMD 03 SUM`; status reply `02 ADDR xx 65 D1..D6 03 SUM` (12 bytes).
 * An unlock gets no reply at all: only a later status poll proves the latch released.
 */
export const CU48 = {
  cmdStatus: 0x50,
  cmdUnlock: 0x51,
  replyStatus: 0x65,
  maxAddress: 0x09,
  broadcast: 0x0a,
  locks: 48,
  /** The LOCK byte that means every lock; used only in the golden-byte test, never sent by the program. */
  allLocks: 0x30,
} as const;

export type Cu48Frame =
  | { readonly kind: 'cu48-status'; readonly address: number; readonly raw: Buffer; readonly data: Buffer }
  | { readonly kind: 'cu48-request'; readonly address: number; readonly lockByte: number; readonly command: number; readonly raw: Buffer };

/** `02 ADDR LOCK CMD 03 SUM` for any bytes; the named builders below are what the program uses. */
export function cu48Request(address: number, lockByte: number, command: number): Buffer {
  return sealFrame(Buffer.from([STX, address, lockByte, command, 0, 0]));
}

function checkAddress(address: number, allowBroadcast: boolean): void {
  const ok = Number.isInteger(address) && address >= 0 && (address <= CU48.maxAddress || (allowBroadcast && address === CU48.broadcast));
  if (!ok) throw new RangeError(`CU48 board address must be 0-9, got ${address}`);
}

/** Status request for one board (or the broadcast address). */
export function encodeCu48Status(address: number): Buffer {
  checkAddress(address, true);
  return cu48Request(address, 0x00, CU48.cmdStatus);
}

/** Unlock one lock, counted from 1 as printed on the board. There is deliberately no "all locks" builder. */
export function encodeCu48Unlock(address: number, lock: number): Buffer {
  checkAddress(address, false);
  if (!Number.isInteger(lock) || lock < 1 || lock > CU48.locks) throw new RangeError(`CU48 lock must be 1-48, got ${lock}`);
  return cu48Request(address, lock - 1, CU48.cmdUnlock);
}

/** The raw switch bit of each lock (index 0 = lock 1): D1 bit0 = lock 1 … D6 bit7 = lock 48. */
export function cu48Bits(data: Buffer): number[] {
  return unpackBits(data, CU48.locks);
}

/**
 * `02 ADDR 00 CMD D… 03 SUM` of `length` bytes with the latch bits from D1 on: the status reply's shape, shared by
 * both CU48 firmwares (this one's 12-byte 0x65, the other's 18-byte 0x75).
 */
export function encodeCu48ShapedReply(address: number, command: number, length: number, bits: readonly number[]): Buffer {
  const f = Buffer.alloc(length);
  f[0] = STX;
  f[1] = address;
  f[2] = 0x00;
  f[3] = command;
  packBits(f, 4, bits);
  return sealFrame(f);
}

/** A status reply, as a simulated board sends it. `bits[i]` is lock i+1's raw switch bit. */
export function encodeCu48StatusReply(address: number, bits: readonly number[]): Buffer {
  return encodeCu48ShapedReply(address, CU48.replyStatus, 12, bits);
}

export const cu48StatusReplySpec: FrameSpec<Cu48Frame> = {
  name: 'cu48-status',
  probeLength: 4,
  lengthOf: (h) => (h[3] === CU48.replyStatus ? 12 : 0),
  decode: (raw) => ({ kind: 'cu48-status', address: raw[1]!, raw, data: raw.subarray(4, 10) }),
};

/** Requests are decoded too: an adapter may echo our own transmission, and the simulated boards read them. */
export const cu48RequestSpec: FrameSpec<Cu48Frame> = {
  name: 'cu48-request',
  probeLength: 4,
  lengthOf: (h) => (h[3] === CU48.cmdStatus || h[3] === CU48.cmdUnlock ? 6 : 0),
  decode: (raw) => ({ kind: 'cu48-request', address: raw[1]!, lockByte: raw[2]!, command: raw[3]!, raw }),
};

export const cu48Specs = [cu48StatusReplySpec, cu48RequestSpec] as const;
