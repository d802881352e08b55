import type { z } from 'zod';
import { PROTOCOL_BAUD, type BoardProtocol } from '../../hardware/protocols/index.js';
import { XOR_8A } from '../../hardware/protocols/xor-8a/codec.js';

/** What the board rules read of a parsed config (before defaults that depend on them are filled in). */
interface BoardLike {
  readonly address: number;
  readonly protocol: BoardProtocol;
  readonly locks: number;
  readonly statusBytes?: number | undefined;
  readonly layout?: unknown;
}

const maxLocks: Record<BoardProtocol, number> = { 'kerong-cu48': 48, 'kerong-cu48-60': 48, 'kerong-cu16': 16, 'xor-8a': XOR_8A.maxLocks };

/** The addresses each family gives one board; the values just outside are broadcasts or no board's. */
const addressRange: Record<BoardProtocol, readonly [number, number, string]> = {
  'kerong-cu48': [0, 9, '0x0A is the broadcast address'],
  'kerong-cu48-60': [0, 9, 'the other firmware’s broadcast 0x0A is never sent'],
  'kerong-cu16': [0, 14, '15 is the broadcast address'],
  'xor-8a': [XOR_8A.minAddress, XOR_8A.maxAddress, 'set by the five DIP switches; 0 is no board’s'],
};

/** One board's own rules: locks, address, and the keys only one family takes. */
export function checkBoard(b: BoardLike, i: number, ctx: z.RefinementCtx): void {
  const at = (key: string): (string | number)[] => ['boards', i, key];
  if (b.protocol === 'xor-8a') {
    if (b.locks !== 8 && b.locks !== 16 && b.locks !== 24) ctx.addIssue({ code: 'custom', path: at('locks'), message: 'an xor-8a board has 8, 16 or 24 locks' });
    const bytes = b.statusBytes ?? XOR_8A.defaultStatusBytes;
    if (b.locks > bytes * 8) ctx.addIssue({ code: 'custom', path: at('statusBytes'), message: `${b.locks} locks do not fit in ${bytes} status bytes` });
  } else if (b.locks > maxLocks[b.protocol]) {
    ctx.addIssue({ code: 'custom', path: at('locks'), message: `${b.protocol} has at most ${maxLocks[b.protocol]} locks` });
  }
  const [lo, hi, why] = addressRange[b.protocol];
  if (b.protocol === 'kerong-cu16' && b.address === 15) {
    ctx.addIssue({ code: 'custom', path: at('address'), message: '15 is the CU16 broadcast address: an unlock there opens that lock on every CU16 board' });
  } else if (b.address < lo || b.address > hi) {
    ctx.addIssue({ code: 'custom', path: at('address'), message: `${b.protocol} addresses are ${lo}-${hi} (${why})` });
  }
  if (b.statusBytes !== undefined && b.protocol !== 'xor-8a') ctx.addIssue({ code: 'custom', path: at('statusBytes'), message: 'only xor-8a boards take statusBytes' });
  if (b.layout !== undefined && b.protocol !== 'kerong-cu48-60') ctx.addIssue({ code: 'custom', path: at('layout'), message: 'only kerong-cu48-60 boards take a layout' });
}

/**
 * Rules for the boards together on one bus: one half-duplex line runs at one speed, so every board's family must
 * talk at it, and the xor-8a boards' replies (no length byte) must all be the same length.
 */
export function checkBus(boards: readonly BoardLike[], givenBaud: number | undefined, ctx: z.RefinementCtx): void {
  const rates = new Map<number, BoardProtocol[]>();
  for (const b of boards) rates.set(PROTOCOL_BAUD[b.protocol], [...new Set([...(rates.get(PROTOCOL_BAUD[b.protocol]) ?? []), b.protocol])]);
  if (rates.size > 1) {
    const parts = [...rates].map(([baud, ps]) => `${ps.join(' and ')} at ${baud}`);
    ctx.addIssue({
      code: 'custom', path: ['boards'],
      message: `these boards talk at different baud rates (${parts.join('; ')}): one RS-485 bus runs at one rate, so they cannot share it; give each family its own bus and controller`,
    });
  } else if (rates.size === 1 && givenBaud !== undefined) {
    const [[baud, ps]] = [...rates] as [[number, BoardProtocol[]]];
    if (givenBaud !== baud) ctx.addIssue({ code: 'custom', path: ['bus', 'baudRate'], message: `${ps.join(' and ')} boards talk at ${baud} baud, not ${givenBaud}: leave baudRate out or set ${baud}` });
  }
  const xorBytes = new Set(boards.filter((b) => b.protocol === 'xor-8a').map((b) => b.statusBytes ?? XOR_8A.defaultStatusBytes));
  if (xorBytes.size > 1) {
    ctx.addIssue({ code: 'custom', path: ['boards'], message: `the xor-8a boards on one bus must all answer with the same number of status bytes (found ${[...xorBytes].join(' and ')})` });
  }
}

/** The bus's line speed: as given, or the speed its boards talk at (19200 for a bus with no board, never parsed). */
export function busBaudRate(boards: readonly { readonly protocol: BoardProtocol }[], given: number | undefined): number {
  return given ?? PROTOCOL_BAUD[boards[0]?.protocol ?? 'kerong-cu48'];
}
