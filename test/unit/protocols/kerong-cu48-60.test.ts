import { describe, expect, it } from 'vitest';
import { FrameDecoder, STX, sealFrame } from '../../../hardware/protocols/frame-decoder.js';
import { cu16Specs, encodeCu16StatusReply, type Cu16Frame } from '../../../hardware/protocols/kerong-cu16/codec.js';
import { cu48Specs, type Cu48Frame } from '../../../hardware/protocols/kerong-cu48/codec.js';
import {
  CU4860, CU4860_DEFAULT_LAYOUT, CU4860_LAYOUT_LATCHES_ONLY, checkCu4860Layout, cu4860Latched, cu4860Sensors, cu4860Specs,
  decodeCu4860Data, encodeCu4860StatusReply, encodeCu4860Status, encodeCu4860Unlock, isCu4860StatusOf,
  type Cu4860Frame, type Cu4860Layout,
} from '../../../hardware/protocols/kerong-cu48-60/codec.js';

/*
 * Golden bytes of docs/BOARDS-RESEARCH.md §3.4. Sources (ids as in that file):
 * B1 = AshurkovAV/KerongConsole `KerongConsole/Коды для контролера запрос ответ.txt` @ d01d2728a2b20c54fba5b6e8b18827a2e086d179
 *      (a bus capture; "line n" below is a line of that file);
 * B2 = AshurkovAV/KerongConsole `KerongCore/Helpers/CodesClass.cs` @ cb1a0e7f09470bbc4ff88799d6809957ac6cc375;
 * B4 = pirumu/node-pc `libs/control-unit-lock/src/protocols/cu/cu.constants.ts` @ f32ebfc94be68d490c74300d5262745045fc2ee3;
 * B5 = pirumu/node-pc `libs/control-unit-lock/src/protocols/cu/cu.protocol.ts` @ 73c0dcbae30e079a07415cb16466986c17601f96 and @ f32ebfc…;
 * B6 = pirumu/node-pc `libs/control-unit-lock/src/protocols/tests/cu.protocol.spec.ts` @ f32ebfc… (commented out).
 * [I] = computed here by the same rule (sum of the bytes before SUM), not printed by any source.
 */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The order the codec's header asks for: CU16 specs before these. */
type AnyFrame = Cu16Frame | Cu48Frame | Cu4860Frame;
const busDecoder = (): FrameDecoder<AnyFrame> => new FrameDecoder<AnyFrame>([...cu16Specs, ...cu48Specs, ...cu4860Specs]);
const decoder = (): FrameDecoder<Cu4860Frame> => new FrameDecoder<Cu4860Frame>(cu4860Specs);

/** The locks (counted from 1) whose entry is true. */
const which = (xs: readonly boolean[] | undefined): number[] => (xs ?? []).flatMap((x, i) => (x ? [i + 1] : []));

function statusOf(bytes: Buffer): Extract<Cu4860Frame, { kind: 'cu4860-status' }> {
  const frames = decoder().feed(bytes);
  expect(frames).toHaveLength(1);
  const f = frames[0]!;
  if (f.kind !== 'cu4860-status') throw new Error(`not a status reply: ${f.kind}`);
  return f;
}

