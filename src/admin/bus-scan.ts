import type { Config } from '../config/schema.js';
import { createBoard, OtherCommandSetError } from '../../hardware/boards.js';
import { Priority, type Bus } from '../../hardware/bus.js';
import { PROTOCOL_BAUD, protocolsAtBaud, type BoardProtocol } from '../../hardware/protocols/index.js';
import { CU16 } from '../../hardware/protocols/kerong-cu16/codec.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { CU4860 } from '../../hardware/protocols/kerong-cu48-60/codec.js';
import { XOR_8A } from '../../hardware/protocols/xor-8a/codec.js';

/** The addresses a scan probes per family: every one a board may have, never a broadcast (CU48 0x0A, CU16 15). */
const addresses: Record<BoardProtocol, readonly number[]> = {
  'kerong-cu48': range(0, CU48.maxAddress),
  'kerong-cu48-60': range(0, CU4860.maxAddress),
  'kerong-cu16': range(0, CU16.maxBoard),
  'xor-8a': range(XOR_8A.minAddress, XOR_8A.maxAddress),
};

/** The board a probe pretends to be: the most locks the family has, so any answer can be read. */
const probeLocks: Record<BoardProtocol, number> = { 'kerong-cu48': 48, 'kerong-cu48-60': 48, 'kerong-cu16': 16, 'xor-8a': 24 };

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export interface ScanProbe {
  readonly protocol: BoardProtocol;
  readonly address: number;
  /** The config has a board of this family at this address. */
  readonly configured: boolean;
  /** It answered this family's status request with this family's status reply. */
  readonly answers: boolean;
  /** It answered in another family's command set instead. */
  readonly answersAs?: BoardProtocol;
}

export interface ScanAddress {
  readonly address: number;
  readonly configuredAs: BoardProtocol | null;
  /** The families whose status request the address answered: what the board there speaks. */
  readonly speaks: readonly BoardProtocol[];
  /** A line for a technician: what is wrong, or nothing. */
  readonly problem?: string;
}

/**
 * `diag bus scan`: probes every address of every family the bus's line speed can carry (a bus at 9600 baud cannot
 * hear a Kerong board, nor one at 19200 an xor-8a board), at maintenance priority and without retries, so the
 * poller and any unlock go first. Says which family a board at each address speaks, configured or not.
 */
export async function scanBus(config: Config, bus: Bus): Promise<{ baudRate: number; boards: ScanProbe[]; addresses: ScanAddress[] }> {
  const baud = bus.baudRate;
  const probes: ScanProbe[] = [];
  for (const protocol of protocolsAtBaud(baud)) {
    for (const address of addresses[protocol]) {
      const configured = config.boards.some((b) => b.protocol === protocol && b.address === address);
      const statusBytes = config.boards.find((b) => b.protocol === 'xor-8a')?.statusBytes;
      const board = createBoard(bus, { address, protocol, locks: probeLocks[protocol], latchedBit: 1, statusBytes });
      const heard = await board.status(Priority.Maintenance, 0).then(
        () => ({ answers: true }),
        (e: unknown) => (e instanceof OtherCommandSetError ? { answers: false, answersAs: e.heard } : { answers: false }),
      );
      probes.push({ protocol, address, configured, ...heard });
    }
  }
  return { baudRate: baud, boards: probes, addresses: summarise(config, probes, baud) };
}

function summarise(config: Config, probes: readonly ScanProbe[], baud: number): ScanAddress[] {
  const all = new Set<number>([...config.boards.map((b) => b.address), ...probes.filter((p) => p.answers).map((p) => p.address)]);
  return [...all].sort((a, b) => a - b).map((address) => {
    const configuredAs = config.boards.find((b) => b.address === address)?.protocol ?? null;
    const speaks = probes.filter((p) => p.address === address && p.answers).map((p) => p.protocol);
    const problem = configuredAs === null ? `a board answers here as ${speaks.join(', ')} but none is configured`
      : PROTOCOL_BAUD[configuredAs] !== baud ? `configured as ${configuredAs}, which talks at ${PROTOCOL_BAUD[configuredAs]} baud, not the bus's ${baud}`
        : speaks.length === 0 ? `configured as ${configuredAs} but nothing answers: check power, wiring and the address switches`
          : !speaks.includes(configuredAs) ? `configured as ${configuredAs} but answers as ${speaks.join(', ')}: set its "protocol" to match (or change the firmware)`
            : undefined;
    return { address, configuredAs, speaks, ...(problem === undefined ? {} : { problem }) };
  });
}
