import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { parseConfig } from '../config/load.js';
import { simulationConfig } from '../config/simulation.js';
import type { Logger } from '../log.js';
import { startDaemon, type Daemon } from '../main.js';
import { databaseFileName } from '../store/store.js';
import { startDemoOffice, type DemoOffice } from './demo-office.js';

export interface Demo {
  readonly daemon: Daemon;
  readonly office: DemoOffice;
  readonly banner: string;
  stop(): Promise<void>;
}

/**
 * `npm start`: the whole system on this machine. The real office service on its embedded database, with the
 * text messages residents would get printed here; a locker with simulated boards speaking the real Kerong bytes
 * (doors shut by themselves a few seconds after they open), pulling from that office; and its kiosk on
 * loopback. Each start is a fresh demo: the office and the locker start empty.
 */
export async function startDemo(clock: Clock, logger: Logger, env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<Demo> {
  const officePort = Number(env.URZEDOMAT_SIM_OFFICE_PORT ?? '9000');
  const base = simulationConfig(env);
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(base.dataDir, databaseFileName + suffix), { force: true });
  const doorsCloseAfterMs = Number(env.URZEDOMAT_DEMO_DOORS_CLOSE_MS ?? '8000');
  const office = await startDemoOffice({
    dir: join(base.dataDir, 'office'),
    port: officePort,
    lockerId: base.lockerId,
    lockerName: 'USC Czestochowa, ul. Focha 19',
    secretsDir: join(base.dataDir, 'secrets'),
    documents: 6,
    onMessage: (m) => print(`SMS to ${m.to}: ${m.message}`),
  });
  let daemon: Daemon;
  try {
    const config = parseConfig(
      { ...base, bus: { ...base.bus, doorsCloseAfterMs }, office: { ...base.office, url: office.url, pullIntervalS: 5 } },
      base.dataDir,
      'demo config',
    );
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
    `Kiosk (the touch screen): http://${config(daemon)}/`,
    `Simulator panel (shut the simulated doors): http://${config(daemon)}/sim  (it also lists the residents' codes)`,
    `Simulated doors shut by themselves ${doorsCloseAfterMs / 1000} s after they open. Stop with Ctrl-C.`,
  ].join('\n');
  return {
    daemon, office, banner,
    async stop() {
      await daemon.stop('demo stopped');
      await office.close();
    },
  };

  function config(d: Daemon): string {
    return `${base.kiosk.host}:${d.kiosk.port}`;
  }
}
