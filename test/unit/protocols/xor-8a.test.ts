import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../../hardware/protocols/frame-decoder.js';
import {
  XOR_8A, encodeXorReadAll, encodeXorStatusReply, encodeXorUnlock, encodeXorUnlockAnswer, isXorStatusOf, xorAnswerLatched, xorBcc,
  xorChannelBits, xorEchoWindowMs, xorLatched, xorSpecs, xorStatusReplySpec, xorUnlockReplyRole, type XorFrame,
} from '../../../hardware/protocols/xor-8a/codec.js';

/**
 * Golden bytes of docs/BOARDS-RESEARCH.md §2.4, each with the source that prints it (ids as in the research's §0;
 * [I] = computed there, not printed by any source). No source's code was copied.
 */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
const decoder = (statusBytes?: number): FrameDecoder<XorFrame> => new FrameDecoder<XorFrame>([...xorSpecs(statusBytes)]);
const setChannels = (bits: readonly number[]): number[] => bits.flatMap((b, i) => (b === 1 ? [i + 1] : []));

describe('xor-8a golden requests', () => {
  it.each([
    // A5 ("transmit 8A 01 01 11 9B, unlocking channel 1 on board 1"), A13 §2, A15 开锁命令 例1, A16 commandFactory.test.ts, A18
    ['unlock board 1 channel 1', () => encodeXorUnlock(1, 1), '8A 01 01 11 9B'],
    // A2 (encodeUnlockRequest(2, 0), zero-based there), A13 §2
    ['unlock board 2 channel 1', () => encodeXorUnlock(2, 1), '8A 02 01 11 98'],
    // A15 开锁命令, second example
    ['unlock board 1 channel 2', () => encodeXorUnlock(1, 2), '8A 01 02 11 98'],
    // A3 (capture "TX 80 01 00 33 B2"), A4, A5, A10 test, A13 §3, A17
    ['read all, board 1', () => encodeXorReadAll(1), '80 01 00 33 B2'],
    // A2, A13 §3
    ['read all, board 2', () => encodeXorReadAll(2), '80 02 00 33 B1'],
    // [I] computed in §2.4
    ['unlock board 1 channel 8', () => encodeXorUnlock(1, 8, 8), '8A 01 08 11 92'],
    ['unlock board 1 channel 16', () => encodeXorUnlock(1, 16, 16), '8A 01 10 11 8A'],
    ['unlock board 1 channel 24', () => encodeXorUnlock(1, 24), '8A 01 18 11 82'],
    ['unlock board 31 channel 24', () => encodeXorUnlock(31, 24), '8A 1F 18 11 9C'],
    ['read all, board 31', () => encodeXorReadAll(31), '80 1F 00 33 AC'],
  ])('encodes %s', (_name, build, golden) => {
    expect(h(build())).toBe(golden);
  });

  it('BCC is the XOR of the bytes before it (research §2.2 worked example: 8A^01 = 8B, ^01 = 8A, ^11 = 9B)', () => {
    expect(xorBcc(hex('8A 01 01 11'))).toBe(0x9b);
    expect(xorBcc(hex('8A 01 01 11 9B'))).toBe(0); // a whole frame XORs to zero
    expect(xorBcc(hex('80 01 00 00 00 33 B2'), 6)).toBe(0xb2);
  });

  it('refuses address 0, addresses above 31, channel 0, channels past the board, and non-integers', () => {
    // [I] §2.4: unlock board 0 channel 1 would be 8A 00 01 11 9A: address 0 is in no source's range (§2.1)
    expect(() => encodeXorUnlock(0, 1)).toThrow(RangeError);
    // its ADDR/CH swap, 8A 01 00 11 9A, is open-all for board 1 (A15 §三 例1): channel 0 is refused
    expect(() => encodeXorUnlock(1, 0)).toThrow(/0 would open every lock/);
    expect(() => encodeXorUnlock(32, 1)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, 25)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, 9, 8)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, 17, 16)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, 1, 12)).toThrow(/8, 16 or 24/);
    expect(() => encodeXorUnlock(1, 1.5)).toThrow(RangeError);
    expect(() => encodeXorUnlock(1, -1)).toThrow(RangeError);
    expect(() => encodeXorUnlock(Number.NaN, 1)).toThrow(RangeError);
    expect(() => encodeXorReadAll(0)).toThrow(RangeError);
    expect(() => encodeXorReadAll(32)).toThrow(RangeError);
  });
});

