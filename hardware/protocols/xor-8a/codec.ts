import { packBits, unpackBits } from '../bits.js';
import type { FrameSpec } from '../frame-decoder.js';

/**
 * The generic 8/16/24-channel lock board with an XOR checksum (`"protocol": "xor-8a"`): the board the open-source
 * Open-Locker project drives, common in Chinese cabinets. 9600 8N1, no STX/ETX, no length byte.
 *
 *   unlock         `8A ADDR CH 11 BCC`           answered after the pulse by `8A ADDR CH STATE BCC`, STATE 00 or 11
 *   read all       `80 ADDR 00 33 BCC`           answered by `80 ADDR D1 … DN 33 BCC` (N status bytes, 4+N bytes)
 *   BCC            XOR of every byte before it, header included
 *
 * Sources (research and hand-checked bytes: docs/BOARDS-RESEARCH.md §2; no code was copied from any of them):
 * - A1  Open-Locker/Open-Locker `locker-client/src/adapters/rs485/rs485-lock-board-codec.ts`
 *       @ 2f7f18f2012afc14d8a92d6d818c12f6d9139c89 (constants, the captured 8-channel read-all reply, address 1-31);
 *       A1b the same file @ 7be8c0d25fee9cf37c688017d3ccda920ae642e1 (withdrawn ceil(channels/8) reply length).
 * - A2  its tests `locker-client/tests/unit/rs485-lock-board-codec.test.ts` @ 2f7f18f… and @ 93b04f7e… (board 2).
 * - A3  Open-Locker `docs/adr/0061-backend-managed-rs485-locker-board-profile.md` @ 9a57a9f8… (the capture
 *       "RX 80 01 00 00 00 33 B2": three status bytes from an 8-channel board; slaveId 1 through 31).
 * - A4  Open-Locker `docs/rs485-locker-board-pr-adjustment-plan.md` @ 4397ea98… (captured unlock reply
 *       `8A 01 01 00 8A`; 9600/8N1; 5 ms silence).
 * - A5  Open-Locker `locker-client-esp32/README.md` @ bc98342f… (`8A 01 01 11 9B`, `80 01 00 33 B2`, DIP 1-31,
 *       "raw bytes do not yet establish door polarity").
 * - A6  Open-Locker `locker-client-esp32/components/core/protocol.c` @ bc98342f… (`lc_encode`: 1-based channel on
 *       the wire, address 1-31); A8 `locker-client-esp32/HARDWARE_ACCEPTANCE.md` (bit order/polarity still unchecked).
 * - A13 https://blog.csdn.net/qiwenmingshiwo/article/details/50717517 (2016; mirrored in qiwenming/QwmLockDemo):
 *       unlock/read examples for boards 1 and 2, STATE 11 = "锁为开" (open), 4-byte read-all reply
 *       `80 01 FF FF FF FF 33 B2`, reply "1 秒后返回" (about 1 s after the request).
 * - A15 https://blog.csdn.net/u012909822/article/details/147892413 "锁控板通讯协议和规格书" §一 (9600 8N1),
 *       §三 (open all `8A 01 00 11 9A`, never sent), §五 (unlock feedback: 00 = unlocked for "上锁短路" locks),
 *       §六 (read state).
 * - A16 amilcarrey/master-interface `src/types.ts` @ 9875f968… (headers 0x90 multichannel open, 0x9A/0x9B long
 *       power on/off) and `src/classes/CommandFactory/commandFactory.test.ts` (`8A 01 01 11 9B`).
 * - A17 a Python script (index file id 46599525723): `80 01 01 01 01 33 B3` = doors 1, 9, 17; `full_open_cmd`.
 * - A18 an Android serial-lock-test plan (index files 68793164248, 68801488998): "the locally sent command must
 *       never be interpreted as a received failure".
 * - A19 a C# cabinet app (index file 18639880928): `80 01 00 00 01 33 B3` = channel 1 "开" (open).
 * - A20 https://allinbest.com/rs485-serial-communication-electric-lock-control-board-intelligent-vending-machine-locker-door-multi-channel-control-board/
 *       (9600 8N1; up to 31 boards; a physical "fully open" button, outside software's reach).
 * The issue names Open-Locker's `docs/rs485-lock-board.md`; it does not exist (research §0): A3, A4, A5 hold those notes.
 *
 * Addresses: 1-31 (five DIP switches: A1, A3, A5; "up to 31 boards": A20). Other sources allow up to 0xC8 (A13)
 * or 32 boards (A15); address 0 is in no source's range (all switches off; possibly a broadcast on some
 * firmware), so nothing here builds a frame for it and the decoder cuts no frame of it. Channels are counted from
 * 1 on the wire as printed on the board (A1, A6, A15); the program's boards have 8, 16 or 24.
 *
 * NEVER BUILT: "open all" `8A ADDR 00 11` (A15 §三, A16, A17: one frame releases every compartment, channel after
 * channel for seconds), 0x90 multi-open (layout undocumented), 0x9A/0x9B long power on/off (a software-timed
 * pulse: a crash in between leaves a solenoid energised). Open-all is one byte away from a legal unlock and the XOR
 * cannot tell: a zero-based channel 0 handed to a 1-based encoder, or ADDR and CH swapped (unlock board 0 channel
 * 1 = `8A 00 01 11 9A`, swapped = open-all board 1 `8A 01 00 11 9A`, same BCC). So: the encoders take channel
 * 1..locks and address 1..31 and emit only `8A ADDR CH 11` and `80 ADDR 00 33` (and, for a simulated board, the two
 * answers); there is no generic frame builder. The decoder does recognise `8A ADDR 00 11` and `9A|9B ADDR CH 11`
 * (kind 'xor-forbidden', A16's layout for 9A/9B) so a simulated board can flag one and never act on it.
 *
 * No length byte in the read-all reply: its length is 4+N, and N is a parameter of the reply's FrameSpec
 * (`statusBytes`, default 3). Sources disagree on N: the only capture is 3 bytes from an 8-channel board (A3, A4,
 * A1), A17 reads 3 for 24 locks, A13 shows 4 (32 locks), A1b's ceil(channels/8) was withdrawn after the capture.
 * Cutting by quiet time (Open-Locker's way) is not available to a byte-stream decoder, and hunting for `33` + a
 * valid BCC is ambiguous when a data byte is 0x33; a fixed, configured N is neither. N = 1 is refused: the read-all
 * request `80 ADDR 00 33 BCC` would then be a valid reply with data 00, so an echo would read as a status.
 *
 * Channel bits (research §2.5; A1, A2, A13, A17, A19): the LAST status byte (just before 33) holds channels 1-8,
 * the one before it 9-16, then 17-24 (and 25-32 in a 4-byte reply); within a byte, bit 0 (LSB) is the group's
 * lowest channel. The captured answer `80 01 00 00 01 33 B3` (A19) is channel 1. Whether a set bit (or STATE 11)
 * means "latched" is DISPUTED (research D3): 11 / 1 = closed in A15 §六, A17, A1's default; 11 / 1 = open in A13
 * and A19; A15 §五 says it depends on the lock ("上锁短路" vs "开锁短路"). Open-Locker itself lists polarity
 * (and bit order) as an unchecked hardware item (A5, A8). So polarity is `latchedBit` (0 | 1), the same config as
 * the Kerong boards, applied alike to status bits and to STATE (11 ⇔ bit 1, as A1 does).
 *
 * ECHO OR ANSWER (the rule the driver must honour). An adapter may echo our own transmission. The unlock answer
 * with STATE 11 is byte-identical to the unlock request (A13, A15, A18), so no decoder can tell them apart by
 * their bytes. The decoder cuts `8A ADDR CH 11 BCC` as an 'xor-request' (it is the request's shape); STATE 00
 * answers come out as 'xor-unlock-answer'. The bus tells echo from answer by timing, with `xorUnlockReplyRole`:
 * after writing an unlock, the FIRST copy of the request's bytes heard within `xorEchoWindowMs(baud)` of the
 * write (the request's wire time plus `echoMarginMs`) is the echo; any copy after it, or after the window, is the
 * board's answer with STATE 11. That holds because the board answers only after its pulse: "1 秒后返回" (A13), and
 * clients wait 750-3000 ms for it (A17, A7, A10, A18); no source gives the pulse length, so the 100 ms margin is
 * an assumption to confirm on hardware (research §6). After the echo (or once the window
 * has passed) the bus resets the decoder, so a torn echo cannot join the answer (`8A 01 10 11` missing its BCC,
 * followed by `8A …`, is a valid frame). While the unlock is outstanding the bus sends nothing (the answer window,
 * as for a CU16), so no other board's reply can be on the line. The answer is only evidence: the latch is proven
 * released by a later read-all (A3: the unlock response "must never directly emit opened").
 * The read-all echo is no such trap: with N ≥ 2 it is shorter than any reply and comes out as an 'xor-request'.
 *
 * What a one-byte XOR cannot promise: every single-byte error is caught, but a frame cut from INSIDE a corrupted
 * status reply can check (e.g. `80 01 80 05 00 33 B6`, a reply whose BCC 37 was hit, holds the read-all request
 * `80 05 00 33 B6` of board 5). The decoder narrows this by refusing addresses outside 1-31, channels outside
 * 1-24 and STATE other than 00/11: with N ≤ 3 no unlock frame can be cut from a reply, only that read-only
 * request (with N = 2 nothing); with N = 4 an unlock-shaped frame can be. Neither can be mistaken for the answer
 * the bus awaits: a status is 4+N bytes, so none can be cut from inside a single frame, and unlock answers are
 * awaited only while nothing else is on the line (test/unit/protocols/xor-8a.property.test.ts).
 * A read-all request is also a prefix-shape of a reply: `80 01 00 33 B2` followed by the bytes `33 33` is a valid
 * 3-byte reply (data 00 33 B2). When the decoder holds a whole reply it takes the reply (the reply spec is listed
 * first); the opposite choice would lose, on every poll, a real reply whose first five bytes check as a request
 * (data `00 33 B3^ADDR`). When it holds only five bytes it emits the request at once (an echo must not wait for
 * bytes that may never come). So only an echo followed by line noise `33 33` can be misread, and which way such
 * a stream is cut depends on where the chunks fall.
 */
