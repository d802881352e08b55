import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { ErrorCodes, UrzError } from '../errors.js';
import { parseConfig } from './load.js';
import type { Config } from './schema.js';

/** Where the demo keeps its database and generated secrets unless URZEDOMAT_SIM_DIR says otherwise. */
export function simulationDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.URZEDOMAT_SIM_DIR ?? join(packageRoot, 'var', 'sim');
}

/**
 * The board families the simulated locker can be built from (URZEDOMAT_SIM_BOARDS, `urzedomat demo --boards`).
 * One bus runs at one line speed, so each choice keeps to one: the two Kerong ones at 19200, xor-8a at 9600.
 */
export const SIM_BOARD_FAMILIES = ['kerong', 'kerong-cu48-60', 'xor-8a'] as const;
export type SimBoardFamily = (typeof SIM_BOARD_FAMILIES)[number];

/** The simulated boards of each family and how many of the 24 compartments go on each (in order, from lock 1). */
const boardSets: Record<SimBoardFamily, readonly { readonly board: Record<string, unknown> & { readonly address: number }; readonly compartments: number }[]> = {
  // A mixed Kerong installation: a CU48 (0x50 firmware) and a CU16 on one 19200 bus.
  kerong: [
    { board: { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }, compartments: 16 },
    { board: { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 }, compartments: 8 },
  ],
  // The same with the CU48 running the 0x60 firmware; its data bytes read as the codec's default layout.
  'kerong-cu48-60': [
    { board: { address: 0, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1 }, compartments: 16 },
    { board: { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 }, compartments: 8 },
  ],
  // Two XOR-checksum boards at 9600, on the DIP addresses 1 and 2 (0 is no board's); three status bytes each.
  'xor-8a': [
    { board: { address: 1, protocol: 'xor-8a', locks: 16, latchedBit: 1 }, compartments: 16 },
    { board: { address: 2, protocol: 'xor-8a', locks: 8, latchedBit: 1 }, compartments: 8 },
  ],
};

/**
 * The board family named by `value` (absent, or the variable set empty: `kerong`); anything else is refused with
 * one line naming `source` (the environment variable or the command-line option) and the allowed values.
 */
export function simBoardFamily(value: string | undefined, source = 'URZEDOMAT_SIM_BOARDS'): SimBoardFamily {
  if (value === undefined || (value === '' && source === 'URZEDOMAT_SIM_BOARDS')) return 'kerong';
  const found = SIM_BOARD_FAMILIES.find((f) => f === value);
  if (found === undefined) {
    throw new UrzError(ErrorCodes.ConfigInvalid, `${source} must be one of ${SIM_BOARD_FAMILIES.join(', ')}, not "${value}"`);
  }
  return found;
}

/** What the built-in configuration may be given beyond the environment (the demo's own choices). */
export interface SimulationOptions {
  /** Simulated doors shut by themselves this long after their latch released. */
  readonly doorsCloseAfterMs?: number;
  /** The office's address, when not the loopback one URZEDOMAT_SIM_OFFICE_PORT names. */
  readonly officeUrl?: string;
}

/**
 * The built-in configuration used when none is given: simulated boards speaking the real bytes of the family
 * URZEDOMAT_SIM_BOARDS names (default `kerong`: one CU48 and one CU16, as a mixed installation would have; see
 * SIM_BOARD_FAMILIES), 24 compartments on them, the office service on loopback, and everything else on loopback
 * or inside the data directory. It goes through the same schema as a file.
 */
export function simulationConfig(env: NodeJS.ProcessEnv = process.env, o: SimulationOptions = {}): Config {
  const family = simBoardFamily(env.URZEDOMAT_SIM_BOARDS);
  const dataDir = simulationDataDir(env);
  const secrets = join(dataDir, 'secrets');
  const sizes = ['S', 'S', 'S', 'S', 'M', 'M', 'M', 'L'] as const;
  const set = boardSets[family];
  const compartments: { id: number; board: number; lock: number; size: 'S' | 'M' | 'L'; low: boolean }[] = [];
  // Ids count on across the boards; sizes and low places repeat every eight, and the second board starts mid-pattern
  // (as the Kerong demo always had), so both boards have every size.
  set.forEach(({ board, compartments: n }, b) => {
    for (let i = 0; i < n; i++) {
      const id = compartments.length + 1;
      compartments.push({ id, board: board.address, lock: i + 1, size: sizes[(i + b * 4) % 8]!, low: i % 4 === 3 });
    }
  });
  const raw = {
    lockerId: 'czestochowa-demo-1',
    dataDir,
    bus: { transport: 'simulated', ...(o.doorsCloseAfterMs === undefined ? {} : { doorsCloseAfterMs: o.doorsCloseAfterMs }) },
    boards: set.map((s) => s.board),
    compartments,
    office: {
      url: o.officeUrl ?? `http://127.0.0.1:${env.URZEDOMAT_SIM_OFFICE_PORT ?? '9000'}`,
      tokenFile: join(secrets, 'office.token'),
      publicKeyFile: join(secrets, 'office-ed25519.pub.pem'),
      codeKeyFile: join(secrets, 'code.key'),
      pullIntervalS: 5,
    },
    kiosk: { host: '127.0.0.1', port: Number(env.URZEDOMAT_SIM_KIOSK_PORT ?? '8080') },
    admin: { socket: join(dataDir, 'admin.sock') },
  };
  return parseConfig(raw, dataDir, family === 'kerong' ? 'built-in simulation config' : `built-in simulation config (${family} boards)`);
}