describe('xor-8a golden answers', () => {
  it('decodes the captured unlock answer 8A 01 01 00 8A (A4, captured on hardware; A13 "锁为关"; A15 §五; A18)', () => {
    const d = decoder();
    expect(d.feed(hex('8A 01 01 00 8A'))).toMatchObject([{ kind: 'xor-unlock-answer', address: 1, channel: 1, state: 0x00 }]);
    expect(d.discardedBytes).toBe(0);
    expect(h(encodeXorUnlockAnswer(1, 1, 0x00))).toBe('8A 01 01 00 8A');
  });

  it('decodes board 2’s answers 8A 02 01 00 89 / 8A 02 01 11 98 (A13 §2); the 11 one has the request’s bytes', () => {
    expect(decoder().feed(hex('8A 02 01 00 89 8A 02 01 11 98'))).toMatchObject([
      { kind: 'xor-unlock-answer', address: 2, channel: 1, state: 0x00 },
      { kind: 'xor-request', command: 'unlock', address: 2, channel: 1 },
    ]);
    expect(h(encodeXorUnlockAnswer(2, 1, 0x11))).toBe(h(encodeXorUnlock(2, 1)));
  });

  it('decodes the captured read-all answer 80 01 00 00 00 33 B2: board 1, no channel set (A1, A3 "RX 80 01 00 00 00 33 B2", A4)', () => {
    const [f, ...rest] = decoder().feed(hex('80 01 00 00 00 33 B2'));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: 'xor-status', address: 1 });
    if (f?.kind !== 'xor-status') throw new Error('not a status');
    expect(h(f.data)).toBe('00 00 00');
    expect(setChannels(xorChannelBits(f.data, 24))).toEqual([]);
    expect(h(encodeXorStatusReply(1, []))).toBe('80 01 00 00 00 33 B2');
  });

  it.each([
    // A19: channel 1 set ("开") / clear ("关")
    ['channel 1 (A19)', '80 01 00 00 01 33 B3', [1]],
    // A17 docstring: "80 01 [01 01 01] 33 B3 … door 1 for all 3 groups (doors 1, 9, 17)"
    ['doors 1, 9 and 17 (A17)', '80 01 01 01 01 33 B3', [1, 9, 17]],
    // [I] §2.4: channels 1, 2, 3 and 24 set
    ['channels 1, 2, 3, 24 ([I])', '80 01 80 00 07 33 35', [1, 2, 3, 24]],
  ])('reads %s: the last status byte is channels 1-8, least significant bit first', (_name, golden, channels) => {
    const [f] = decoder(3).feed(hex(golden));
    if (f?.kind !== 'xor-status') throw new Error(`not a status: ${golden}`);
    expect(setChannels(xorChannelBits(f.data, 24))).toEqual(channels);
    const bits = Array.from({ length: 24 }, (_, i) => (channels.includes(i + 1) ? 1 : 0));
    expect(h(encodeXorStatusReply(1, bits))).toBe(golden);
  });

  it('reads the 4-status-byte reply 80 01 FF FF FF FF 33 B2 (A13 §3) only when the bus is set to 4 bytes', () => {
    const four = decoder(4);
    const [f] = four.feed(hex('80 01 FF FF FF FF 33 B2'));
    if (f?.kind !== 'xor-status') throw new Error('not a status');
    expect(setChannels(xorChannelBits(f.data, 24))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const three = decoder(3);
    expect(three.feed(hex('80 01 FF FF FF FF 33 B2'))).toEqual([]);
    expect(three.discardedBytes).toBe(8);
  });

  it('reads A2’s worked case (2 status bytes, board 2, data 05 03 → channels 1, 2, 9, 11) with statusBytes 2', () => {
    const frame = encodeXorStatusReply(2, [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1], 2);
    expect(h(frame)).toBe('80 02 05 03 33 B7'); // [I]: 80^02^05^03^33 = B7
    const [f] = decoder(2).feed(frame);
    if (f?.kind !== 'xor-status') throw new Error('not a status');
    expect(setChannels(xorChannelBits(f.data, 16))).toEqual([1, 2, 9, 11]);
  });

  it('refuses one status byte: the read-all request 80 01 00 33 B2 would then be a valid reply (research §2.8)', () => {
    expect(() => xorStatusReplySpec(1)).toThrow(RangeError);
    expect(() => xorSpecs(5)).toThrow(RangeError);
    expect(() => encodeXorStatusReply(1, [], 1)).toThrow(RangeError);
    expect(() => encodeXorStatusReply(1, Array(17).fill(0), 2)).toThrow(RangeError);
    expect(() => xorChannelBits(hex('00 00'), 24)).toThrow(RangeError);
  });
});

