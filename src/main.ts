import { mkdirSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { createLockSystem, type LockSystem } from '../hardware/lock-system.js';
import { GpioPort } from '../hardware/gpio/port.js';
import { selectGpioBackend } from '../hardware/gpio/select.js';
import { SimulatedTransport } from '../hardware/sim/sim-transport.js';
import type { SimulatedBus } from '../hardware/sim/sim-bus.js';
import { simulatedBusFor } from '../hardware/sim/simulated-boards.js';
import { SerialTransport } from '../hardware/transport/serial.js';
import { TcpTransport } from '../hardware/transport/tcp.js';
import type { Transport } from '../hardware/transport/transport.js';
import type { Clock } from './clock.js';
import { LockerCore } from './core/locker-core.js';
import { createSync, type Sync } from './sync/build.js';
import { startAdminServer } from './admin/server.js';
import { ServiceNotifier } from './service/notify.js';
import { startWatchdog } from './service/watchdog.js';
import { housekeeping } from './service/housekeeping.js';
import { startMetricsTextfile } from './service/metrics-textfile.js';
import { StatusReporter } from './service/status-report.js';
import { startKioskServer, type KioskServer } from './kiosk/server.js';
import type { DemoNotes } from './kiosk/sim-panel.js';
import type { Config } from './config/schema.js';
import { loadSecrets, type OfficeSecrets } from './config/secrets.js';
import type { Logger } from './log.js';
import { packageVersion } from './paths.js';
import { syncLayout } from './store/layout.js';
import { openStore, type Store } from './store/store.js';

export interface DaemonDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The demo's staff login and documents, shown on the simulator panel. */
  readonly demo?: DemoNotes;
  /** Where NOTIFY_SOCKET and WATCHDOG_USEC come from (systemd); the process's environment by default. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  readonly config: Config;
  readonly store: Store;
  readonly hardware: LockSystem;
  /** The simulated boards, when `bus.transport` is `simulated` (the demo and tests open doors on them). */
  readonly simBus: SimulatedBus | undefined;
  /** The wired pins, when the config has a `gpio` section. */
  readonly gpio: GpioPort | undefined;
  /** Pickups, staff work, compartments and the locker's mode. */
  readonly core: LockerCore;
  /** The office feed and the event push. */
  readonly sync: Sync;
  /** The kiosk's HTTP server (API and page). */
  readonly kiosk: KioskServer;
  stop(reason: string): Promise<void>;
}

/** The one place a real serial port or socket is chosen; everything below takes a Transport. */
function buildTransport(config: Config, clock: Clock, logger: Logger): { transport: Transport; simBus: SimulatedBus | undefined } {
  const bus = config.bus;
  const log = logger.child({ layer: 'transport' });
  switch (bus.transport) {
    case 'serial':
      return { transport: new SerialTransport({ path: bus.path, baudRate: bus.baudRate, binding: SerialPort.binding, reconnectMinMs: bus.reconnectMinMs, reconnectMaxMs: bus.reconnectMaxMs }, clock, log), simBus: undefined };
    case 'tcp':
      return { transport: new TcpTransport({ host: bus.host, port: bus.port, reconnectMinMs: bus.reconnectMinMs, reconnectMaxMs: bus.reconnectMaxMs }, clock, log), simBus: undefined };
    case 'simulated': {
      const simBus = simulatedBusFor(config.boards, clock, undefined, bus.doorsCloseAfterMs);
      return { transport: new SimulatedTransport(simBus, { baudRate: bus.baudRate, replyDelayMs: bus.boardReplyDelayMs }, clock), simBus };
    }
  }
}

/** How often to apply the retention policy and fold the WAL back into the database while the locker runs. */
const housekeepingIntervalMs = 5 * 60_000;

/**
 * The composition root: builds everything from the config and starts it. This is the only place that
 * wires real parts together; everything it calls takes its collaborators as arguments.
 */
