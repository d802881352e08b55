import { FrameDecoder, type FrameSpec } from './frame-decoder.js';
import { cu16Specs, type Cu16Frame } from './kerong-cu16/codec.js';
import { cu48Specs, type Cu48Frame } from './kerong-cu48/codec.js';
import { unsupportedSpecs, type UnsupportedFrame } from './kerong-cu48/other-firmware.js';

export type BoardProtocol = 'kerong-cu48' | 'kerong-cu16';

/** Every frame that can be cut from the bus: each supported family's, and those of a command set we only recognise. */
export type BusFrame = Cu48Frame | Cu16Frame | UnsupportedFrame;

const specsByProtocol: Record<BoardProtocol, readonly FrameSpec<BusFrame>[]> = {
  'kerong-cu48': cu48Specs,
  'kerong-cu16': cu16Specs,
};

/**
 * A decoder for one family, or for a bus that carries several (a CU48 and a CU16 on the same pair). The
 * unsupported command sets come last whatever the families: a board with the wrong firmware may sit at any
 * configured address, and a frame of ours must never be read as one of theirs.
 */
export function createDecoder(protocols: Iterable<BoardProtocol>): FrameDecoder<BusFrame> {
  const specs = [...new Set(protocols)].flatMap((p) => specsByProtocol[p]);
  return new FrameDecoder<BusFrame>([...specs, ...unsupportedSpecs]);
}

export function isRequestFrame(f: BusFrame): boolean {
  return f.kind === 'cu48-request' || f.kind === 'cu16-request';
}