export const XOR_8A = {
  baudRate: 9600,
  headerUnlock: 0x8a,
  headerRead: 0x80,
  fnUnlock: 0x11,
  fnRead: 0x33,
  /** STATE in an unlock answer: the channel's feedback input after the pulse, raw bit 0 or 1. */
  stateLow: 0x00,
  stateHigh: 0x11,
  minAddress: 1,
  maxAddress: 31,
  /** The most channels of a board the program drives (8, 16 or 24). */
  maxLocks: 24,
  requestLength: 5,
  defaultStatusBytes: 3,
  minStatusBytes: 2,
  maxStatusBytes: 4,
  /** Added to the request's wire time: how long after an unlock write its echo may still arrive (USB bursts). */
  echoMarginMs: 100,
  /** Recognised by the decoder so they can be flagged; no function of this module builds them. */
  forbidden: { openAllChannel: 0x00, multiOpenHeader: 0x90, longPowerOnHeader: 0x9a, longPowerOffHeader: 0x9b },
} as const;

export type XorUnlockState = typeof XOR_8A.stateLow | typeof XOR_8A.stateHigh;

export type XorFrame =
  /** A read-all reply. `data` = D1…DN as on the wire (DN = channels 1-8); read it with `xorChannelBits`. */
  | { readonly kind: 'xor-status'; readonly address: number; readonly data: Buffer; readonly raw: Buffer }
  /** An unlock answer with STATE 00. STATE 11 has the request's bytes: see `xorUnlockReplyRole`. */
  | { readonly kind: 'xor-unlock-answer'; readonly address: number; readonly channel: number; readonly state: XorUnlockState; readonly raw: Buffer }
  /** Our own request (an echo, or what a simulated board hears). An unlock's bytes are also the STATE 11 answer. */
  | { readonly kind: 'xor-request'; readonly command: 'unlock'; readonly address: number; readonly channel: number; readonly raw: Buffer }
  | { readonly kind: 'xor-request'; readonly command: 'read-all'; readonly address: number; readonly raw: Buffer }
  /** A frame no code path here builds, recognised so that it is flagged, never acted on. */
  | { readonly kind: 'xor-forbidden'; readonly what: 'open-all' | 'long-power-on' | 'long-power-off'; readonly address: number; readonly channel: number; readonly raw: Buffer };