export async function startDaemon(config: Config, deps: DaemonDeps): Promise<Daemon> {
  const { logger, clock } = deps;
  const version = packageVersion();
  const startedMono = clock.monoMs();
  logger.info({ lockerId: config.lockerId, version, dataDir: config.dataDir }, 'starting');

  // Secrets are checked before anything opens, so a bad key file stops the start with its key named.
  const secrets: OfficeSecrets = loadSecrets(config.office);

  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const store = openStore(config.dataDir, clock);
  const storeLog = logger.child({ layer: 'store' });
  try {
    storeLog.info({ schemaVersion: store.migration.version, applied: store.migration.applied }, 'database ready');
    const layout = syncLayout(store.db, config.compartments, store.audit, clock);
    if (layout.added.length + layout.changed.length + layout.removed.length > 0) storeLog.info(layout, 'compartment layout updated');
    store.audit.append({ actor: 'system', action: 'daemon.start', detail: { version } });
  } catch (e) {
    store.close();
    throw e;
  }

  const { transport, simBus } = buildTransport(config, clock, logger);
  const hardware = createLockSystem(transport, config.boards, config.bus, clock, logger);
  const hwLog = logger.child({ layer: 'hardware' });
  hardware.poller.on('latch', (c) => hwLog.info({ board: c.address, lock: c.lock, latched: c.latched }, 'latch changed'));
  await hardware.start();

  let gpio: GpioPort | undefined;
  if (config.gpio !== undefined) {
    const gpioLog = logger.child({ layer: 'gpio' });
    gpio = new GpioPort(await selectGpioBackend(gpioLog), config.gpio, clock);
    gpio.on('input', (c) => gpioLog.warn({ input: c.name, active: c.active }, 'input changed'));
    gpioLog.info(gpio.wired(), 'GPIO ready');
  }

  const sync = createSync(config, store, secrets, clock, logger);
  const core = new LockerCore({ config, store, hardware, gpio, codeKey: secrets.codeKey, clock, logger, expiryNow: () => sync.time.conservativeNowMs() });
  await core.start();
  // A member the office deactivates is logged out at the pull that says so, not at their next tap.
  sync.receiver.onApplied((r) => {
    if (r.staff > 0) core.staff.endInactiveSessions();
  });
  sync.service.start();
  const kiosk = await startKioskServer(config, core, logger, { simBus, demo: deps.demo });
  const admin = await startAdminServer({ config, core, store, hardware, gpio, sync, clock, version, startedMono }, logger);

  const tidy = housekeeping({
    config, store, clock, logger: storeLog, trustedNowMs: () => sync.time.trustedNowMs(),
    idle: () => core.compartments.states().every((c) => c.state !== 'open' && c.state !== 'reserved'),
  });
  const housekeepingTimer = setInterval(tidy, housekeepingIntervalMs);
  const stopMetrics = startMetricsTextfile({ config, store, hardware, core, sync, clock, version }, logger.child({ layer: 'metrics' }));
  // Boards online and compartments by state, for the office's lockers view: on change, and every 15 minutes.
  const statusReport = new StatusReporter({
    boards: config.boards.map((b) => b.address), poller: hardware.poller, compartments: core.compartments, outbox: store.outbox, clock, logger: storeLog,
  });
  statusReport.start();

  logger.info({ lockerId: config.lockerId, boards: config.boards.length, compartments: config.compartments.length, bus: config.bus.transport, mode: core.mode() }, 'ready');
  // Only now, with the database migrated, the boards polled, the kiosk and the admin socket answering.
  const notifier = new ServiceNotifier(deps.env ?? process.env, logger.child({ layer: 'systemd' }));
  await notifier.send('READY=1', `STATUS=in service: ${config.compartments.length} compartments, mode ${core.mode()}`);
  const watchdogMs = notifier.watchdogIntervalMs();
  const stopWatchdog = watchdogMs === undefined ? () => undefined : startWatchdog(notifier, watchdogMs, {
    clock, db: store.db, poller: hardware.poller, boards: config.boards.map((b) => b.address),
    maxPollAgeMs: Math.max(5_000, 20 * (config.bus.pollIntervalMs + config.bus.replyTimeoutMs)),
    officeProblems: () => sync.service.freshness().problems,
  }, logger.child({ layer: 'systemd' }));

  let stopped = false;
  return {
    config,
    store,
    hardware,
    simBus,
    gpio,
    core,
    sync,
    kiosk,
    async stop(reason: string): Promise<void> {
      if (stopped) return;
      stopped = true;
      logger.info({ reason }, 'stopping');
      stopWatchdog();
      await notifier.send('STOPPING=1', `STATUS=stopping: ${reason}`);
      clearInterval(housekeepingTimer);
      stopMetrics();
      statusReport.stop();
      // No new requests first, while those in flight finish (both at once: each waits at most 20 s, within the
      // unit's TimeoutStopSec of 30); then the office sync, the hardware, the machines, the database.
      await Promise.all([admin.close(), kiosk.close()]);
      await sync.service.stop();
      await hardware.stop();
      simBus?.stop();
      core.stop();
      gpio?.close();
      store.audit.append({ actor: 'system', action: 'daemon.stop', detail: { reason } });
      store.close();
      logger.info({ reason }, 'stopped');
    },
  };
}
