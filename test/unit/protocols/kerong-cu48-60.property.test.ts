import { corruptOne, expectChunkingIrrelevant } from '../../helpers/byte-stream.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, STX, sealFrame, type FrameSpec } from '../../../hardware/protocols/frame-decoder.js';
import { cu16Request, cu16Specs, encodeCu16StatusReply, type Cu16Frame } from '../../../hardware/protocols/kerong-cu16/codec.js';
import { cu48Request, cu48Specs, encodeCu48StatusReply, type Cu48Frame } from '../../../hardware/protocols/kerong-cu48/codec.js';
import {
  CU4860, cu4860Specs, decodeCu4860Data, encodeCu4860StatusReply, encodeCu4860Status, encodeCu4860Unlock,
  type Cu4860Frame, type Cu4860Layout,
} from '../../../hardware/protocols/kerong-cu48-60/codec.js';

/** As the existing decoder properties: at least 10,000 runs; a developer may ask for more. */
const numRuns = Math.max(10_000, Number(process.env.PROPERTY_RUNS ?? 0));

type AnyFrame = Cu16Frame | Cu48Frame | Cu4860Frame;
type Family = 'cu16' | 'cu48' | 'cu4860';
/** A frame as sent, with what it must come out as. */
interface Sent {
  readonly family: Family;
  readonly kind: AnyFrame['kind'];
  readonly address: number;
  readonly bytes: Buffer;
}

/** The order the codec's header asks for: CU16 specs first, then CU48, then the 0x60 firmware's. */
const busSpecs: readonly FrameSpec<AnyFrame>[] = [...cu16Specs, ...cu48Specs, ...cu4860Specs];
/** The longest frame any of them knows: the 18-byte 0x75 (and 0x77) frame. */
const longestFrame = CU4860.replyLength;

const bools = (n: number) => fc.array(fc.boolean(), { minLength: n, maxLength: n });
const bits = (n: number) => fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n });
const byteBits = (b: number): number[] => Array.from({ length: 8 }, (_, i) => (b >> i) & 1);
const address = fc.integer({ min: 0, max: CU4860.maxAddress });
const anyAddressByte = fc.integer({ min: 0, max: 0xff });

const layout: fc.Arbitrary<Cu4860Layout> = fc.record({
  latchBytes: fc.constantFrom('D1-D6' as const, 'D7-D12' as const),
  sensorBytes: fc.constantFrom('D1-D6' as const, 'D7-D12' as const, 'none' as const),
  bitOrder: fc.constantFrom('lsb-first' as const, 'msb-first' as const),
  latchedBit: fc.constantFrom(0 as const, 1 as const),
  sensorActiveBit: fc.constantFrom(0 as const, 1 as const),
}).map((l) => (l.sensorBytes === l.latchBytes ? { ...l, sensorBytes: 'none' as const } : l));
const layoutWithSensors = layout.filter((l) => l.sensorBytes !== 'none');

/** A status reply from states through a layout (the simulated board's side), and the states it was built from. */
const stateReply = fc.tuple(anyAddressByte, layout, bools(48), bools(48)).map(([a, l, latched, sensors]) => ({
  address: a,
  layout: l,
  state: l.sensorBytes === 'none' ? { latched } : { latched, sensors },
  bytes: encodeCu4860StatusReply(a, l.sensorBytes === 'none' ? { latched } : { latched, sensors }, l),
}));

/** 0x60-firmware frames whose data bytes come from lock states: no frame hides inside them. */
const cu4860Structured: fc.Arbitrary<Sent> = fc.oneof(
  address.map((a) => ({ family: 'cu4860' as const, kind: 'cu4860-request' as const, address: a, bytes: encodeCu4860Status(a) })),
  fc.tuple(address, fc.integer({ min: 1, max: CU4860.locks })).map(([a, l]) => ({ family: 'cu4860' as const, kind: 'cu4860-request' as const, address: a, bytes: encodeCu4860Unlock(a, l) })),
  stateReply.map((r) => ({ family: 'cu4860' as const, kind: 'cu4860-status' as const, address: r.address, bytes: r.bytes })),
);

/** Any 0x60-firmware frame: also arbitrary data bytes (STX and ETX among them), another master's requests with any
 * LOCK up to 0x30 ("all", never built by the codec), and the unexplained 0x77 frame. */
const cu4860Frame: fc.Arbitrary<Sent> = fc.oneof(
  cu4860Structured,
  fc.tuple(anyAddressByte, fc.uint8Array({ minLength: 12, maxLength: 12 })).map(([a, data]) => ({
    family: 'cu4860' as const, kind: 'cu4860-status' as const, address: a, bytes: sealFrame(Buffer.from([STX, a, 0, CU4860.replyStatus, ...data, 0, 0])),
  })),
  fc.tuple(anyAddressByte, fc.integer({ min: 0, max: CU4860.allLocks }), fc.constantFrom(CU4860.cmdStatus, CU4860.cmdUnlock)).map(([a, l, c]) => ({
    family: 'cu4860' as const, kind: 'cu4860-request' as const, address: a, bytes: sealFrame(Buffer.from([STX, a, l, c, 0, 0])),
  })),
  // Byte 2 below 0x30: the CU16 specs, tried first, own 0x30, 0x31 and 0x35 there.
  fc.tuple(anyAddressByte, fc.integer({ min: 0, max: 0x2f }), fc.uint8Array({ minLength: 12, maxLength: 12 })).map(([a, b2, data]) => ({
    family: 'cu4860' as const, kind: 'cu4860-unexplained' as const, address: a, bytes: sealFrame(Buffer.from([STX, a, b2, CU4860.replyUnexplained, ...data, 0, 0])),
  })),
);

