import { packBits, unpackBits } from '../bits.js';
import { STX, sealFrame, type FrameSpec } from '../frame-decoder.js';

/**
 * Kerong KR-CU48 with the 0x60 firmware (`"protocol": "kerong-cu48-60"`), 19200 8N1. No vendor document for this
 * command set was found; everything below comes from public code and one bus capture, collected with the
 * disagreements in docs/BOARDS-RESEARCH.md §3 (source ids B1-B8 are that file's). Nothing here was checked on a
 * board.
 *
 * Sources:
 * - B1 `AshurkovAV/KerongConsole` `KerongConsole/Коды для контролера запрос ответ.txt` @ d01d2728a2b20c54fba5b6e8b18827a2e086d179:
 *   a bus capture with Russian notes (18 frames, every checksum correct). The best-supported reading and the
 *   default layout below: lines 1-9 (status request and replies), 12 (an unexplained 0x77 frame), 19-46 (unlock
 *   of cells 1-5 and the status showing each one's latch, "замок закрыт" = lock closed; cell 14 at line 46).
 * - B2 same repository `KerongCore/Helpers/CodesClass.cs` @ cb1a0e7f09470bbc4ff88799d6809957ac6cc375:
 *   `GetStatusAll`, `Unlock1`…`Unlock5`, `Unlock(int)` (puts the cell in byte 1: see E4).
 * - B3 same repository `KerongCore/Service/KerongService.cs` @ 0ccfc84127fef3945db0d5fdc069ab4696d9ad04:
 *   sum check on every answer; waits for an answer to an unlock too (a code expectation, not a capture).
 * - B4 `pirumu/node-pc` `libs/control-unit-lock/src/protocols/cu/cu.constants.ts` @ f32ebfc94be68d490c74300d5262745045fc2ee3:
 *   0x60, 0x61, 0x75, detection frame `02 00 00 60 03 65`.
 * - B5 same repository `libs/control-unit-lock/src/protocols/cu/cu.protocol.ts` @ 73c0dcbae30e079a07415cb16466986c17601f96
 *   (lock bits from byte 4, only 48 of them, bit 1 = CLOSED) versus @ f32ebfc… / 1f1e1023f5379cad3d767e5301d1160e343a2a64
 *   (byte 4 a "Data Len", bits from byte 5; a 6-byte unlock answer `02 ADDR LOCK 75 00 SUM`).
 * - B6 same repository `libs/control-unit-lock/src/protocols/tests/cu.protocol.spec.ts` @ f32ebfc… (commented out):
 *   `02 01 00 75 00 78` (unlock answer), `02 01 00 75 03 01 00 FF 7B` (status with a length byte, no ETX).
 * - B7 same repository `libs/control-unit-lock/src/control-unit-lock.service.ts` @ 1f1e102… (scan at 19200, a CU
 *   answer is `data[0] == 0x02 && data[3] == 0x75`, "18 bytes").
 * - B8 `8lal8/kerongDocs` `src/Components/Layout/Markdown/mdFiles/passCu48.md` and `cu48.md` @ ec8e6e7b9c10a3f1e5075361bddadccea3478f3d:
 *   up to 10 boards with distinct addresses, numbered from 0; the board takes per-cell infrared occupancy sensors.
 *
 * Frames (all `02 … 03 SUM`, SUM = low byte of the sum of every byte before it, ETX included; B1, B3, B5):
 * - request, 6 bytes: `02 ADDR LOCK CMD 03 SUM`, CMD 0x60 status (LOCK 00) or 0x61 unlock (LOCK = lock − 1,
 *   0x00-0x2F). Golden: `02 00 00 60 03 65` (B1 line 1, B2, B4), `02 00 00 61 03 66` … `02 00 04 61 03 6A` (B1).
 * - status reply, 18 bytes: `02 ADDR 00 75 D1 … D12 03 SUM` (B1, B7). D1-D6: one latch bit per lock, D1 bit 0 =
 *   lock 1 … D6 bit 7 = lock 48, a set bit = lock closed (B1 lines 22-46, B5 @73c0dcb). D7-D12: see E1.
 * - an unexplained 18-byte frame `02 00 0A 77 …` in the capture (B1 line 12): recognised and cut, never acted on.
 *
 * Where the sources disagree (BOARDS-RESEARCH.md §3.6), and what this codec does:
 * - E1 what D7-D12 hold. B1: D7 bit 0 toggles independently of D1 bit 0 (lines 5-9), so a second per-lock field;
 *   B8: the board takes per-cell infrared sensors, and the CU16 reply carries IR bits after its lock bits — so most
 *   likely occupancy sensors for locks 1-48 in the same order. B5 @73c0dcb reads D1-D6 only, B5 @f32ebfc knows no
 *   second field at all. Nobody documents which level means "occupied". And since the only thing that ties D1-D6
 *   to the latches is B1's notes, which half holds what is not beyond doubt either. So it is all a parameter,
 *   {@link Cu4860Layout}: which half holds the latches, which (or none) the sensors, bit order, both polarities.
 *   The default is B1's reading.
 * - E2 where the data start. B1 and B5 @73c0dcb: byte 4. B5 @f32ebfc/@1f1e102 and B6: byte 4 is a length (06) and
 *   the bits follow, in a frame without ETX. B1's every reply contradicts it (byte 4 = 00/01/02/04/08/10 as the
 *   latches change): rejected, not configurable. Such a frame never decodes here (it is not 18 bytes `… 03 SUM`).
 * - E3 is 0x61 answered? B1 records no answer (only the next status); DESIGN §4's 0x51 sends none; B3 expects an
 *   answer; B5/B6 describe `02 ADDR LOCK 75 00 SUM` — six bytes and no ETX. That shape cannot be a frame of the
 *   shared decoder (its well-formedness check wants `03 SUM`), and its first five bytes are also those of a status
 *   reply whose D1 is 00, so cutting it would risk cutting a real status reply short. No spec here decodes it; an
 *   answer that comes as an 18-byte 0x75 frame is cut as a status reply. As for CU48: only a later status poll
 *   proves the latch released.
 * - E4 where the lock goes. Byte 2: B1's notes ("02 00 01 61 03 67 открыть замок ячейки два", cell two), B5, the
 *   issue, and DESIGN §4 for 0x51. Byte 1: B2 `Unlock2` = `02 01 00 61 03 67`, `Unlock(cell)` — the same author as
 *   B1. The SUM is the same either way, so the checksum cannot tell; byte 1 is the address, and on a bus with more
 *   than one board B2's frame unlocks lock 1 of board 1. Byte 2 is used; byte 1 is rejected, not configurable.
 * - E6 address range. B8: 0-9 (up to ten boards). B5's comment: 0x00-0xFF. As for the 0x50 firmware (DESIGN §4),
 *   0-9 are accepted and 0x0A — the 0x50 firmware's broadcast — is never sent, for status or unlock: nothing says
 *   whether it is a broadcast here, and if it is, every board would answer a status at once.
 *
 * No "all locks" builder. No source documents one for 0x61; by analogy with 0x51 LOCK 0x30 would be all 48 locks
 * (`02 00 30 61 03 96`, with the same SUM as board 1 lock 48, `02 01 2F 61 03 96`: only the range check on LOCK
 * keeps them apart). {@link encodeCu4860Unlock} takes locks 1-48 only, and this module exports no generic request
 * builder. A request frame carrying 0x30 (from another master) is still cut and decoded, with its `lockByte`.
 *
 * The 8-bit sum catches every single-byte error but not two that cancel (E4's two frames are one example).
 *
 * Decoder order: a CU16 status reply `02 B0 35 L1 …` whose L1 byte is 0x60, 0x61, 0x75 or 0x77 starts like a
 * frame of this firmware, so these specs must be tried after the CU16 specs (the decoder takes the first spec
 * whose candidate is well-formed). The CU48 0x50 firmware's command bytes (0x50, 0x51, 0x65, all at byte 3) are
 * disjoint from these, in either order.
 */