/** XOR of `bytes[0..end)`. */
export function xorBcc(bytes: Uint8Array, end = bytes.length): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('xor-8a BCC is computed over bytes');
  if (!Number.isInteger(end) || end < 0 || end > bytes.length) throw new RangeError(`BCC end ${end} is outside 0-${bytes.length}`);
  let x = 0;
  for (let i = 0; i < end; i++) x ^= bytes[i]!;
  return x;
}

export function isXorAddress(address: number): boolean {
  return Number.isInteger(address) && address >= XOR_8A.minAddress && address <= XOR_8A.maxAddress;
}

function checkAddress(address: number): void {
  if (!isXorAddress(address)) {
    throw new RangeError(`xor-8a board address must be ${XOR_8A.minAddress}-${XOR_8A.maxAddress} (the DIP range; 0 is no board's), got ${address}`);
  }
}

function checkLocks(locks: number): void {
  if (locks !== 8 && locks !== 16 && locks !== 24) throw new RangeError(`xor-8a board must have 8, 16 or 24 locks, got ${locks}`);
}

/** Channel 0 is "all channels": refused here, and nowhere else is a channel byte written. */
function checkChannel(channel: number, locks: number): void {
  checkLocks(locks);
  if (!Number.isInteger(channel) || channel < 1 || channel > locks) {
    throw new RangeError(`xor-8a channel must be 1-${locks}, counted from 1 as printed (0 would open every lock), got ${channel}`);
  }
}