/** The CU48 0x50 firmware's frames, from its own codec. */
const cu48Frame: fc.Arbitrary<Sent> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9 }), bits(48)).map(([a, b]) => ({ family: 'cu48' as const, kind: 'cu48-status' as const, address: a, bytes: encodeCu48StatusReply(a, b) })),
  fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 0x30 }), fc.constantFrom(0x50, 0x51)).map(([a, l, c]) => ({
    family: 'cu48' as const, kind: 'cu48-request' as const, address: a, bytes: cu48Request(a, l, c),
  })),
);

/** CU16 frames, from its codec; some status replies with L1 = a 0x60-firmware command byte (the start of a frame of that firmware). */
const cu16Frame: fc.Arbitrary<Sent> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 15 }), bits(16), bits(16)).map(([b, l, i]) => ({ family: 'cu16' as const, kind: 'cu16-status' as const, address: b, bytes: encodeCu16StatusReply(b, l, i) })),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(0x60, 0x61, 0x75, 0x77), bits(8), bits(16)).map(([b, l1, l2, i]) => ({
    family: 'cu16' as const, kind: 'cu16-status' as const, address: b, bytes: encodeCu16StatusReply(b, [...byteBits(l1), ...l2], i),
  })),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x30, 0x31)).map(([a, c]) => ({ family: 'cu16' as const, kind: 'cu16-request' as const, address: a >> 4, bytes: cu16Request(a, c) })),
);

const anyFrame = fc.oneof(cu4860Frame, cu48Frame, cu16Frame);

/** Line noise between frames: anything but a start byte. */
const noise = fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u.filter((b) => b !== STX)));

const familyOf = (f: AnyFrame): Family => (f.kind.startsWith('cu4860') ? 'cu4860' : f.kind.startsWith('cu48') ? 'cu48' : 'cu16');
const summary = (f: AnyFrame) => ({ family: familyOf(f), kind: f.kind, address: f.address, hex: f.raw.toString('hex') });
const expected = (s: Sent) => ({ family: s.family, kind: s.kind, address: s.address, hex: s.bytes.toString('hex') });

function decodeAll(chunks: readonly Uint8Array[], specs = busSpecs) {
  const d = new FrameDecoder<AnyFrame>(specs);
  const frames: ReturnType<typeof summary>[] = [];
  let maxPending = 0;
  for (const c of chunks) {
    frames.push(...d.feed(c).map(summary));
    maxPending = Math.max(maxPending, d.pending);
  }
  return { frames, discarded: d.discardedBytes, maxPending };
}

describe('Kerong CU48 0x60 firmware: round trips', () => {
  it('every status and unlock request decodes as a request to its board, with its lock', () => {
    fc.assert(
      fc.property(address, fc.integer({ min: 1, max: CU4860.locks }), (a, lock) => {
        const d = new FrameDecoder<Cu4860Frame>(cu4860Specs);
        expect(d.feed(Buffer.concat([encodeCu4860Status(a), encodeCu4860Unlock(a, lock)]))).toMatchObject([
          { kind: 'cu4860-request', address: a, lockByte: 0, command: CU4860.cmdStatus },
          { kind: 'cu4860-request', address: a, lockByte: lock - 1, command: CU4860.cmdUnlock },
        ]);
        expect(d.discardedBytes).toBe(0);
      }),
      { numRuns },
    );
  });

  it('a status reply built from lock states through any layout decodes, through the same layout, to those states', () => {
    fc.assert(
      fc.property(stateReply, (r) => {
        expect(r.bytes).toHaveLength(CU4860.replyLength);
        const [f] = new FrameDecoder<Cu4860Frame>(cu4860Specs).feed(r.bytes);
        if (f?.kind !== 'cu4860-status') throw new Error('not a status reply');
        expect(f.address).toBe(r.address);
        expect(decodeCu4860Data(f.data, r.layout)).toEqual(r.state);
      }),
      { numRuns },
    );
  });

  it('any twelve data bytes, read through a layout that reads both halves, are written back the same', () => {
    fc.assert(
      fc.property(anyAddressByte, fc.uint8Array({ minLength: 12, maxLength: 12 }), layoutWithSensors, (a, data, l) => {
        const frame = sealFrame(Buffer.from([STX, a, 0, CU4860.replyStatus, ...data, 0, 0]));
        const [f] = new FrameDecoder<Cu4860Frame>(cu4860Specs).feed(frame);
        if (f?.kind !== 'cu4860-status') throw new Error('not a status reply');
        expect(encodeCu4860StatusReply(a, decodeCu4860Data(f.data, l), l).toString('hex')).toBe(frame.toString('hex'));
      }),
      { numRuns },
    );
  });
});