export const CU4860 = {
  cmdStatus: 0x60,
  cmdUnlock: 0x61,
  replyStatus: 0x75,
  /** The unexplained command byte of B1 line 12's 18-byte frame. */
  replyUnexplained: 0x77,
  requestLength: 6,
  replyLength: 18,
  /** D1-D12. */
  dataBytes: 12,
  maxAddress: 0x09,
  /** The 0x50 firmware's broadcast address, never sent here (E6). */
  broadcast: 0x0a,
  locks: 48,
  /** By analogy with 0x51, the LOCK byte that would mean every lock; no code path here builds it. */
  allLocks: 0x30,
} as const;

export type Cu4860Frame =
  | {
      readonly kind: 'cu4860-status';
      readonly address: number;
      readonly raw: Buffer;
      /** D1-D12, to be read through a {@link Cu4860Layout}. */
      readonly data: Buffer;
    }
  | { readonly kind: 'cu4860-request'; readonly address: number; readonly lockByte: number; readonly command: number; readonly raw: Buffer }
  | {
      /** B1 line 12's 0x77 frame: cut so it is not noise, counted by whoever receives it, never interpreted. */
      readonly kind: 'cu4860-unexplained';
      readonly address: number;
      readonly command: number;
      readonly raw: Buffer;
    };