function checkStatusBytes(n: number): void {
  if (!Number.isInteger(n) || n < XOR_8A.minStatusBytes || n > XOR_8A.maxStatusBytes) {
    throw new RangeError(`xor-8a status bytes must be ${XOR_8A.minStatusBytes}-${XOR_8A.maxStatusBytes}, got ${n}`);
  }
}

/** The only 5-byte frame builder; each caller has checked its bytes, and passes one of the two headers. */
function fiveBytes(header: typeof XOR_8A.headerUnlock | typeof XOR_8A.headerRead, address: number, channel: number, last: number): Buffer {
  // Belt and braces under the callers' checks: an unlock-headed frame with channel byte 0 is open-all.
  if (header === XOR_8A.headerUnlock && channel === XOR_8A.forbidden.openAllChannel) throw new RangeError('xor-8a: refusing to build open-all');
  const f = Buffer.from([header, address, channel, last, 0]);
  f[4] = xorBcc(f, 4);
  return f;
}

/** Unlock one channel, counted from 1 as printed on the board: `8A ADDR CH 11 BCC`. */
export function encodeXorUnlock(address: number, channel: number, locks: number = XOR_8A.maxLocks): Buffer {
  checkAddress(address);
  checkChannel(channel, locks);
  return fiveBytes(XOR_8A.headerUnlock, address, channel, XOR_8A.fnUnlock);
}

/** Read every channel: `80 ADDR 00 33 BCC` (channel 0 is the normal "all" of a read, which changes nothing). */
export function encodeXorReadAll(address: number): Buffer {
  checkAddress(address);
  return fiveBytes(XOR_8A.headerRead, address, 0x00, XOR_8A.fnRead);
}

/**
 * An unlock answer, as a simulated board sends it: `8A ADDR CH STATE BCC`. With STATE 11 these are the request's
 * bytes (see the header).
 */
export function encodeXorUnlockAnswer(address: number, channel: number, state: XorUnlockState): Buffer {
  checkAddress(address);
  checkChannel(channel, XOR_8A.maxLocks);
  if (state !== XOR_8A.stateLow && state !== XOR_8A.stateHigh) throw new RangeError(`xor-8a unlock answer STATE must be 00 or 11, got ${String(state)}`);
  return fiveBytes(XOR_8A.headerUnlock, address, channel, state);
}

/**
 * A read-all reply, as a simulated board sends it: `80 ADDR D1 … DN 33 BCC`. `bits[i]` is channel i+1's raw bit
 * (non-zero = 1); channels past `bits` read 0.
 */
export function encodeXorStatusReply(address: number, bits: readonly number[], statusBytes: number = XOR_8A.defaultStatusBytes): Buffer {
  checkAddress(address);
  checkStatusBytes(statusBytes);
  if (!Array.isArray(bits)) throw new TypeError('xor-8a status bits must be an array');
  if (bits.length > statusBytes * 8) throw new RangeError(`${bits.length} channels do not fit in ${statusBytes} status bytes`);
  const data = new Uint8Array(statusBytes);
  packBits(data, 0, bits);
  data.reverse(); // the last byte holds channels 1-8
  const f = Buffer.alloc(4 + statusBytes);
  f[0] = XOR_8A.headerRead;
  f[1] = address;
  f.set(data, 2);
  f[2 + statusBytes] = XOR_8A.fnRead;
  f[3 + statusBytes] = xorBcc(f, 3 + statusBytes);
  return f;
}

