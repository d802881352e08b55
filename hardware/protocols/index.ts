import { FrameDecoder, type FrameSpec } from './frame-decoder.js';
import { cu16Specs, type Cu16Frame } from './kerong-cu16/codec.js';
import { cu48Specs, type Cu48Frame } from './kerong-cu48/codec.js';

export type BoardProtocol = 'kerong-cu48' | 'kerong-cu16';

/** Every frame any supported board family can put on the bus. */
export type BusFrame = Cu48Frame | Cu16Frame;

const specsByProtocol: Record<BoardProtocol, readonly FrameSpec<BusFrame>[]> = {
  'kerong-cu48': cu48Specs,
  'kerong-cu16': cu16Specs,
};

/** A decoder for one family, or for a bus that carries several (a CU48 and a CU16 on the same pair). */
export function createDecoder(protocols: Iterable<BoardProtocol>): FrameDecoder<BusFrame> {
  const specs = [...new Set(protocols)].flatMap((p) => specsByProtocol[p]);
  return new FrameDecoder<BusFrame>(specs);
}

export function isRequestFrame(f: BusFrame): boolean {
  return f.kind === 'cu48-request' || f.kind === 'cu16-request';
}
