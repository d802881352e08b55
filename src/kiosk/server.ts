import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { LockerCore } from '../core/locker-core.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';
import { KioskApi } from './api.js';
import { EventStream } from './event-stream.js';
import { sendJson } from './http-util.js';
import { ResidentSessions } from './resident-sessions.js';
import { screenInfo } from './screen-info.js';
import { SimPanelApi, type DemoNotes } from './sim-panel.js';
import { sendStatic, staticFile } from './static-files.js';

export interface KioskServer {
  readonly port: number;
  /** Live screens connected to `/api/events`. */
  readonly events: EventStream;
  /** Turns new requests away, lets running ones (a pickup waiting for its latch) finish, then closes. */
  close(drainMs?: number): Promise<void>;
}

export interface KioskOptions {
  /** Simulated boards: the simulator panel at `/sim` drives their doors. */
  readonly simBus?: SimulatedBus | undefined;
  readonly demo?: DemoNotes | undefined;
}

/** The screen asks the resident to shut the door after this long, well before the door-left-open alarm. */
const doorReminderMs = 30_000;

/**
 * The kiosk's HTTP server on `kiosk.host:kiosk.port` (loopback by default: the screen's browser is local):
 * the page at `/`, the API of contracts.md §3, live state as server-sent events, and with simulated boards
 * the simulator panel.
 */
export async function startKioskServer(config: Config, core: LockerCore, logger: Logger, o: KioskOptions = {}): Promise<KioskServer> {
  const log = logger.child({ layer: 'kiosk' });
  // Each step of the kiosk's start is logged: one CI run saw a start stop between the sync and "kiosk listening".
  log.info('kiosk starting: screen information');
  const info = await screenInfo(config);
  log.info('kiosk starting: listening');
  const events = new EventStream(() => [
    ['mode', { mode: core.mode() }],
    ['compartments', core.compartments.states()],
  ]);
  const onMode = (mode: string): void => events.publish('mode', { mode });
  core.modeChanges.on('mode', onMode);
  const onChange = (c: { id: number; type: string; publicState: string }): void => events.publish('compartment', { id: c.id, event: c.type, state: c.publicState });
  core.compartments.changes.on('change', onChange);
  const residents = new ResidentSessions(core, events, { idleMs: config.kiosk.residentIdleS * 1000, doorReminderMs: Math.min(doorReminderMs, config.doors.leftOpenAfterS * 1000) }, log);
  const api = new KioskApi(core, residents, log);
  const sim = o.simBus === undefined ? undefined : new SimPanelApi(o.simBus, config.compartments, core.compartments, o.demo);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://kiosk');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/events') return events.handle(req, res, url.searchParams);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/api/screen') return sendJson(res, 200, { ...info, mode: core.mode() });
    if (sim !== undefined && path.startsWith('/sim/api/') && await sim.handle(req, res, path)) return;
    if (await api.handle(req, res, path)) return;
    const file = req.method === 'GET' || req.method === 'HEAD' ? staticFile(path, sim !== undefined) : undefined;
    if (file !== undefined && await sendStatic(res, file)) return;
    sendJson(res, 404, { result: 'not-found' });
  };

  // Stopping: requests already running (a pickup waiting for its latch) finish; new ones are turned away.
  let closing = false;
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    if (closing) {
      sendJson(res, 503, { result: 'unavailable' }, { connection: 'close' });
      return;
    }
    const isStream = req.url?.startsWith('/api/events') === true;
    if (!isStream) {
      inFlight += 1;
      res.once('close', () => { inFlight -= 1; });
    }
    route(req, res).catch((e: unknown) => {
      log.error({ err: (e as Error).message, path: req.url }, 'kiosk request failed');
      if (!res.headersSent) sendJson(res, 503, { result: 'unavailable' });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.kiosk.port, config.kiosk.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.kiosk.port;
  log.info({ host: config.kiosk.host, port, simPanel: sim !== undefined }, 'kiosk listening');
  return {
    port,
    events,
    async close(drainMs = 20_000): Promise<void> {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const until = Date.now() + drainMs;
      while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      if (inFlight > 0) log.warn({ inFlight }, 'kiosk requests still running at stop; cut off');
      core.modeChanges.off('mode', onMode);
      core.compartments.changes.off('change', onChange);
      residents.stop();
      events.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