describe('Kerong CU48 0x60 firmware: the decoder, on a bus with the CU48 0x50 firmware and the CU16', () => {
  it('never throws on any byte stream, and holds less than one frame between chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), (chunks) => {
        expect(decodeAll(chunks).maxPending).toBeLessThan(longestFrame);
      }),
      { numRuns },
    );
  });

  it('every frame comes out as its own family\'s, with its own address, whatever noise lies between; the noise is counted', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, anyFrame), { minLength: 1, maxLength: 12 }), noise, (pairs, tail) => {
        const r = decodeAll([Buffer.concat([...pairs.flatMap(([n, f]) => [n, f.bytes]), tail])]);
        expect(r.frames).toEqual(pairs.map(([, f]) => expected(f)));
        expect(r.discarded).toBe(pairs.reduce((s, [n]) => s + n.length, 0) + tail.length);
      }),
      { numRuns },
    );
  });

  it('splitting the same stream into random chunks gives the same frames and the same discards', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyFrame.map((f) => f.bytes), fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u))), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (parts, cuts) => {
          expectChunkingIrrelevant(Buffer.concat(parts), cuts, (chunks) => decodeAll(chunks));
        },
      ),
      { numRuns },
    );
  });

  it('the 0x50 and 0x60 firmwares\' frames are told apart whichever family\'s specs come first (disjoint command bytes)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, fc.oneof(cu4860Frame, cu48Frame)), { minLength: 1, maxLength: 12 }), fc.boolean(), (pairs, cu4860First) => {
        const specs = cu4860First ? [...cu4860Specs, ...cu48Specs] : [...cu48Specs, ...cu4860Specs];
        const r = decodeAll([Buffer.concat(pairs.flatMap(([n, f]) => [n, f.bytes]))], specs);
        expect(r.frames).toEqual(pairs.map(([, f]) => expected(f)));
      }),
      { numRuns },
    );
  });

  /**
   * A frame with one byte corrupted, fed to a bus's decoder: nothing as long as the frame comes out (only a shorter
   * frame carried in its data bytes may), and every byte is accounted for. Returns the decoder, reset as the bus
   * resets it before each request, so a torn frame cannot join the next reply.
   */
  function expectCorruptedNotDecoded(corrupted: Buffer): FrameDecoder<AnyFrame> {
    const d = new FrameDecoder<AnyFrame>(busSpecs);
    const out = d.feed(corrupted);
    d.reset();
    expect(out.every((f) => f.raw.length < corrupted.length)).toBe(true);
    expect(d.discardedBytes + out.reduce((s, f) => s + f.raw.length, 0)).toBe(corrupted.length);
    return d;
  }

  it('a corrupted 0x60-firmware frame is never decoded, under its address or another; its bytes are counted, and the next frame comes out', () => {
    fc.assert(
      fc.property(cu4860Frame, fc.nat(), fc.integer({ min: 1, max: 255 }), anyFrame, (bad, at, flip, good) => {
        const d = expectCorruptedNotDecoded(corruptOne(bad.bytes, at, flip));
        expect(d.feed(good.bytes).map(summary)).toEqual([expected(good)]);
      }),
      { numRuns },
    );
  });

  it('a CU48 0x50-firmware or CU16 frame, corrupted, is never decoded (as a 0x60-firmware frame or its own); its bytes are counted', () => {
    fc.assert(
      fc.property(fc.oneof(cu48Frame, cu16Frame), fc.nat(), fc.integer({ min: 1, max: 255 }), (bad, at, flip) => {
        expectCorruptedNotDecoded(corruptOne(bad.bytes, at, flip));
      }),
      { numRuns },
    );
  });

  it('a truncated 0x60-firmware frame gives nothing; the reset before the next request drops and counts it, and the next frame comes out', () => {
    fc.assert(
      fc.property(cu4860Structured, fc.nat(), noise, anyFrame, (sent, cut, n, good) => {
        const torn = sent.bytes.subarray(0, 1 + (cut % (sent.bytes.length - 1)));
        const d = new FrameDecoder<AnyFrame>(busSpecs);
        const discards: Buffer[] = [];
        d.on('discard', (x: { bytes: Buffer }) => discards.push(x.bytes));
        expect(d.feed(Buffer.concat([n, torn]))).toEqual([]);
        d.reset();
        expect(d.discardedBytes).toBe(n.length + torn.length);
        expect(Buffer.concat(discards).toString('hex')).toBe(Buffer.concat([n, torn]).toString('hex'));
        expect(d.feed(good.bytes).map(summary)).toEqual([expected(good)]);
        expect(d.pending).toBe(0);
      }),
      { numRuns },
    );
  });
});
