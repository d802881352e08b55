import { split } from '../../helpers/byte-stream.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder } from '../../../hardware/protocols/frame-decoder.js';
import * as codec from '../../../hardware/protocols/xor-8a/codec.js';
import {
  XOR_8A, encodeXorReadAll, encodeXorStatusReply, encodeXorUnlock, encodeXorUnlockAnswer, xorChannelBits, xorEchoWindowMs, xorSpecs,
  xorUnlockReplyRole, type XorFrame,
} from '../../../hardware/protocols/xor-8a/codec.js';

/** At least 10,000 runs, as for the Kerong decoder; a developer may ask for more. */
const numRuns = Math.max(10_000, Number(process.env.PROPERTY_RUNS ?? 0));

const START_BYTES = [0x80, 0x8a, 0x9a, 0x9b];
const decoder = (n: number): FrameDecoder<XorFrame> => new FrameDecoder<XorFrame>([...xorSpecs(n)]);
const address = fc.integer({ min: XOR_8A.minAddress, max: XOR_8A.maxAddress });
const channel = fc.integer({ min: 1, max: XOR_8A.maxLocks });
const statusBytes = fc.constantFrom(2, 3, 4);
/** Bytes that matter to this family (headers, function codes, states, BCCs of board 1) alongside any byte. */
const tricky = fc.oneof(
  fc.constantFrom(0x00, 0x01, 0x11, 0x18, 0x1f, 0x33, 0x80, 0x8a, 0x90, 0x9a, 0x9b, 0xb2, 0xb3, 0xff),
  fc.integer({ min: 0, max: 0x1f }),
  fc.integer({ min: 0, max: 0xff }),
);

interface Valid {
  readonly bytes: Buffer;
  /** What the decoder must say of it. */
  readonly expect: Record<string, unknown>;
  readonly address: number;
  /** The channel bits a status reply carries (index 0 = channel 1). */
  readonly bits?: number[];
}

/** Status data as raw bits: uniform, or (with `dataByte`) built from chosen bytes. */
function validFrame(n: number, dataByte: fc.Arbitrary<number> = fc.integer({ min: 0, max: 255 })): fc.Arbitrary<Valid> {
  return fc.oneof(
    fc.tuple(address, channel).map(([a, c]): Valid => ({ bytes: encodeXorUnlock(a, c), address: a, expect: { kind: 'xor-request', command: 'unlock', address: a, channel: c } })),
    address.map((a): Valid => ({ bytes: encodeXorReadAll(a), address: a, expect: { kind: 'xor-request', command: 'read-all', address: a } })),
    fc.tuple(address, channel).map(([a, c]): Valid => ({ bytes: encodeXorUnlockAnswer(a, c, 0x00), address: a, expect: { kind: 'xor-unlock-answer', address: a, channel: c, state: 0 } })),
    // STATE 11: the request's bytes, decoded as the request (the bus tells them apart by timing)
    fc.tuple(address, channel).map(([a, c]): Valid => ({ bytes: encodeXorUnlockAnswer(a, c, 0x11), address: a, expect: { kind: 'xor-request', command: 'unlock', address: a, channel: c } })),
    fc.tuple(address, fc.array(dataByte, { minLength: n, maxLength: n })).map(([a, data]): Valid => {
      const bits = xorChannelBits(Uint8Array.from(data), n * 8);
      return { bytes: encodeXorStatusReply(a, bits, n), address: a, bits, expect: { kind: 'xor-status', address: a } };
    }),
  );
}

/**
 * Line noise: no start byte, and no 0x33 (a read-all request followed by `33 33` is a whole 3-byte reply: the
 * documented prefix case, tested in xor-8a.test.ts).
 */
const noise = fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u.filter((b) => !START_BYTES.includes(b) && b !== 0x33)));