/** The raw bit of each channel (index 0 = channel 1) from a reply's D1…DN: channel c is bit (c-1)%8 of D[N-1-⌊(c-1)/8⌋]. */
export function xorChannelBits(data: Uint8Array, locks: number): number[] {
  if (!(data instanceof Uint8Array)) throw new TypeError('xor-8a status data must be bytes');
  if (!Number.isInteger(locks) || locks < 0 || locks > data.length * 8) throw new RangeError(`${data.length} status bytes hold at most ${data.length * 8} channels, not ${locks}`);
  return unpackBits(Uint8Array.from(data).reverse(), locks);
}

function checkLatchedBit(latchedBit: number): void {
  if (latchedBit !== 0 && latchedBit !== 1) throw new RangeError(`latchedBit must be 0 or 1, got ${latchedBit}`);
}

/** Whether each channel's latch holds (index 0 = channel 1), through the board's wiring polarity (disputed: header). */
export function xorLatched(data: Uint8Array, locks: number, latchedBit: 0 | 1): boolean[] {
  checkLatchedBit(latchedBit);
  return xorChannelBits(data, locks).map((b) => b === latchedBit);
}

/** Whether an unlock answer's STATE says the latch still holds: STATE 11 is raw bit 1, as in a status reply. */
export function xorAnswerLatched(state: XorUnlockState, latchedBit: 0 | 1): boolean {
  checkLatchedBit(latchedBit);
  if (state !== XOR_8A.stateLow && state !== XOR_8A.stateHigh) throw new RangeError(`xor-8a unlock answer STATE must be 00 or 11, got ${String(state)}`);
  return (state === XOR_8A.stateHigh ? 1 : 0) === latchedBit;
}

/** Board `address`'s read-all reply, and nothing else. */
export function isXorStatusOf(f: { readonly kind: string; readonly address?: number }, address: number): boolean {
  return f.kind === 'xor-status' && f.address === address;
}

/** How long after an unlock write a byte-identical frame is taken for the echo: wire time of 5 bytes + margin. */
export function xorEchoWindowMs(baudRate: number = XOR_8A.baudRate): number {
  if (!(baudRate > 0) || !Number.isFinite(baudRate)) throw new RangeError(`baud rate must be a positive number, got ${baudRate}`);
  return Math.ceil((XOR_8A.requestLength * 10 * 1000) / baudRate) + XOR_8A.echoMarginMs;
}

export type XorUnlockReplyRole = { readonly role: 'echo' } | { readonly role: 'answer'; readonly state: XorUnlockState } | { readonly role: 'other' };

/**
 * What a frame heard while the unlock of (`sent.address`, `sent.channel`) is outstanding is, by the header's rule:
 * the first copy of the request's bytes within the echo window is the echo, any later copy the STATE 11 answer.
 * `heard.sinceWriteMs` counts from the write of the request; `echoSeen` says whether the echo was already taken.
 */
export function xorUnlockReplyRole(
  frame: XorFrame,
  sent: { readonly address: number; readonly channel: number },
  heard: { readonly sinceWriteMs: number; readonly echoSeen: boolean; readonly baudRate?: number },
): XorUnlockReplyRole {
  if (frame.address !== sent.address) return { role: 'other' };
  if (frame.kind === 'xor-unlock-answer' && frame.channel === sent.channel) return { role: 'answer', state: frame.state };
  if (frame.kind === 'xor-request' && frame.command === 'unlock' && frame.channel === sent.channel) {
    const inWindow = heard.sinceWriteMs <= xorEchoWindowMs(heard.baudRate ?? XOR_8A.baudRate);
    return !heard.echoSeen && inWindow ? { role: 'echo' } : { role: 'answer', state: XOR_8A.stateHigh };
  }
  return { role: 'other' };
}

const isChannel = (b: number | undefined): boolean => b !== undefined && b >= 1 && b <= XOR_8A.maxLocks;
const hasAddress = (h: Uint8Array): boolean => isXorAddress(h[1]!);
const bccOk = (f: Uint8Array): boolean => f[f.length - 1] === xorBcc(f, f.length - 1);

/**
 * The read-all reply of a board answering with `statusBytes` status bytes (default 3: the captured board).
 * Listed before the requests: when a whole reply is held it wins over a request-shaped prefix of it.
 */
