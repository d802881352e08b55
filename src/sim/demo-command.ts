import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { parseConfig } from '../config/load.js';
import { simulationConfig } from '../config/simulation.js';
import type { Logger } from '../log.js';
import { startDaemon, type Daemon } from '../main.js';
import { databaseFileName } from '../store/store.js';
import { ensureSimulationSecrets } from './secrets.js';
import { describeOffice, startSimOffice, type RunningOffice } from './sim-office-command.js';

export interface Demo {
  readonly daemon: Daemon;
  readonly office: RunningOffice;
  readonly banner: string;
  stop(): Promise<void>;
}

/**
 * `npm start`: the whole locker on this machine. Simulated boards speaking the real Kerong bytes (doors shut by
 * themselves a few seconds after they open), the office simulator with waiting documents, the daemon, and its
 * kiosk on loopback. Each start is a fresh demo: the office simulator keeps nothing, so neither does the locker.
 */
export async function startDemo(clock: Clock, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Demo> {
  const base = simulationConfig(env);
  ensureSimulationSecrets(base.office);
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(base.dataDir, databaseFileName + suffix), { force: true });
  const doorsCloseAfterMs = Number(env.URZEDOMAT_DEMO_DOORS_CLOSE_MS ?? '8000');
  const config = parseConfig({ ...base, bus: { ...base.bus, doorsCloseAfterMs }, office: { ...base.office, pullIntervalS: 5 } }, base.dataDir, 'demo config');
  const office = await startSimOffice(config, { documents: 6 });
  const daemon = await startDaemon(config, { logger, clock, demo: { staff: office.staff, documents: office.documents } });
  const banner = [
    await describeOffice(office, config.lockerId),
    `Kiosk (the touch screen): http://${config.kiosk.host}:${daemon.kiosk.port}/`,
    `Simulator panel (shut the simulated doors): http://${config.kiosk.host}:${daemon.kiosk.port}/sim`,
    `Simulated doors shut by themselves ${doorsCloseAfterMs / 1000} s after they open. Stop with Ctrl-C.`,
  ].join('\n');
  return {
    daemon, office, banner,
    async stop() {
      await daemon.stop('demo stopped');
      await office.close();
    },
  };
}