/** Six of the twelve data bytes: D1-D6 (bytes 4-9 of the reply) or D7-D12 (bytes 10-15). */
export type Cu4860Half = 'D1-D6' | 'D7-D12';

/**
 * How the twelve data bytes of a status reply are read (E1 above). The readings the sources support:
 *
 * - B1 (the capture, the default): `{ latchBytes: 'D1-D6', sensorBytes: 'D7-D12', bitOrder: 'lsb-first',
 *   latchedBit: 1, sensorActiveBit: 1 }` — D1-D6 latches, a set bit = closed; D7-D12 a second per-lock field,
 *   probably the infrared occupancy sensors (B8), read with 1 = occupied by analogy with the CU16's item bits (not
 *   documented for this firmware).
 * - B5 @73c0dcb: the same latches, and D7-D12 ignored: `{ ...default, sensorBytes: 'none' }`
 *   ({@link CU4860_LAYOUT_LATCHES_ONLY}).
 * - The halves the other way round (no source says so; it is there because only B1's notes tie D1-D6 to the
 *   latches): `{ ...default, latchBytes: 'D7-D12', sensorBytes: 'D1-D6' }`.
 *
 * Bit order: B1 shows D1 bit 0 = lock 1 … bit 4 = lock 5, D2 bit 5 = lock 14 (LSB first, D1 first, as the 0x50
 * firmware and the CU16). No source says otherwise for this firmware; 'msb-first' (D1 bit 7 = lock 1) is for a
 * board found on the bench to differ. Byte order is D1 first in both.
 *
 * Polarity: `latchedBit` as the config's `latchedBit` (NO/NC switch wiring, DESIGN §4); B1 and B5 read 1 as closed.
 */
export interface Cu4860Layout {
  /** The six bytes that hold one latch bit per lock. */
  readonly latchBytes: Cu4860Half;
  /** The six bytes that hold one sensor bit per lock, or 'none' to ignore them. Never the latches' half. */
  readonly sensorBytes: Cu4860Half | 'none';
  /** 'lsb-first': bit 0 of the half's first byte is lock 1; 'msb-first': bit 7 is. */
  readonly bitOrder: 'lsb-first' | 'msb-first';
  /** The raw latch bit that means "latched / door closed". */
  readonly latchedBit: 0 | 1;
  /** The raw sensor bit that means "active" (an item present / the cell occupied, as far as anyone knows). */
  readonly sensorActiveBit: 0 | 1;
}

/** B1's reading (see {@link Cu4860Layout}). */
export const CU4860_DEFAULT_LAYOUT: Cu4860Layout = Object.freeze({
  latchBytes: 'D1-D6',
  sensorBytes: 'D7-D12',
  bitOrder: 'lsb-first',
  latchedBit: 1,
  sensorActiveBit: 1,
});

/** B5 @73c0dcb's reading: the latches in D1-D6, D7-D12 ignored. */
export const CU4860_LAYOUT_LATCHES_ONLY: Cu4860Layout = Object.freeze({ ...CU4860_DEFAULT_LAYOUT, sensorBytes: 'none' });

/** What one status reply says, through a layout. Index 0 = lock 1; 48 entries each. */
export interface Cu4860State {
  /** True when the latch holds (door closed), after the layout's polarity. */
  readonly latched: readonly boolean[];
  /** The second per-lock field, after its polarity; absent when the layout ignores it. */
  readonly sensors?: readonly boolean[];
}

const halfOffset: Record<Cu4860Half, number> = { 'D1-D6': 0, 'D7-D12': 6 };

