import { describe, expect, it } from 'vitest';
import {
  CU48, cu48Bits, cu48Request, encodeCu48Status, encodeCu48StatusReply, encodeCu48Unlock,
} from '../../../hardware/protocols/kerong-cu48/codec.js';
import { cu16Bits, encodeCu16Status, encodeCu16StatusReply, encodeCu16Unlock } from '../../../hardware/protocols/kerong-cu16/codec.js';
import { createDecoder } from '../../../hardware/protocols/index.js';

/** The golden bytes of DESIGN.md section 4. */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Kerong CU48 golden bytes (vendor document v2.1)', () => {
  it.each([
    ['status, board 0', () => encodeCu48Status(0), '02 00 00 50 03 55'],
    ['status, broadcast', () => encodeCu48Status(CU48.broadcast), '02 0A 00 50 03 5F'],
    ['unlock board 0 lock 1', () => encodeCu48Unlock(0, 1), '02 00 00 51 03 56'],
    ['unlock board 0 lock 6', () => encodeCu48Unlock(0, 6), '02 00 05 51 03 5B'],
    ['unlock board 1 lock 48', () => encodeCu48Unlock(1, 48), '02 01 2F 51 03 86'],
    ['all locks board 0 (generic frame; no program path builds it)', () => cu48Request(0, CU48.allLocks, CU48.cmdUnlock), '02 00 30 51 03 86'],
  ])('encodes %s', (_name, build, golden) => {
    expect(build().toString('hex')).toBe(hex(golden).toString('hex'));
  });

  it('decodes the golden status reply: locks 1, 2, 3, 47 and 48 set', () => {
    const frames = createDecoder(['kerong-cu48']).feed(hex('02 00 00 65 07 00 00 00 00 C0 03 31'));
    expect(frames).toHaveLength(1);
    const f = frames[0]!;
    expect(f.kind).toBe('cu48-status');
    if (f.kind !== 'cu48-status') return;
    expect(f.address).toBe(0);
    const set = cu48Bits(f.data).flatMap((b, i) => (b === 1 ? [i + 1] : []));
    expect(set).toEqual([1, 2, 3, 47, 48]);
  });

  it('encodes that same reply from lock bits (the simulated board’s side)', () => {
    const bits = Array.from({ length: 48 }, (_, i) => ([1, 2, 3, 47, 48].includes(i + 1) ? 1 : 0));
    expect(encodeCu48StatusReply(0, bits).toString('hex')).toBe(hex('02 00 00 65 07 00 00 00 00 C0 03 31').toString('hex'));
  });

  it('decodes golden requests as requests (echo and simulated-board side)', () => {
    const frames = createDecoder(['kerong-cu48']).feed(hex('02 00 00 50 03 55 02 01 2F 51 03 86'));
    expect(frames).toMatchObject([
      { kind: 'cu48-request', address: 0, lockByte: 0, command: 0x50 },
      { kind: 'cu48-request', address: 1, lockByte: 0x2f, command: 0x51 },
    ]);
  });

  it('refuses locks and addresses outside the board', () => {
    expect(() => encodeCu48Unlock(0, 0)).toThrow(RangeError);
    expect(() => encodeCu48Unlock(0, 49)).toThrow(RangeError);
    expect(() => encodeCu48Unlock(0, 1.5)).toThrow(RangeError);
    expect(() => encodeCu48Unlock(CU48.broadcast, 1)).toThrow(RangeError);
    expect(() => encodeCu48Status(11)).toThrow(RangeError);
  });
});

