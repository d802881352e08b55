import { FrameDecoder, type FrameSpec } from './frame-decoder.js';
import { cu16Specs, type Cu16Frame } from './kerong-cu16/codec.js';
import { cu48Specs, type Cu48Frame } from './kerong-cu48/codec.js';
import { cu4860Specs, type Cu4860Frame } from './kerong-cu48-60/codec.js';
import { XOR_8A, xorSpecs, type XorFrame } from './xor-8a/codec.js';

/** The board families the program drives (config `boards[].protocol`). */
export const BOARD_PROTOCOLS = ['kerong-cu48', 'kerong-cu16', 'kerong-cu48-60', 'xor-8a'] as const;
export type BoardProtocol = (typeof BOARD_PROTOCOLS)[number];

/** Every frame that can be cut from the bus. */
export type BusFrame = Cu48Frame | Cu16Frame | Cu4860Frame | XorFrame;

/**
 * The line speed each family's boards talk at (8N1). One half-duplex bus runs at one rate, so families with
 * different rates cannot share it: the config refuses such a bus (src/config/board-rules.ts).
 */
export const PROTOCOL_BAUD: Record<BoardProtocol, number> = {
  'kerong-cu48': 19_200,
  'kerong-cu16': 19_200,
  'kerong-cu48-60': 19_200,
  'xor-8a': XOR_8A.baudRate,
};

/** The families a bus at this rate can carry, in the order a scan probes them. */
export function protocolsAtBaud(baud: number): BoardProtocol[] {
  return BOARD_PROTOCOLS.filter((p) => PROTOCOL_BAUD[p] === baud);
}

export interface DecoderOptions {
  /** How many status bytes the bus's xor-8a boards answer a read-all with (the reply has no length byte). */
  readonly xorStatusBytes?: number;
}

/**
 * A decoder for a bus's families, and for every other family at the same line speed: a board that answers in
 * another command set than configured (a CU48 with the 0x60 firmware where a 0x50 one was expected) is then
 * heard, counted and named instead of looking merely offline. Order matters where frames could overlap: CU16
 * before the CU48 0x60 firmware (a CU16 reply whose lock byte is 0x60/0x61/0x75/0x77 starts like one of its
 * frames; `kerong-cu48-60/codec.ts`); the 0x50 firmware's command bytes are disjoint from both.
 */
export function createDecoder(protocols: Iterable<BoardProtocol>, o: DecoderOptions = {}): FrameDecoder<BusFrame> {
  const wanted = new Set<BoardProtocol>();
  for (const p of protocols) for (const q of protocolsAtBaud(PROTOCOL_BAUD[p])) wanted.add(q);
  const specs: FrameSpec<BusFrame>[] = [];
  if (wanted.has('kerong-cu16')) specs.push(...cu16Specs);
  if (wanted.has('kerong-cu48')) specs.push(...cu48Specs);
  if (wanted.has('kerong-cu48-60')) specs.push(...cu4860Specs);
  if (wanted.has('xor-8a')) specs.push(...xorSpecs(o.xorStatusBytes));
  return new FrameDecoder<BusFrame>(specs);
}

/** A request frame: our own transmission echoed, another master's, or what a simulated board hears. */
export function isRequestFrame(f: BusFrame): boolean {
  return f.kind === 'cu48-request' || f.kind === 'cu16-request' || f.kind === 'cu4860-request' || f.kind === 'xor-request';
}

/** The family and board address a reply frame comes from; undefined for requests and frames never answered. */
export function replyOrigin(f: BusFrame): { readonly protocol: BoardProtocol; readonly address: number } | undefined {
  switch (f.kind) {
    case 'cu48-status': return { protocol: 'kerong-cu48', address: f.address };
    case 'cu16-status': return { protocol: 'kerong-cu16', address: f.address };
    case 'cu4860-status': return { protocol: 'kerong-cu48-60', address: f.address };
    case 'xor-status':
    case 'xor-unlock-answer': return { protocol: 'xor-8a', address: f.address };
    default: return undefined;
  }
}