describe('xor-8a requests on the bus: echoes are requests, not answers (research §2.8)', () => {
  it('an echoed read-all request comes out as a request, and the reply after it as the status', () => {
    const d = decoder();
    const frames = d.feed(hex('80 01 00 33 B2 80 01 00 00 01 33 B3'));
    expect(frames).toMatchObject([{ kind: 'xor-request', command: 'read-all', address: 1 }, { kind: 'xor-status', address: 1 }]);
    expect(frames.map((f) => isXorStatusOf(f, 1))).toEqual([false, true]);
    expect(d.discardedBytes).toBe(0);
  });

  it('an echo arriving alone comes out at once (it does not wait for a reply that may never come)', () => {
    const d = decoder();
    expect(d.feed(hex('80 01 00 33 B2'))).toMatchObject([{ kind: 'xor-request', command: 'read-all' }]);
    expect(d.pending).toBe(0);
  });

  it('echo, then answer STATE 11 (same bytes): told apart by timing, as the codec header says the bus must', () => {
    const d = decoder();
    const [echo, answer] = d.feed(hex('8A 01 01 11 9B 8A 01 01 11 9B'));
    const sent = { address: 1, channel: 1 };
    const window = xorEchoWindowMs();
    expect(window).toBe(6 + XOR_8A.echoMarginMs); // 5 bytes × 10 bits at 9600 baud = 5.2 ms, rounded up
    expect(xorUnlockReplyRole(echo!, sent, { sinceWriteMs: 8, echoSeen: false })).toEqual({ role: 'echo' });
    expect(xorUnlockReplyRole(answer!, sent, { sinceWriteMs: 900, echoSeen: true })).toEqual({ role: 'answer', state: 0x11 });
    // no echo from this adapter: a copy after the window is the answer
    expect(xorUnlockReplyRole(echo!, sent, { sinceWriteMs: window + 1, echoSeen: false })).toEqual({ role: 'answer', state: 0x11 });
    // a second copy inside the window is not a second echo
    expect(xorUnlockReplyRole(echo!, sent, { sinceWriteMs: 10, echoSeen: true })).toEqual({ role: 'answer', state: 0x11 });
  });

  it('echo, then answer STATE 00: the answer is unambiguous; frames for another lock or board are "other"', () => {
    const [echo, answer] = decoder().feed(hex('8A 01 01 11 9B 8A 01 01 00 8A'));
    const sent = { address: 1, channel: 1 };
    expect(xorUnlockReplyRole(echo!, sent, { sinceWriteMs: 3, echoSeen: false })).toEqual({ role: 'echo' });
    expect(xorUnlockReplyRole(answer!, sent, { sinceWriteMs: 4, echoSeen: true })).toEqual({ role: 'answer', state: 0x00 });
    expect(xorUnlockReplyRole(answer!, { address: 1, channel: 2 }, { sinceWriteMs: 900, echoSeen: true })).toEqual({ role: 'other' });
    expect(xorUnlockReplyRole(answer!, { address: 2, channel: 1 }, { sinceWriteMs: 900, echoSeen: true })).toEqual({ role: 'other' });
    const [status] = decoder().feed(hex('80 01 00 00 00 33 B2'));
    expect(xorUnlockReplyRole(status!, sent, { sinceWriteMs: 900, echoSeen: true })).toEqual({ role: 'other' });
  });

  it('a torn echo joins the answer unless the decoder is reset after the echo window (why the header asks for it)', () => {
    // unlock board 1 channel 16: the echo loses its BCC, then the board answers 00
    const torn = hex('8A 01 10 11');
    const answer = encodeXorUnlockAnswer(1, 16, 0x00);
    const joined = decoder().feed(Buffer.concat([torn, answer]));
    expect(joined[0]).toMatchObject({ kind: 'xor-request', command: 'unlock', address: 1, channel: 16 }); // 8A 01 10 11 8A checks
    const d = decoder();
    d.feed(torn);
    d.reset();
    expect(d.feed(answer)).toMatchObject([{ kind: 'xor-unlock-answer', address: 1, channel: 16, state: 0 }]);
  });
});

