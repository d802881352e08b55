/** Kerong boards report one bit per lock, least significant bit first: byte 0 bit 0 is lock 1. */
export function unpackBits(data: Uint8Array, count: number): number[] {
  const bits: number[] = [];
  for (let i = 0; i < count; i++) bits.push((data[i >> 3]! >> (i & 7)) & 1);
  return bits;
}

/** Writes `bits` into `frame` from byte `offset` on, in the same order. */
export function packBits(frame: Uint8Array, offset: number, bits: readonly number[]): void {
  bits.forEach((b, i) => {
    if (b !== 0) frame[offset + (i >> 3)]! |= 1 << (i & 7);
  });
}