describe('Kerong CU48, 0x60 firmware: requests', () => {
  it.each([
    // B1 line 1 ("возвращает статусы всех ячеек", returns every cell's status), B2 GetStatusAll, B4 CU_DETECTION_MESSAGE.
    ['status, board 0', () => encodeCu4860Status(0), '02 00 00 60 03 65'],
    // [I] 02+01+60+03 = 66.
    ['status, board 1', () => encodeCu4860Status(1), '02 01 00 60 03 66'],
    // [I] the highest address (B8: up to ten boards, 0-9).
    ['status, board 9', () => encodeCu4860Status(9), '02 09 00 60 03 6E'],
    // B1 lines 19 and 23 ("открыть замок ячейки один", open cell one's lock), B2 Unlock1, B4 comment MESS_CU_TEMP.
    ['unlock board 0 lock 1', () => encodeCu4860Unlock(0, 1), '02 00 00 61 03 66'],
    // B1 line 28 ("открыть замок ячейки два").
    ['unlock board 0 lock 2', () => encodeCu4860Unlock(0, 2), '02 00 01 61 03 67'],
    // B1 line 32 ("ячейки три").
    ['unlock board 0 lock 3', () => encodeCu4860Unlock(0, 3), '02 00 02 61 03 68'],
    // B1 line 37 ("ячейки четыри").
    ['unlock board 0 lock 4', () => encodeCu4860Unlock(0, 4), '02 00 03 61 03 69'],
    // B1 line 41 ("ячейки пять").
    ['unlock board 0 lock 5', () => encodeCu4860Unlock(0, 5), '02 00 04 61 03 6A'],
    // [I] 02+05+61+03 = 6B.
    ['unlock board 0 lock 6', () => encodeCu4860Unlock(0, 6), '02 00 05 61 03 6B'],
    // [I] 02+01+2F+61+03 = 96.
    ['unlock board 1 lock 48', () => encodeCu4860Unlock(1, 48), '02 01 2F 61 03 96'],
    // [I] 02+09+2F+61+03 = 9E.
    ['unlock board 9 lock 48', () => encodeCu4860Unlock(9, 48), '02 09 2F 61 03 9E'],
  ])('encodes %s', (_name, build, golden) => {
    expect(toHex(build())).toBe(toHex(hex(golden)));
  });

  it('decodes golden requests as requests (an echo of our own, or another master)', () => {
    // B1 lines 1, 19, 41.
    expect(decoder().feed(hex('02 00 00 60 03 65  02 00 00 61 03 66  02 00 04 61 03 6A'))).toMatchObject([
      { kind: 'cu4860-request', address: 0, lockByte: 0, command: 0x60 },
      { kind: 'cu4860-request', address: 0, lockByte: 0, command: 0x61 },
      { kind: 'cu4860-request', address: 0, lockByte: 4, command: 0x61 },
    ]);
  });

  it('has no "all locks" form: lock 49 (LOCK 0x30) is refused, though the frame, built by hand, is still recognised', () => {
    expect(() => encodeCu4860Unlock(0, 49)).toThrow(RangeError);
    // [I] 0x30 = all by analogy with the 0x50 firmware's `02 00 30 51 03 86` (DESIGN §4). Only the range check on
    // LOCK tells it from board 1 lock 48: the same SUM, 96.
    const allLocks = sealFrame(Buffer.from([STX, 0x00, CU4860.allLocks, CU4860.cmdUnlock, 0, 0]));
    expect(toHex(allLocks)).toBe(toHex(hex('02 00 30 61 03 96')));
    expect(allLocks[5]).toBe(encodeCu4860Unlock(1, 48)[5]);
    expect(decoder().feed(allLocks)).toMatchObject([{ kind: 'cu4860-request', address: 0, lockByte: 0x30, command: 0x61 }]);
  });

  it('puts the lock in byte 2 (B1\'s notes), not byte 1 (B2\'s Unlock2): the two have the same SUM, and B2\'s is board 1 lock 1', () => {
    // B1 line 28 "02 00 01 61 03 67 открыть замок ячейки два" versus B2 Unlock2 "0x02, 0x01, 0x00, 0x61, 0x03, 0x67".
    const b1 = hex('02 00 01 61 03 67');
    const b2 = hex('02 01 00 61 03 67');
    expect(toHex(encodeCu4860Unlock(0, 2))).toBe(toHex(b1));
    expect(b1[5]).toBe(b2[5]);
    expect(toHex(encodeCu4860Unlock(1, 1))).toBe(toHex(b2));
    expect(decoder().feed(b2)).toMatchObject([{ kind: 'cu4860-request', address: 1, lockByte: 0 }]);
  });

  it('refuses locks and addresses outside the board, and address 0x0A (the 0x50 firmware\'s broadcast) for status and unlock', () => {
    for (const lock of [0, 49, 1.5, -1, Number.NaN]) expect(() => encodeCu4860Unlock(0, lock)).toThrow(RangeError);
    for (const address of [-1, 11, 0x30, 0.5, 256]) {
      expect(() => encodeCu4860Unlock(address, 1)).toThrow(RangeError);
      expect(() => encodeCu4860Status(address)).toThrow(RangeError);
    }
    expect(() => encodeCu4860Unlock(CU4860.broadcast, 1)).toThrow(/broadcast/);
    expect(() => encodeCu4860Status(CU4860.broadcast)).toThrow(/broadcast/);
  });
});