describe('xor-8a: what the decoder refuses, flags, and cannot promise', () => {
  it('flags open-all frames (A15 §三 例1/例2, A17 full_open_cmd) and long power on/off (A16) as forbidden, never as requests', () => {
    const d = decoder();
    expect(d.feed(hex('8A 01 00 11 9A 8A 02 00 11 99'))).toMatchObject([
      { kind: 'xor-forbidden', what: 'open-all', address: 1, channel: 0 },
      { kind: 'xor-forbidden', what: 'open-all', address: 2, channel: 0 },
    ]);
    const power = (header: number): Buffer => {
      const f = Buffer.from([header, 0x01, 0x03, 0x11, 0]);
      f[4] = xorBcc(f, 4);
      return f;
    };
    expect(d.feed(Buffer.concat([power(0x9a), power(0x9b)]))).toMatchObject([
      { kind: 'xor-forbidden', what: 'long-power-on', address: 1, channel: 3 },
      { kind: 'xor-forbidden', what: 'long-power-off', address: 1, channel: 3 },
    ]);
    expect(d.discardedBytes).toBe(0);
  });

  it('cuts no frame of address 0 ([I] §2.4: 8A 00 01 11 9A, 8A 00 01 00 8B, 80 00 00 33 B3) nor a 0x90 frame (layout undocumented)', () => {
    const d = decoder();
    const stream = hex('8A 00 01 11 9A 8A 00 01 00 8B 80 00 00 33 B3 90 01 01 11 81');
    expect(d.feed(stream)).toEqual([]);
    d.reset();
    expect(d.discardedBytes).toBe(stream.length);
  });

  it('a bad BCC or a bad 33 marker is discarded and counted', () => {
    const d = decoder();
    expect(d.feed(hex('8A 01 01 00 8B 80 01 00 00 00 34 B5'))).toEqual([]);
    d.reset();
    expect(d.discardedBytes).toBe(12);
  });

  it('the one-byte XOR’s documented limit: a reply whose BCC was hit can hold another board’s read-all request', () => {
    // 80 01 80 05 00 33 37 is board 1's reply (channels 9, 11, 24 set); with its BCC hit (37 → B6), bytes 2-6 are
    // 80 05 00 33 B6: a valid read-all request of board 5 (read-only; the controller never acts on a request).
    const bits = Array.from({ length: 24 }, (_, i) => ([9, 11, 24].includes(i + 1) ? 1 : 0));
    expect(h(encodeXorStatusReply(1, bits))).toBe('80 01 80 05 00 33 37');
    expect(decoder().feed(hex('80 01 80 05 00 33 37'))).toMatchObject([{ kind: 'xor-status', address: 1 }]);
    const d = decoder();
    expect(d.feed(hex('80 01 80 05 00 33 B6'))).toMatchObject([{ kind: 'xor-request', command: 'read-all', address: 5 }]);
    expect(d.discardedBytes).toBe(2);
  });

  it('the documented prefix case: a read-all request followed by 33 33 is a whole 3-byte reply, and is taken as one', () => {
    expect(decoder().feed(hex('80 01 00 33 B2 33 33'))).toMatchObject([{ kind: 'xor-status', address: 1 }]);
    const d = decoder();
    expect(d.feed(hex('80 01 00 33 B2'))).toMatchObject([{ kind: 'xor-request' }]); // split after five bytes: the request
    expect(d.feed(hex('33 33'))).toEqual([]);
  });
});

describe('xor-8a channel polarity (disputed: research D3) and bit order (§2.5)', () => {
  it('maps raw bits through latchedBit, the same for status bits and unlock STATE', () => {
    const data = hex('00 00 01'); // channel 1 bit set (A19)
    expect(xorLatched(data, 8, 1)).toEqual([true, false, false, false, false, false, false, false]);
    expect(xorLatched(data, 8, 0)).toEqual([false, true, true, true, true, true, true, true]);
    // A15 §五 ("上锁短路" locks): STATE 00 = unlocked; with latchedBit 1, 00 is released and 11 latched
    expect(xorAnswerLatched(0x00, 1)).toBe(false);
    expect(xorAnswerLatched(0x11, 1)).toBe(true);
    // A13: 11 = "锁为开" (open): latchedBit 0
    expect(xorAnswerLatched(0x11, 0)).toBe(false);
  });

  it('channel c is bit (c-1)%8 of the status byte counted back from the last one', () => {
    for (let c = 1; c <= 24; c++) {
      const data = Buffer.alloc(3);
      data[2 - Math.floor((c - 1) / 8)] = 1 << ((c - 1) % 8);
      expect(setChannels(xorChannelBits(data, 24))).toEqual([c]);
    }
  });
});
