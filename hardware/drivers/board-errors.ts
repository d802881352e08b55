import { ErrorCodes, UrzError } from '../../src/errors.js';
import type { BoardProtocol } from '../protocols/index.js';

/** What a technician is told of a board whose address answers in another family's command set than configured. */
export function answersAsNote(heard: BoardProtocol): string {
  return `answers as ${heard}`;
}

/**
 * A status poll that got no reply while frames of another family came from the board's address (a CU48 with the
 * 0x60 firmware configured as `kerong-cu48`, or the other way round). It is still a BUS_TIMEOUT for every caller
 * that only asks whether the poll worked.
 */
export class OtherCommandSetError extends UrzError {
  constructor(readonly address: number, readonly configured: BoardProtocol, readonly heard: BoardProtocol, cause: unknown) {
    super(ErrorCodes.BusTimeout, `board ${address} ${answersAsNote(heard)}, not as the configured ${configured}: no status reply it can read (set its "protocol" to "${heard}" if that is the board)`, { cause });
  }
}

/** Throws UrzError INVALID_LOCK unless `lock` is one of the board's. */
export function checkLock(board: { readonly address: number; readonly locks: number }, lock: number): void {
  if (!Number.isInteger(lock) || lock < 1 || lock > board.locks) {
    throw new UrzError(ErrorCodes.InvalidLock, `board ${board.address} has locks 1-${board.locks}, not ${lock}`);
  }
}