describe('Kerong CU48, 0x60 firmware: the 18-byte status reply (B1\'s capture)', () => {
  it.each([
    // B1 lines 2-3 ("открыты все ячейки", all cells open).
    ['every lock released', '02 00 00 75 00 00 00 00 00 00 00 00 00 00 00 00 03 7A', [], []],
    // B1 line 22 ("закрыт замок", lock closed, cell one).
    ['lock 1 latched', '02 00 00 75 01 00 00 00 00 00 00 00 00 00 00 00 03 7B', [1], []],
    // B1 line 27 (cell two, "замок закрыт").
    ['lock 2 latched', '02 00 00 75 02 00 00 00 00 00 00 00 00 00 00 00 03 7C', [2], []],
    // B1 line 31 (cell three).
    ['lock 3 latched', '02 00 00 75 04 00 00 00 00 00 00 00 00 00 00 00 03 7E', [3], []],
    // B1 line 36 (cell four).
    ['lock 4 latched', '02 00 00 75 08 00 00 00 00 00 00 00 00 00 00 00 03 82', [4], []],
    // B1 line 40 (cell five); the same bytes, without a note, at line 4.
    ['lock 5 latched', '02 00 00 75 10 00 00 00 00 00 00 00 00 00 00 00 03 8A', [5], []],
    // B1 line 46 ("ячейка 14", D2 bit 5).
    ['lock 14 latched', '02 00 00 75 00 20 00 00 00 00 00 00 00 00 00 00 03 9A', [14], []],
    // B1 lines 6-8 (no note): D7 bit 0 set with D1 bit 0 clear — the second field on its own.
    ['lock 1 released, second field of lock 1 set', '02 00 00 75 00 00 00 00 00 00 01 00 00 00 00 00 03 7B', [], [1]],
    // B1 lines 5 and 9 (no note): both set.
    ['lock 1 latched, second field of lock 1 set', '02 00 00 75 01 00 00 00 00 00 01 00 00 00 00 00 03 7C', [1], [1]],
    // [I] the 0x75 twin of DESIGN §4's 0x65 golden `02 00 00 65 07 00 00 00 00 C0 03 31`.
    ['locks 1, 2, 3, 47, 48 latched', '02 00 00 75 07 00 00 00 00 C0 00 00 00 00 00 00 03 41', [1, 2, 3, 47, 48], []],
  ])('decodes %s', (_name, golden, latched, sensors) => {
    const f = statusOf(hex(golden));
    expect(f.address).toBe(0);
    expect(isCu4860StatusOf(f, 0)).toBe(true);
    expect(isCu4860StatusOf(f, 1)).toBe(false);
    const state = decodeCu4860Data(f.data);
    expect(state.latched).toHaveLength(48);
    expect(state.sensors).toHaveLength(48);
    expect(which(state.latched)).toEqual(latched);
    expect(which(state.sensors)).toEqual(sensors);
    // And the simulated board's side: the same bytes from the same states.
    const set = (locks: number[]): boolean[] => Array.from({ length: 48 }, (_, i) => locks.includes(i + 1));
    expect(toHex(encodeCu4860StatusReply(0, { latched: set(latched), sensors: set(sensors) }))).toBe(toHex(hex(golden)));
  });

  it('reads B1 line 5 through each documented layout', () => {
    const line5 = statusOf(hex('02 00 00 75 01 00 00 00 00 00 01 00 00 00 00 00 03 7C')).data;
    const line6 = statusOf(hex('02 00 00 75 00 00 00 00 00 00 01 00 00 00 00 00 03 7B')).data;
    // B5 @73c0dcb: only D1-D6 are read.
    expect(decodeCu4860Data(line5, CU4860_LAYOUT_LATCHES_ONLY)).toEqual({ latched: decodeCu4860Data(line5).latched });
    expect(cu4860Sensors(line5, CU4860_LAYOUT_LATCHES_ONLY)).toBeUndefined();
    // The halves the other way round: line 6 would then be "lock 1 latched, its sensor off".
    const swapped: Cu4860Layout = { ...CU4860_DEFAULT_LAYOUT, latchBytes: 'D7-D12', sensorBytes: 'D1-D6' };
    expect(which(cu4860Latched(line6, swapped))).toEqual([1]);
    expect(which(cu4860Sensors(line6, swapped))).toEqual([]);
    // Opposite wiring (NO/NC): a clear bit is latched.
    const nc: Cu4860Layout = { ...CU4860_DEFAULT_LAYOUT, latchedBit: 0, sensorActiveBit: 0 };
    expect(which(cu4860Latched(line5, nc))).toEqual(Array.from({ length: 47 }, (_, i) => i + 2));
    expect(which(cu4860Sensors(line5, nc))).toEqual(Array.from({ length: 47 }, (_, i) => i + 2));
    // MSB first: D1 bit 0 is lock 8.
    expect(which(cu4860Latched(line5, { ...CU4860_DEFAULT_LAYOUT, bitOrder: 'msb-first' }))).toEqual([8]);
  });

  it('reads lock 14 from D2 bit 5 (B1 line 46) and, MSB first, from D2 bit 2', () => {
    const line46 = statusOf(hex('02 00 00 75 00 20 00 00 00 00 00 00 00 00 00 00 03 9A')).data;
    expect(which(cu4860Latched(line46))).toEqual([14]);
    expect(which(cu4860Latched(line46, { ...CU4860_DEFAULT_LAYOUT, bitOrder: 'msb-first' }))).toEqual([11]);
    const msb = encodeCu4860StatusReply(0, { latched: Array.from({ length: 14 }, (_, i) => i === 13) }, { ...CU4860_DEFAULT_LAYOUT, bitOrder: 'msb-first' });
    expect(msb[5]).toBe(0b0000_0100);
  });

  it('refuses layouts it cannot read, and data that is not twelve bytes', () => {
    const bad: unknown[] = [
      { ...CU4860_DEFAULT_LAYOUT, sensorBytes: 'D1-D6' },
      { ...CU4860_DEFAULT_LAYOUT, latchBytes: 'D2-D7' },
      { ...CU4860_DEFAULT_LAYOUT, sensorBytes: 'ignore' },
      { ...CU4860_DEFAULT_LAYOUT, bitOrder: 'reversed' },
      { ...CU4860_DEFAULT_LAYOUT, latchedBit: 2 },
      { ...CU4860_DEFAULT_LAYOUT, sensorActiveBit: undefined },
    ];
    for (const layout of bad) expect(() => checkCu4860Layout(layout as Cu4860Layout)).toThrow(RangeError);
    expect(() => checkCu4860Layout(CU4860_DEFAULT_LAYOUT)).not.toThrow();
    expect(() => cu4860Latched(Buffer.alloc(6))).toThrow(RangeError);
    expect(() => encodeCu4860StatusReply(0, { latched: [], sensors: [true] }, CU4860_LAYOUT_LATCHES_ONLY)).toThrow(RangeError);
    expect(() => encodeCu4860StatusReply(0, { latched: Array<boolean>(49).fill(false) })).toThrow(RangeError);
  });

  it('cuts B1 line 12\'s unexplained 0x77 frame and never reads it as a status', () => {
    // B1 line 12, no note: `02 00 0a 77 01 00 00 00 00 00 01 00 00 00 00 00 03 88`.
    const f77 = hex('02 00 0A 77 01 00 00 00 00 00 01 00 00 00 00 00 03 88');
    const d = decoder();
    const out = d.feed(Buffer.concat([f77, hex('02 00 00 75 01 00 00 00 00 00 01 00 00 00 00 00 03 7C')]));
    expect(out).toMatchObject([
      { kind: 'cu4860-unexplained', address: 0, command: 0x77 },
      { kind: 'cu4860-status', address: 0 },
    ]);
    expect(out.filter((f) => isCu4860StatusOf(f, 0))).toHaveLength(1);
    expect(d.discardedBytes).toBe(0);
  });
});