describe('xor-8a decoder properties', () => {
  it('decode(encode(x)) round-trips every request, answer and status reply, for 2, 3 and 4 status bytes', () => {
    fc.assert(
      fc.property(statusBytes.chain((n) => fc.tuple(fc.constant(n), validFrame(n, tricky))), ([n, v]) => {
        const d = decoder(n);
        const out = d.feed(v.bytes);
        expect(out).toHaveLength(1);
        expect(out[0]).toMatchObject(v.expect);
        expect(out[0]!.raw.equals(v.bytes)).toBe(true);
        if (v.bits !== undefined && out[0]!.kind === 'xor-status') expect(xorChannelBits(out[0]!.data, n * 8)).toEqual(v.bits);
        expect(d.discardedBytes).toBe(0);
        expect(d.pending).toBe(0);
      }),
      { numRuns },
    );
  });

  it('never throws on any byte stream, holds less than one frame between chunks, and accounts for every byte', () => {
    fc.assert(
      fc.property(statusBytes, fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), (n, chunks) => {
        const d = decoder(n);
        let decodedBytes = 0;
        for (const c of chunks) {
          for (const f of d.feed(c)) {
            decodedBytes += f.raw.length;
            expect(codec.xorBcc(f.raw)).toBe(0); // whatever comes out checks
          }
          expect(d.pending).toBeLessThan(4 + n);
        }
        d.reset();
        expect(d.discardedBytes + decodedBytes).toBe(chunks.reduce((s, c) => s + c.length, 0));
      }),
      { numRuns },
    );
  });

  it('every valid frame comes out, whatever noise lies between frames, and the noise is counted', () => {
    fc.assert(
      fc.property(
        statusBytes.chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(noise, validFrame(n)), { minLength: 1, maxLength: 12 }), noise)),
        ([n, pairs, tail]) => {
          const d = decoder(n);
          const out = d.feed(Buffer.concat([...pairs.flatMap(([x, f]) => [x, f.bytes]), tail]));
          d.reset();
          expect(out.map((f) => f.raw.toString('hex'))).toEqual(pairs.map(([, f]) => f.bytes.toString('hex')));
          pairs.forEach(([, f], i) => expect(out[i]).toMatchObject(f.expect));
          expect(d.discardedBytes).toBe(pairs.reduce((s, [x]) => s + x.length, 0) + tail.length);
        },
      ),
      { numRuns },
    );
  });

  it('splitting the same stream into random chunks gives the same frames and the same discards', () => {
    // Status data uniform: a reply whose first five bytes check as a read-all request (data 00 33 B3^ADDR) is
    // cut by where the chunks fall (documented in the codec); with uniform data that is a 2^-24 event.
    fc.assert(
      fc.property(
        statusBytes.chain((n) => fc.tuple(fc.constant(n), fc.array(fc.oneof(validFrame(n).map((v) => v.bytes), noise), { maxLength: 12 }))),
        fc.array(fc.nat(), { maxLength: 20 }),
        ([n, parts], cuts) => {
          const stream = Buffer.concat(parts);
          const whole = decoder(n);
          const wholeOut = whole.feed(stream).map((f) => f.raw.toString('hex'));
          whole.reset();
          const chunked = decoder(n);
          const chunkedOut = split(stream, cuts).flatMap((c) => chunked.feed(c).map((f) => f.raw.toString('hex')));
          chunked.reset();
          expect(chunkedOut).toEqual(wholeOut);
          expect(chunked.discardedBytes).toBe(whole.discardedBytes);
        },
      ),
      { numRuns },
    );
  });

  it('a truncated or corrupted frame is discarded and counted, never read as a status or as another board’s answer', () => {
    const damaged = statusBytes.chain((n) =>
      fc.tuple(
        fc.constant(n),
        validFrame(n, tricky),
        fc.oneof(
          fc.record({ truncateTo: fc.nat() }),
          fc.record({ at: fc.nat(), to: tricky }),
        ),
        validFrame(n),
      ),
    );
    fc.assert(
      fc.property(damaged, ([n, v, how, next]) => {
        const bad = Buffer.from(v.bytes);
        let broken: Buffer;
        if ('truncateTo' in how) {
          broken = bad.subarray(0, how.truncateTo % bad.length); // 0 .. length-1 bytes
        } else {
          const i = how.at % bad.length;
          fc.pre(bad[i] !== how.to);
          bad[i] = how.to;
          broken = bad;
        }
        const d = decoder(n);
        const out = d.feed(broken);
        d.reset();
        // Every byte is accounted for: discarded (and reported), or part of a frame that checks.
        expect(d.discardedBytes + out.reduce((s, f) => s + f.raw.length, 0)).toBe(broken.length);
        // The damaged frame itself never comes out, and no status can be cut from inside one frame.
        expect(out.some((f) => f.raw.length === v.bytes.length)).toBe(false);
        expect(out.some((f) => f.kind === 'xor-status')).toBe(false);
        // Nothing of another address, except what the codec header documents as the one-byte XOR's limit: a
        // 5-byte frame cut from inside a damaged status reply: with 3 status bytes only a read-all request,
        // with 2 none at all; never an unlock request, unlock answer or forbidden frame with N ≤ 3.
        const foreign = out.filter((f) => f.address !== v.address);
        if (v.bytes.length === 5 || n === 2 || 'truncateTo' in how) expect(foreign).toEqual([]);
        else if (n === 3) expect(foreign.every((f) => f.kind === 'xor-request' && f.command === 'read-all')).toBe(true);
        else expect(foreign.every((f) => f.raw.length === 5)).toBe(true);
        // The bus resets the decoder before each request: the next frame comes out whole.
        expect(d.feed(next.bytes)).toMatchObject([next.expect]);
      }),
      { numRuns },
    );
  });

  it('an unlock’s echo and its answer are told apart by the echo window, whatever the answer’s STATE', () => {
    fc.assert(
      fc.property(
        address, channel, fc.constantFrom<codec.XorUnlockState>(0x00, 0x11), fc.boolean(),
        fc.integer({ min: 0, max: xorEchoWindowMs() }), fc.integer({ min: xorEchoWindowMs() + 1, max: 5_000 }),
        (a, c, state, echoes, echoAt, answerAt) => {
          const request = encodeXorUnlock(a, c);
          const heard = decoder(3).feed(Buffer.concat([...(echoes ? [request] : []), encodeXorUnlockAnswer(a, c, state)]));
          let echoSeen = false;
          const roles = heard.map((f, i) => {
            const at = echoes && i === 0 ? echoAt : answerAt;
            const r = xorUnlockReplyRole(f, { address: a, channel: c }, { sinceWriteMs: at, echoSeen });
            if (r.role === 'echo') echoSeen = true;
            return r;
          });
          expect(roles).toEqual([...(echoes ? [{ role: 'echo' }] : []), { role: 'answer', state }]);
        },
      ),
      { numRuns },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// "Open all" is never built (issue 17; research §2.7): `8A ADDR 00 11`, and headers 0x90 / 0x9A / 0x9B.

/** An open-all, multi-open or long-power frame, in any shape a bug could give it. */
function isForbidden(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  if (b[0] === 0x90 || b[0] === 0x9a || b[0] === 0x9b) return true; // any length: 0x90's layout is undocumented
  if (b[0] === XOR_8A.headerUnlock && b[2] === 0x00) return true; // unlock header with channel byte 0
  return b.length === 5 && b[2] === 0x00 && b[3] === XOR_8A.fnUnlock; // a request-sized frame: channel 0, command 11
}

/** Every byte array inside a value (a returned frame, an array of them, an object holding one). */
function bytesIn(x: unknown, depth = 0): Uint8Array[] {
  if (x instanceof Uint8Array) return [x];
  if (depth > 3 || x === null || typeof x !== 'object') return [];
  return Object.values(x as Record<string, unknown>).flatMap((v) => bytesIn(v, depth + 1));
}

/** Any integer (the whole safe range, and near the edges), non-integers, and the values that matter here. */
const anyInteger = fc.oneof(
  fc.integer({ min: -2, max: 40 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, 1, 8, 16, 24, 25, 31, 32, 0x11, 0x33, 0x80, 0x8a, 0x90, 0x9a, 0x9b, 0xff, 0x100, -1, -0),
);
const anyNumber = fc.oneof(anyInteger, fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5, 1.5));
const frameLike = fc.record({
  kind: fc.constantFrom('xor-status', 'xor-request', 'xor-unlock-answer', 'xor-forbidden', 'cu48-status'),
  command: fc.constantFrom('unlock', 'read-all', 'open-all'),
  address: anyNumber,
  channel: anyNumber,
  state: anyNumber,
  raw: fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)),
  data: fc.uint8Array({ maxLength: 5 }).map((u) => Buffer.from(u)),
});
/** Weighted towards small integers, so the fuzzing reaches the encoders' frames and not only their refusals. */
const anyArg: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1, max: 33 }) },
  { weight: 2, arbitrary: fc.constantFrom(0x00, 0x11, 8, 16, 24, 2, 3, 4) },
  { weight: 2, arbitrary: anyNumber },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(anyInteger, { maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 10 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, true, false, '0', '1', 'open-all', [], {}) },
  { weight: 1, arbitrary: frameLike },
  { weight: 1, arbitrary: fc.record({ address: anyNumber, channel: anyNumber }) },
  { weight: 1, arbitrary: fc.record({ sinceWriteMs: anyNumber, echoSeen: fc.boolean(), baudRate: anyNumber }) },
);

