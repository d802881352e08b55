import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { parseConfig } from './load.js';
import type { Config } from './schema.js';

/** Where the demo keeps its database and generated secrets unless URZEDOMAT_SIM_DIR says otherwise. */
export function simulationDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.URZEDOMAT_SIM_DIR ?? join(packageRoot, 'var', 'sim');
}

/**
 * The built-in configuration used when none is given: simulated boards speaking the real Kerong bytes
 * (one CU48 and one CU16, as a mixed installation would have), the office service on loopback, and
 * everything else on loopback or inside the data directory. It goes through the same schema as a file.
 */
export function simulationConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = simulationDataDir(env);
  const secrets = join(dataDir, 'secrets');
  const sizes = ['S', 'S', 'S', 'S', 'M', 'M', 'M', 'L'] as const;
  const compartments = [
    ...Array.from({ length: 16 }, (_, i) => ({ id: i + 1, board: 0, lock: i + 1, size: sizes[i % 8]!, low: i % 4 === 3 })),
    ...Array.from({ length: 8 }, (_, i) => ({ id: 17 + i, board: 1, lock: i + 1, size: sizes[(i + 4) % 8]!, low: i % 4 === 3 })),
  ];
  const raw = {
    lockerId: 'czestochowa-demo-1',
    dataDir,
    bus: { transport: 'simulated' },
    boards: [
      { address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 },
      { address: 1, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 },
    ],
    compartments,
    office: {
      url: `http://127.0.0.1:${env.URZEDOMAT_SIM_OFFICE_PORT ?? '9000'}`,
      tokenFile: join(secrets, 'office.token'),
      publicKeyFile: join(secrets, 'office-ed25519.pub.pem'),
      codeKeyFile: join(secrets, 'code.key'),
      pullIntervalS: 5,
    },
    kiosk: { host: '127.0.0.1', port: Number(env.URZEDOMAT_SIM_KIOSK_PORT ?? '8080') },
    admin: { socket: join(dataDir, 'admin.sock') },
  };
  return parseConfig(raw, dataDir, 'built-in simulation config');
}