describe('Kerong CU48, 0x60 firmware: shapes the sources describe that the capture contradicts (never decoded)', () => {
  it.each([
    // B6 (commented-out test) / B5 doc comment: a 6-byte unlock answer `02 ADDR LOCK 75 00 SUM`, no ETX (E3).
    ['B6\'s unlock answer', '02 01 00 75 00 78'],
    // B6: a status reply with a length byte and no ETX, `02 01 00 75 03 01 00 FF 7B` (E2).
    ['B6\'s status reply with a length byte', '02 01 00 75 03 01 00 FF 7B'],
  ])('%s is held as a possible start of a status reply, and dropped and counted by the reset before the next request', (_name, bytes) => {
    const d = decoder();
    expect(d.feed(hex(bytes))).toEqual([]);
    d.reset();
    expect(d.discardedBytes).toBe(hex(bytes).length);
    // B1 line 22 right after: decoded whole.
    expect(d.feed(hex('02 00 00 75 01 00 00 00 00 00 00 00 00 00 00 00 03 7B'))).toMatchObject([{ kind: 'cu4860-status', address: 0 }]);
  });

  it('a reply torn off and not reset can join the next frame: why the bus resets the decoder before every request', () => {
    // [I] the first twelve bytes of a reply from board 0 whose bytes sum to 0 (mod 256), then our next request (B1
    // line 1): the 18 bytes end `03 65`, and 65 is their sum, so they look like a status reply of board 0 with
    // made-up data. The reset before each request is what keeps a torn reply from joining the next frame.
    const torn = hex('02 00 00 75 89 00 00 00 00 00 00 00');
    const next = hex('02 00 00 60 03 65');
    const joined = decoder().feed(Buffer.concat([torn, next]));
    expect(joined).toMatchObject([{ kind: 'cu4860-status', address: 0 }]);
    const d = decoder();
    d.feed(torn);
    d.reset();
    expect(d.feed(next)).toMatchObject([{ kind: 'cu4860-request', command: 0x60 }]);
    expect(d.discardedBytes).toBe(12);
  });
});

