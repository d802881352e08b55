import { expect } from 'vitest';

/** Cuts a buffer at the given points (taken modulo its length + 1): how a serial port may hand a stream over. */
export function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** A copy of `buf` with one byte (index `at` modulo the length) XORed with `flip` (1-255): a single-byte line error. */
export function corruptOne(buf: Uint8Array, at: number, flip: number): Buffer {
  const out = Buffer.from(buf);
  const i = at % out.length;
  out[i] = out[i]! ^ flip;
  return out;
}

/** Decoding `stream` whole and cut at `cuts` gives the same frames and discards. */
export function expectChunkingIrrelevant(stream: Buffer, cuts: number[], decodeAll: (chunks: readonly Buffer[]) => { frames: unknown; discarded: number }): void {
  const whole = decodeAll([stream]);
  const chunked = decodeAll(split(stream, cuts));
  expect(chunked.frames).toEqual(whole.frames);
  expect(chunked.discarded).toBe(whole.discarded);
}
