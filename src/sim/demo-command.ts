import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { SIM_BOARD_FAMILIES, simBoardFamily, simulationConfig, type SimBoardFamily } from '../config/simulation.js';
import type { Logger } from '../log.js';
import { startDaemon, type Daemon } from '../main.js';
import { databaseFileName } from '../store/store.js';
import { startDemoOffice, type DemoOffice } from './demo-office.js';

export interface Demo {
  readonly daemon: Daemon;
  readonly office: DemoOffice;
  /** The board family the simulated locker is built from (URZEDOMAT_SIM_BOARDS, `demo --boards`). */
  readonly family: SimBoardFamily;
  readonly banner: string;
  stop(): Promise<void>;
}

/**
 * `npm start`: the whole system on this machine. The real office service on its embedded database, with the
 * text messages residents would get printed here; a locker with simulated boards speaking the real bytes of the
 * family URZEDOMAT_SIM_BOARDS names (`kerong` by default; `kerong-cu48-60`, `xor-8a`: see SIM_BOARD_FAMILIES;
 * doors shut by themselves a few seconds after they open), pulling from that office; and its kiosk on loopback.
 * Each start is a fresh demo: the office and the locker start empty.
 */
export async function startDemo(clock: Clock, logger: Logger, env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<Demo> {
  const family = simBoardFamily(env.URZEDOMAT_SIM_BOARDS);
  const officePort = Number(env.URZEDOMAT_SIM_OFFICE_PORT ?? '9000');
  const doorsCloseAfterMs = Number(env.URZEDOMAT_DEMO_DOORS_CLOSE_MS ?? '8000');
  // The whole config is checked before the office starts, so a mistake costs no office process.
  const config = simulationConfig(env, { doorsCloseAfterMs, officeUrl: `http://127.0.0.1:${officePort}` });
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(config.dataDir, databaseFileName + suffix), { force: true });
  const office = await startDemoOffice({
    dir: join(config.dataDir, 'office'),
    port: officePort,
    lockerId: config.lockerId,
    lockerName: 'USC Czestochowa, ul. Focha 19',
    secretsDir: join(config.dataDir, 'secrets'),
    documents: 6,
    onMessage: (m) => print(`SMS to ${m.to}: ${m.message}`),
  });
  let daemon: Daemon;
  try {
    if (office.url !== config.office.url) throw new Error(`the demo office listens on ${office.url}, not on ${config.office.url} as the locker's config says`);
    daemon = await startDaemon(config, { logger, clock, demo: { staff: office.staff, documents: office.documents } });
  } catch (e) {
    await office.close();
    throw e;
  }
  const banner = [
    `Clerks' panel (the office): ${office.url}/  login ${office.clerk.login}, password ${office.clerk.password}`,
    `Office service (integration API, the lockers' feeds): ${office.url}  (API token for curl: ${office.apiToken})`,
    `  its log: ${office.logFile}; the text messages it sends: ${office.smsFile}`,
    `Staff login: id ${office.staff.id}, PIN ${office.staff.pin} (at the kiosk: "Pracownik urzędu / Office staff")`,
    `Documents registered at the office (their codes arrive by text message, printed as "SMS to ..."):`,
    ...office.documents.map((d) => `  ${d.caseRef}  phone ${d.phone}  id ${d.id}`),
    `Kiosk (the touch screen): http://${kiosk(daemon)}/`,
    `Simulator panel (shut the simulated doors): http://${kiosk(daemon)}/sim  (it also lists the residents' codes)`,
    `Simulated lock boards: ${family} family (another: --boards ${SIM_BOARD_FAMILIES.join('|')}, or URZEDOMAT_SIM_BOARDS)`,
    ...describeBoards(config).map((line) => `  ${line}`),
    `Simulated doors shut by themselves ${doorsCloseAfterMs / 1000} s after they open. Stop with Ctrl-C.`,
  ].join('\n');
  return {
    daemon, office, family, banner,
    async stop() {
      await daemon.stop('demo stopped');
      await office.close();
    },
  };

  function kiosk(d: Daemon): string {
    return `${config.kiosk.host}:${d.kiosk.port}`;
  }
}

/** What the banner says of the boards: `kerong-cu48 at address 0: 48 locks, compartments 1-16`, …, and the line speed. */
function describeBoards(config: Config): string[] {
  const boards = config.boards.map((b) => {
    const ids = config.compartments.filter((c) => c.board === b.address).map((c) => c.id);
    return `${b.protocol} at address ${b.address}: ${b.locks} locks, ${ids.length === 0 ? 'no compartments' : `compartments ${Math.min(...ids)}-${Math.max(...ids)}`}`;
  });
  return [...boards, `one RS-485 bus at ${config.bus.baudRate} baud`];
}