describe('Kerong CU16 golden bytes (six drivers agree)', () => {
  it.each([
    ['status, board 0', () => encodeCu16Status(0), '02 00 30 03 35'],
    ['status, board 1', () => encodeCu16Status(1), '02 10 30 03 45'],
    ['unlock board 0 lock 1', () => encodeCu16Unlock(0, 1), '02 00 31 03 36'],
    ['unlock board 1 lock 3', () => encodeCu16Unlock(1, 3), '02 12 31 03 48'],
  ])('encodes %s', (_name, build, golden) => {
    expect(build().toString('hex')).toBe(hex(golden).toString('hex'));
  });

  it('decodes a status reply with lock and item-sensor bits', () => {
    const reply = encodeCu16StatusReply(1, [1, 0, 1, ...Array(12).fill(0), 1], [0, 1]);
    expect(reply.length).toBe(9);
    expect(reply.subarray(0, 3).toString('hex')).toBe('021035');
    const [f] = createDecoder(['kerong-cu16']).feed(reply);
    expect(f).toMatchObject({ kind: 'cu16-status', address: 1 });
    if (f?.kind !== 'cu16-status') throw new Error('not a status');
    expect(cu16Bits(f.data).flatMap((b, i) => (b === 1 ? [i + 1] : []))).toEqual([1, 3, 16]);
    expect(f.items[0]).toBe(0b10);
  });

  it('decodes golden requests as requests', () => {
    expect(createDecoder(['kerong-cu16']).feed(hex('02 12 31 03 48'))).toMatchObject([
      { kind: 'cu16-request', address: 1, lockIndex: 2, command: 0x31 },
    ]);
  });

  it('keeps the whole address byte of a 0x35 frame: 02 12 35 … is board 1 lock 3 (an unlock\'s answer), 02 10 35 … board 1\'s status', () => {
    const d = createDecoder(['kerong-cu16']);
    const answer = Buffer.from(encodeCu16StatusReply(1, [])); // 02 10 35 00 00 00 00 03 4A
    answer[1] = 0x12;
    answer[8] = (answer[8]! + 2) & 0xff;
    expect(d.feed(Buffer.concat([answer, encodeCu16StatusReply(1, [])]))).toMatchObject([
      { kind: 'cu16-status', address: 1, lockIndex: 2, addressByte: 0x12 },
      { kind: 'cu16-status', address: 1, lockIndex: 0, addressByte: 0x10 },
    ]);
  });

  it('refuses locks and boards outside the range', () => {
    expect(() => encodeCu16Unlock(0, 17)).toThrow(RangeError);
    expect(() => encodeCu16Unlock(16, 1)).toThrow(RangeError);
  });

  it('refuses board 15, the broadcast address (0xF0 reaches every CU16), for unlock and status', () => {
    expect(() => encodeCu16Unlock(15, 1)).toThrow(/broadcast/);
    expect(() => encodeCu16Unlock(15, 16)).toThrow(RangeError);
    expect(() => encodeCu16Status(15)).toThrow(RangeError);
    expect(encodeCu16Unlock(14, 16).toString('hex')).toBe(hex('02 EF 31 03 25').toString('hex'));
    expect(encodeCu16Status(14).toString('hex')).toBe(hex('02 E0 30 03 15').toString('hex'));
  });
});

describe('the other CU48 firmware (requests 0x60/0x61, 18-byte 0x75 replies) on a bus configured for the 0x50 one', () => {
  it('decodes its frames as that family\'s, with their address, not as garbage (so a misconfigured board is named)', () => {
    const d = createDecoder(['kerong-cu48', 'kerong-cu16']);
    const stream = Buffer.concat([
      hex('02 03 00 60 03 68'), // status request, board 3
      hex('02 03 04 61 03 6D'), // unlock request, board 3 lock 5
      hex('02 03 00 75 05 00 00 00 00 80 00 00 00 00 00 00 03 02'), // status reply, board 3
      hex('02 00 00 65 07 00 00 00 00 C0 03 31'), // and a CU48 status reply of ours right after
    ]);
    expect(d.feed(stream)).toMatchObject([
      { kind: 'cu4860-request', address: 3, command: 0x60 },
      { kind: 'cu4860-request', address: 3, command: 0x61, lockByte: 4 },
      { kind: 'cu4860-status', address: 3 },
      { kind: 'cu48-status', address: 0 },
    ]);
    expect(d.discardedBytes).toBe(0);
  });

  it('a torn or corrupted 0x75 reply is still discarded', () => {
    const d = createDecoder(['kerong-cu48']);
    expect(d.feed(hex('02 03 00 75 05 00 00 00 00 80 00 00 00 00 00 00 03 03'))).toEqual([]);
    expect(d.discardedBytes).toBe(18);
  });
});

describe('a bus with both families', () => {
  it('cuts CU48 and CU16 frames from one stream', () => {
    const d = createDecoder(['kerong-cu48', 'kerong-cu16']);
    const stream = Buffer.concat([
      hex('02 00 00 65 07 00 00 00 00 C0 03 31'), hex('02 10 30 03 45'), encodeCu16StatusReply(1, [1]), hex('02 00 30 51 03 86'),
    ]);
    expect(d.feed(stream).map((f) => f.kind)).toEqual(['cu48-status', 'cu16-request', 'cu16-status', 'cu48-request']);
    expect(d.discardedBytes).toBe(0);
  });
});