describe('Kerong CU48, 0x60 firmware, beside the CU48 0x50 firmware and the CU16', () => {
  it('cuts the three families\' frames from one stream, none as another\'s', () => {
    const stream = Buffer.concat([
      hex('02 00 00 50 03 55'), // CU48 0x50 status request (DESIGN §4)
      hex('02 00 00 65 07 00 00 00 00 C0 03 31'), // its reply (DESIGN §4)
      hex('02 01 00 60 03 66'), // [I] 0x60 status request, board 1
      hex('02 01 00 75 07 00 00 00 00 C0 00 00 00 00 00 00 03 42'), // [I] its reply
      hex('02 10 30 03 45'), // CU16 status request, board 1 (DESIGN §4)
      encodeCu16StatusReply(1, [1]),
      hex('02 01 2F 61 03 96'), // [I] 0x60 unlock, board 1 lock 48
      hex('02 01 2F 51 03 86'), // CU48 0x50 unlock, board 1 lock 48 (DESIGN §4): the same bytes but CMD and SUM
    ]);
    const d = busDecoder();
    expect(d.feed(stream).map((f) => f.kind)).toEqual([
      'cu48-request', 'cu48-status', 'cu4860-request', 'cu4860-status', 'cu16-request', 'cu16-status', 'cu4860-request', 'cu48-request',
    ]);
    expect(d.discardedBytes).toBe(0);
  });

  it('must come after the CU16 specs: a CU16 reply whose L1 byte is 0x75 otherwise starts a bogus 0x60-firmware reply', () => {
    // [I] a CU16 status reply of board 0 with L1 = 75, L2 = 51 (SUM 00), then board 1's (SUM 4A): the 18 bytes
    // end `03 4A` and sum to 4A before it, so the 0x75 spec, if asked first, would cut them as one frame.
    const cu16WithL1of75 = hex('02 00 35 75 51 00 00 03 00');
    const next = encodeCu16StatusReply(1, []);
    const stream = Buffer.concat([cu16WithL1of75, next]);
    const right = busDecoder().feed(stream);
    expect(right.map((f) => [f.kind, toHex(f.raw)])).toEqual([['cu16-status', toHex(cu16WithL1of75)], ['cu16-status', toHex(next)]]);
    const wrong = new FrameDecoder<AnyFrame>([...cu4860Specs, ...cu16Specs]).feed(stream);
    expect(wrong.map((f) => f.kind)).toEqual(['cu4860-status']);
  });
});