/** Throws a RangeError unless `layout` is one this codec can read (a layout may come from a config file). */
export function checkCu4860Layout(layout: Cu4860Layout): void {
  const halves: readonly unknown[] = ['D1-D6', 'D7-D12'];
  if (!halves.includes(layout.latchBytes)) throw new RangeError(`CU48 (0x60) layout: latchBytes must be 'D1-D6' or 'D7-D12', got ${String(layout.latchBytes)}`);
  if (layout.sensorBytes !== 'none' && !halves.includes(layout.sensorBytes)) {
    throw new RangeError(`CU48 (0x60) layout: sensorBytes must be 'D1-D6', 'D7-D12' or 'none', got ${String(layout.sensorBytes)}`);
  }
  if (layout.sensorBytes === layout.latchBytes) throw new RangeError(`CU48 (0x60) layout: the latches and the sensors cannot both be in ${layout.latchBytes}`);
  if (layout.bitOrder !== 'lsb-first' && layout.bitOrder !== 'msb-first') throw new RangeError(`CU48 (0x60) layout: bitOrder must be 'lsb-first' or 'msb-first', got ${String(layout.bitOrder)}`);
  for (const key of ['latchedBit', 'sensorActiveBit'] as const) {
    if (layout[key] !== 0 && layout[key] !== 1) throw new RangeError(`CU48 (0x60) layout: ${key} must be 0 or 1, got ${String(layout[key])}`);
  }
}

function checkAddress(address: number): void {
  if (address === CU4860.broadcast) throw new RangeError('CU48 (0x60) address 0x0A is never sent: it is the 0x50 firmware’s broadcast address');
  if (!Number.isInteger(address) || address < 0 || address > CU4860.maxAddress) throw new RangeError(`CU48 (0x60) board address must be 0-9, got ${address}`);
}

function request(address: number, lockByte: number, command: number): Buffer {
  return sealFrame(Buffer.from([STX, address, lockByte, command, 0, 0]));
}

/** Status request for one board, 0-9. */
export function encodeCu4860Status(address: number): Buffer {
  checkAddress(address);
  return request(address, 0x00, CU4860.cmdStatus);
}

/** Unlock one lock, counted from 1 as printed on the board (LOCK byte = lock − 1, in byte 2: E4). */
export function encodeCu4860Unlock(address: number, lock: number): Buffer {
  checkAddress(address);
  if (!Number.isInteger(lock) || lock < 1 || lock > CU4860.locks) throw new RangeError(`CU48 (0x60) lock must be 1-48, got ${lock}`);
  return request(address, lock - 1, CU4860.cmdUnlock);
}

/** The 48 raw bits of one half, index 0 = lock 1. */
function readHalf(data: Uint8Array, half: Cu4860Half, order: Cu4860Layout['bitOrder']): number[] {
  const bytes = data.subarray(halfOffset[half], halfOffset[half] + 6);
  if (order === 'lsb-first') return unpackBits(bytes, CU4860.locks);
  return Array.from({ length: CU4860.locks }, (_, i) => (bytes[i >> 3]! >> (7 - (i & 7))) & 1);
}

function writeHalf(data: Uint8Array, half: Cu4860Half, order: Cu4860Layout['bitOrder'], bits: readonly number[]): void {
  const offset = halfOffset[half];
  if (order === 'lsb-first') {
    packBits(data, offset, bits);
    return;
  }
  bits.forEach((b, i) => {
    if (b !== 0) data[offset + (i >> 3)]! |= 1 << (7 - (i & 7));
  });
}

function checkData(data: Uint8Array): void {
  if (data.length !== CU4860.dataBytes) throw new RangeError(`CU48 (0x60) status data is 12 bytes (D1-D12), got ${data.length}`);
}

/** Each lock's latch (index 0 = lock 1), from D1-D12 of a status reply. */
export function cu4860Latched(data: Uint8Array, layout: Cu4860Layout = CU4860_DEFAULT_LAYOUT): boolean[] {
  checkCu4860Layout(layout);
  checkData(data);
  return readHalf(data, layout.latchBytes, layout.bitOrder).map((b) => b === layout.latchedBit);
}