/** The module's function exports, listed so that a new one is a conscious addition to this proof. */
const FUNCTION_EXPORTS = [
  'encodeXorReadAll', 'encodeXorStatusReply', 'encodeXorUnlock', 'encodeXorUnlockAnswer', 'isXorAddress', 'isXorStatusOf',
  'xorAnswerLatched', 'xorBcc', 'xorChannelBits', 'xorEchoWindowMs', 'xorLatched', 'xorSpecs', 'xorStatusReplySpec', 'xorUnlockReplyRole',
];
type AnyFunction = (...args: unknown[]) => unknown;
const functions: [string, AnyFunction][] = Object.entries(codec as Record<string, unknown>).flatMap(([name, v]) =>
  typeof v === 'function' ? [[name, v as AnyFunction] as [string, AnyFunction]] : [],
);

describe('no function of the xor-8a codec can build "open all" or a 0x90/0x9A/0x9B frame', () => {
  it('the encoders refuse channel 0 and address 0 for every other argument, the ADDR/CH swap included', () => {
    // unlock board 0 channel 1 (8A 00 01 11 9A) and its swap, open-all board 1 (8A 01 00 11 9A), share their BCC
    expect(() => encodeXorUnlock(0, 1)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, 0)).toThrow(RangeError);
    fc.assert(
      fc.property(anyInteger, anyInteger, fc.option(anyInteger, { nil: undefined }), (a, c, locks) => {
        for (const [x, y] of [[a, c], [c, a]] as const) {
          let f: Buffer;
          try {
            f = encodeXorUnlock(x, y, locks);
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            continue;
          }
          // Only ever the unlock shape, for a board 1-31 and a channel 1..locks.
          expect(isForbidden(f)).toBe(false);
          expect([...f.subarray(0, 4)]).toEqual([0x8a, x, y, 0x11]);
          expect(x >= 1 && x <= 31 && y >= 1 && y <= (locks ?? 24)).toBe(true);
          expect(codec.xorBcc(f)).toBe(0);
        }
        expect(() => encodeXorUnlock(a, 0, locks)).toThrow(RangeError);
        expect(() => encodeXorUnlock(0, c, locks)).toThrow(RangeError);
      }),
      { numRuns },
    );
  });

  it('the read-all encoder only ever builds 80 ADDR 00 33 BCC', () => {
    fc.assert(
      fc.property(anyNumber, (a) => {
        try {
          const f = encodeXorReadAll(a);
          expect([...f]).toEqual([0x80, a, 0x00, 0x33, 0xb3 ^ a]);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns },
    );
  });

  it('the module exports exactly the functions this proof exercises', () => {
    expect(functions.map(([name]) => name).sort()).toEqual([...FUNCTION_EXPORTS].sort());
  });

  // Over what the module really exports (not the list above), so a new function is fuzzed even before it is listed.
  it.each(functions.map(([name]) => name))('%s, called with any arguments, returns no forbidden frame', (name) => {
    const fn = functions.find(([n]) => n === name)![1];
    let built = 0;
    fc.assert(
      fc.property(fc.oneof(fc.array(anyArg, { minLength: fn.length, maxLength: fn.length + 1 }), fc.array(anyArg, { maxLength: 5 })), (args) => {
        let result: unknown;
        try {
          result = fn(...args);
        } catch {
          return; // refused
        }
        for (const b of bytesIn(result)) {
          built += 1;
          if (isForbidden(b)) throw new Error(`${name}(${fc.stringify(args)}) built ${Buffer.from(b).toString('hex')}`);
        }
      }),
      { numRuns },
    );
    // The fuzzing reached the encoders' frames, not only their refusals.
    if (name.startsWith('encode')) expect(built).toBeGreaterThan(10);
  });

  it('every frame the module can build, over the whole valid input space, is one of the four shapes and never forbidden', () => {
    const built: Buffer[] = [];
    for (let a = XOR_8A.minAddress; a <= XOR_8A.maxAddress; a++) {
      built.push(encodeXorReadAll(a));
      for (const locks of [8, 16, 24]) for (let c = 1; c <= locks; c++) built.push(encodeXorUnlock(a, c, locks));
      for (let c = 1; c <= 24; c++) built.push(encodeXorUnlockAnswer(a, c, 0x00), encodeXorUnlockAnswer(a, c, 0x11));
      for (const n of [2, 3, 4]) built.push(encodeXorStatusReply(a, [], n), encodeXorStatusReply(a, Array(n * 8).fill(1), n));
    }
    for (const f of built) {
      expect(isForbidden(f)).toBe(false);
      expect([0x80, 0x8a]).toContain(f[0]);
      if (f[0] === 0x8a) expect(f[2]).toBeGreaterThanOrEqual(1);
    }
  });
});