export function xorStatusReplySpec(statusBytes: number = XOR_8A.defaultStatusBytes): FrameSpec<XorFrame> {
  checkStatusBytes(statusBytes);
  return {
    name: `xor-status-${statusBytes}`,
    startBytes: [XOR_8A.headerRead],
    probeLength: 2,
    lengthOf: (h) => (h[0] === XOR_8A.headerRead && hasAddress(h) ? 4 + statusBytes : 0),
    wellFormed: (f) => f[2 + statusBytes] === XOR_8A.fnRead && bccOk(f),
    decode: (raw) => ({ kind: 'xor-status', address: raw[1]!, data: raw.subarray(2, 2 + statusBytes), raw }),
  };
}

/** Requests are decoded too: an adapter may echo our own transmission, and the simulated boards read them. */
export const xorReadAllRequestSpec: FrameSpec<XorFrame> = {
  name: 'xor-read-all-request',
  startBytes: [XOR_8A.headerRead],
  probeLength: 4,
  lengthOf: (h) => (h[0] === XOR_8A.headerRead && hasAddress(h) && h[2] === 0x00 && h[3] === XOR_8A.fnRead ? 5 : 0),
  wellFormed: bccOk,
  decode: (raw) => ({ kind: 'xor-request', command: 'read-all', address: raw[1]!, raw }),
};

/** `8A ADDR CH 11 BCC`, CH 1-24: the unlock request, and also the STATE 11 answer (header: echo or answer). */
export const xorUnlockRequestSpec: FrameSpec<XorFrame> = {
  name: 'xor-unlock-request',
  startBytes: [XOR_8A.headerUnlock],
  probeLength: 4,
  lengthOf: (h) => (h[0] === XOR_8A.headerUnlock && hasAddress(h) && isChannel(h[2]) && h[3] === XOR_8A.fnUnlock ? 5 : 0),
  wellFormed: bccOk,
  decode: (raw) => ({ kind: 'xor-request', command: 'unlock', address: raw[1]!, channel: raw[2]!, raw }),
};

/** `8A ADDR CH 00 BCC`, CH 1-24: the unlock answer whose bytes differ from the request's. */
export const xorUnlockAnswerSpec: FrameSpec<XorFrame> = {
  name: 'xor-unlock-answer',
  startBytes: [XOR_8A.headerUnlock],
  probeLength: 4,
  lengthOf: (h) => (h[0] === XOR_8A.headerUnlock && hasAddress(h) && isChannel(h[2]) && h[3] === XOR_8A.stateLow ? 5 : 0),
  wellFormed: bccOk,
  decode: (raw) => ({ kind: 'xor-unlock-answer', address: raw[1]!, channel: raw[2]!, state: XOR_8A.stateLow, raw }),
};

/** Open-all `8A ADDR 00 11` and long power `9A|9B ADDR CH 11` (A16's layout): cut so they can be flagged. */
export const xorForbiddenSpec: FrameSpec<XorFrame> = {
  name: 'xor-forbidden',
  startBytes: [XOR_8A.headerUnlock, XOR_8A.forbidden.longPowerOnHeader, XOR_8A.forbidden.longPowerOffHeader],
  probeLength: 4,
  lengthOf: (h) => {
    if (!hasAddress(h) || h[3] !== XOR_8A.fnUnlock) return 0;
    if (h[0] === XOR_8A.headerUnlock) return h[2] === XOR_8A.forbidden.openAllChannel ? 5 : 0;
    return (h[0] === XOR_8A.forbidden.longPowerOnHeader || h[0] === XOR_8A.forbidden.longPowerOffHeader) && isChannel(h[2]) ? 5 : 0;
  },
  wellFormed: bccOk,
  decode: (raw) => ({
    kind: 'xor-forbidden',
    what: raw[0] === XOR_8A.headerUnlock ? 'open-all' : raw[0] === XOR_8A.forbidden.longPowerOnHeader ? 'long-power-on' : 'long-power-off',
    address: raw[1]!,
    channel: raw[2]!,
    raw,
  }),
};

/** Every frame of this family on a bus whose boards answer with `statusBytes` status bytes. */
export function xorSpecs(statusBytes: number = XOR_8A.defaultStatusBytes): readonly FrameSpec<XorFrame>[] {
  return [xorStatusReplySpec(statusBytes), xorReadAllRequestSpec, xorUnlockAnswerSpec, xorUnlockRequestSpec, xorForbiddenSpec];
}
