import { Transform, type TransformCallback } from 'node:stream';

/** Every Kerong frame starts with STX and ends with ETX followed by the checksum byte. */
export const STX = 0x02;
export const ETX = 0x03;

/** Low byte of the sum of the bytes. */
export function checksum(bytes: Uint8Array, end = bytes.length): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += bytes[i]!;
  return sum & 0xff;
}

/** Writes ETX and the checksum into the last two bytes of a frame built in place; returns the frame. */
export function sealFrame(f: Buffer): Buffer {
  f[f.length - 2] = ETX;
  f[f.length - 1] = checksum(f, f.length - 1);
  return f;
}

/** STX … ETX SUM with SUM over everything before it: the frame shape shared by CU48 and CU16. */
export function isWellFormed(frame: Uint8Array): boolean {
  const n = frame.length;
  return n >= 4 && frame[0] === STX && frame[n - 2] === ETX && frame[n - 1] === checksum(frame, n - 1);
}

/**
 * One kind of frame a decoder can recognise. Kerong frames have no length byte: the length follows from a
 * command byte at a fixed position, so a spec looks at the first `probeLength` bytes and names the length.
 * A family without STX/ETX framing (the XOR board, `xor-8a/codec.ts`) names its own first bytes and check.
 */
export interface FrameSpec<F> {
  readonly name: string;
  /** The bytes a frame of this kind can start with; absent: STX, as every Kerong frame. */
  readonly startBytes?: readonly number[];
  /** Bytes needed (from the start byte) before `lengthOf` can decide. */
  readonly probeLength: number;
  /** The frame's full length if the bytes could start this kind of frame, else 0. */
  lengthOf(head: Uint8Array): number;
  /** Whether a candidate of that length is a frame (framing bytes, checksum); absent: `isWellFormed`. */
  wellFormed?(frame: Uint8Array): boolean;
  /** Turns a well-formed frame of this kind into its typed form. */
  decode(frame: Buffer): F;
}

export interface Discard {
  readonly bytes: Buffer;
  readonly reason: 'no-start-byte' | 'bad-frame' | 'reset';
}

/**
 * A total frame decoder: bytes in, typed frames out. It hunts for a start byte (STX, or any byte a spec
 * names), asks each spec starting with that byte for the length, checks the frame (ETX and checksum, or the
 * spec's own check), and on any mismatch drops one byte and hunts again, so it resynchronises on
 * the next frame. It never throws; what it drops is counted and reported as a `discard` event. Between
 * chunks it holds at most one frame's worth of bytes, so its memory is bounded whatever comes in.
 */
export class FrameDecoder<F> extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private readonly maxProbe: number;
  /** `isStart[b]`: some spec's frames can start with byte b. */
  private readonly isStart: boolean[] = new Array<boolean>(256).fill(false);
  discardedBytes = 0;
  frames = 0;

  constructor(private readonly specs: readonly FrameSpec<F>[]) {
    super({ readableObjectMode: true });
    this.maxProbe = Math.max(...specs.map((s) => s.probeLength));
    for (const s of specs) for (const b of s.startBytes ?? [STX]) this.isStart[b & 0xff] = true;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const f of this.feed(chunk)) this.push(f);
    done();
  }

  /** Decodes synchronously; the same as writing to the stream, for callers that do not need one. */
  feed(chunk: Uint8Array): F[] {
    const out: F[] = [];
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const start = this.startIndex();
      if (start < 0) {
        this.discard(this.buf.length, 'no-start-byte');
        break;
      }
      if (start > 0) this.discard(start, 'no-start-byte');
      const step = this.tryFrame();
      if (step === 'wait') break;
      if (step === 'bad') {
        this.discard(1, 'bad-frame');
        continue;
      }
      out.push(step.frame);
      this.frames += 1;
      this.buf = this.buf.subarray(step.length);
    }
    return out;
  }

  /** Throws away any partial frame (e.g. before a new request, so stale bytes cannot join a reply). */
  reset(): void {
    if (this.buf.length > 0) this.discard(this.buf.length, 'reset');
  }

  /** Index of the first byte that can start a frame, or -1. */
  private startIndex(): number {
    for (let i = 0; i < this.buf.length; i++) if (this.isStart[this.buf[i]!]) return i;
    return -1;
  }

  private tryFrame(): 'wait' | 'bad' | { frame: F; length: number } {
    let waiting = false;
    for (const spec of this.specs) {
      if (!(spec.startBytes ?? [STX]).includes(this.buf[0]!)) continue;
      if (this.buf.length < spec.probeLength) {
        waiting = true;
        continue;
      }
      const length = spec.lengthOf(this.buf);
      if (length === 0) continue;
      if (this.buf.length < length) {
        waiting = true;
        continue;
      }
      const candidate = this.buf.subarray(0, length);
      if ((spec.wellFormed ?? isWellFormed)(candidate)) return { frame: spec.decode(Buffer.from(candidate)), length };
    }
    // Bounded: a spec waits only while fewer bytes than its probe or frame length are held.
    return waiting && this.buf.length < Math.max(this.maxProbe, 64) ? 'wait' : 'bad';
  }

  private discard(n: number, reason: Discard['reason']): void {
    if (n === 0) return; // a clean stream discards nothing, and says so by staying silent
    const bytes = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    this.discardedBytes += n;
    this.emit('discard', { bytes, reason } satisfies Discard);
  }
}