/** Each lock's second field (index 0 = lock 1), or undefined when the layout ignores it. */
export function cu4860Sensors(data: Uint8Array, layout: Cu4860Layout = CU4860_DEFAULT_LAYOUT): boolean[] | undefined {
  checkCu4860Layout(layout);
  checkData(data);
  if (layout.sensorBytes === 'none') return undefined;
  return readHalf(data, layout.sensorBytes, layout.bitOrder).map((b) => b === layout.sensorActiveBit);
}

/** Both fields of a status reply's D1-D12. */
export function decodeCu4860Data(data: Uint8Array, layout: Cu4860Layout = CU4860_DEFAULT_LAYOUT): Cu4860State {
  const latched = cu4860Latched(data, layout);
  const sensors = cu4860Sensors(data, layout);
  return sensors === undefined ? { latched } : { latched, sensors };
}

/**
 * A status reply, as a simulated board sends it: `state` written through `layout` (locks beyond the arrays'
 * length are unlatched / inactive, after polarity). Byte 2 is 00, as in every captured reply. With a layout
 * that ignores the sensors, their half is zero and `state.sensors` must be absent or empty.
 */
export function encodeCu4860StatusReply(address: number, state: Cu4860State, layout: Cu4860Layout = CU4860_DEFAULT_LAYOUT): Buffer {
  checkCu4860Layout(layout);
  if (!Number.isInteger(address) || address < 0 || address > 0xff) throw new RangeError(`address byte must be 0-255, got ${address}`);
  const sensors = state.sensors ?? [];
  if (state.latched.length > CU4860.locks || sensors.length > CU4860.locks) throw new RangeError('CU48 (0x60) has 48 locks');
  if (layout.sensorBytes === 'none' && sensors.length > 0) throw new RangeError('this layout ignores the sensor bytes, so it cannot carry sensor states');
  const f = Buffer.alloc(CU4860.replyLength);
  f[0] = STX;
  f[1] = address;
  f[2] = 0x00;
  f[3] = CU4860.replyStatus;
  const data = f.subarray(4, 4 + CU4860.dataBytes);
  const raw = (values: readonly boolean[], on: 0 | 1): number[] => Array.from({ length: CU4860.locks }, (_, i) => ((values[i] ?? false) ? on : 1 - on));
  writeHalf(data, layout.latchBytes, layout.bitOrder, raw(state.latched, layout.latchedBit));
  if (layout.sensorBytes !== 'none') writeHalf(data, layout.sensorBytes, layout.bitOrder, raw(sensors, layout.sensorActiveBit));
  return sealFrame(f);
}

/** Board `address`'s status reply (the matching rule a board driver waits on). */
export function isCu4860StatusOf(f: { readonly kind: string; readonly address?: number }, address: number): boolean {
  return f.kind === 'cu4860-status' && f.address === address;
}

export const cu4860StatusReplySpec: FrameSpec<Cu4860Frame> = {
  name: 'cu4860-status',
  probeLength: 4,
  lengthOf: (h) => (h[3] === CU4860.replyStatus ? CU4860.replyLength : 0),
  decode: (raw) => ({ kind: 'cu4860-status', address: raw[1]!, raw, data: raw.subarray(4, 4 + CU4860.dataBytes) }),
};

/** Requests are decoded too: an adapter may echo our own transmission, and the simulated boards read them. */
export const cu4860RequestSpec: FrameSpec<Cu4860Frame> = {
  name: 'cu4860-request',
  probeLength: 4,
  lengthOf: (h) => (h[3] === CU4860.cmdStatus || h[3] === CU4860.cmdUnlock ? CU4860.requestLength : 0),
  decode: (raw) => ({ kind: 'cu4860-request', address: raw[1]!, lockByte: raw[2]!, command: raw[3]!, raw }),
};

export const cu4860UnexplainedSpec: FrameSpec<Cu4860Frame> = {
  name: 'cu4860-unexplained',
  probeLength: 4,
  lengthOf: (h) => (h[3] === CU4860.replyUnexplained ? CU4860.replyLength : 0),
  decode: (raw) => ({ kind: 'cu4860-unexplained', address: raw[1]!, command: raw[3]!, raw }),
};

/** To be tried after the CU16 specs (see the header). */
export const cu4860Specs = [cu4860StatusReplySpec, cu4860RequestSpec, cu4860UnexplainedSpec] as const;
