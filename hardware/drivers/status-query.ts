import { ErrorCodes, UrzError } from '../../src/errors.js';
import { OtherCommandSetError } from './board-errors.js';
import type { Bus, Priority } from '../bus.js';
import type { BoardProtocol, BusFrame } from '../protocols/index.js';

/**
 * One status request and its reply, for any family. A timeout while the address answered in another family's
 * command set (unclaimed replies from it, counted by the bus) becomes OtherCommandSetError, so a board with other
 * firmware is reported for what it is instead of as merely offline.
 */
export async function queryStatus(
  bus: Bus,
  board: { readonly address: number; readonly protocol: BoardProtocol },
  request: Buffer,
  isMine: (f: BusFrame) => boolean,
  priority: Priority,
  retries: number | undefined,
): Promise<BusFrame> {
  const foreignBefore = bus.foreignRepliesFrom(board.address, board.protocol);
  try {
    return await bus.query(request, isMine, { priority, ...(retries === undefined ? {} : { retries }) });
  } catch (e) {
    const heard = bus.foreignRepliesFrom(board.address, board.protocol) > foreignBefore ? bus.foreignFamilyOf(board.address, board.protocol) : undefined;
    if (heard !== undefined && e instanceof UrzError && e.code === ErrorCodes.BusTimeout) throw new OtherCommandSetError(board.address, board.protocol, heard, e);
    throw e;
  }
}
