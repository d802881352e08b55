import type { FrameSpec } from '../frame-decoder.js';
import { encodeCu48ShapedReply } from './codec.js';

/**
 * The other CU48 firmware, which this program does not speak: the same `02 ADDR LOCK CMD 03 SUM` request but
 * with status 0x60 and unlock 0x61, and an 18-byte status reply `02 ADDR 00 75 D1..D12 03 SUM` (public drivers
 * disagree on what D7-D12 hold). A board with it ignores our 0x50/0x51 or answers in its own shape, so it
 * would look merely offline. The decoder recognises its frames (length from the command byte, checked by ETX and
 * checksum like any Kerong frame) so the bus can count them per address and a technician be told the board
 * "answers with an unsupported command set" instead.
 */
export const OTHER_FIRMWARE = {
  cmdStatus: 0x60,
  cmdUnlock: 0x61,
  replyStatus: 0x75,
  replyLength: 18,
} as const;

/** A well-formed frame of a command set the program recognises but does not speak. */
export interface UnsupportedFrame {
  readonly kind: 'unsupported-command-set';
  /** The address byte: for this CU48-style shape, the board's address. */
  readonly address: number;
  readonly command: number;
  readonly raw: Buffer;
}

/** The 0x75 status reply, as a simulated board with this firmware sends it: D1-D6 the latch bits, D7-D12 zero. */
export function encodeOtherFirmwareStatusReply(address: number, bits: readonly number[]): Buffer {
  return encodeCu48ShapedReply(address, OTHER_FIRMWARE.replyStatus, OTHER_FIRMWARE.replyLength, bits);
}

const decode = (raw: Buffer): UnsupportedFrame => ({ kind: 'unsupported-command-set', address: raw[1]!, command: raw[3]!, raw });

export const otherFirmwareRequestSpec: FrameSpec<UnsupportedFrame> = {
  name: 'cu48-other-firmware-request',
  probeLength: 4,
  lengthOf: (h) => (h[3] === OTHER_FIRMWARE.cmdStatus || h[3] === OTHER_FIRMWARE.cmdUnlock ? 6 : 0),
  decode,
};

export const otherFirmwareReplySpec: FrameSpec<UnsupportedFrame> = {
  name: 'cu48-other-firmware-status',
  probeLength: 4,
  lengthOf: (h) => (h[3] === OTHER_FIRMWARE.replyStatus ? OTHER_FIRMWARE.replyLength : 0),
  decode,
};

/** Tried after every supported spec, so a frame of ours is never taken for one of these. */
export const unsupportedSpecs = [otherFirmwareRequestSpec, otherFirmwareReplySpec] as const;
