import { createServer, type Server } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { LockerCore } from '../core/locker-core.js';
import { KioskApi } from './api.js';
import { sendJson } from './http-util.js';

export interface KioskServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The kiosk's HTTP server on `kiosk.host:kiosk.port` (loopback by default: the screen's browser is local). */
export async function startKioskServer(config: Config, core: LockerCore, logger: Logger): Promise<KioskServer> {
  const log = logger.child({ layer: 'kiosk' });
  const api = new KioskApi(core, log);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://kiosk').pathname;
    api.handle(req, res, path).then((handled) => {
      if (!handled) sendJson(res, 404, { result: 'not-found' });
    }).catch((e: unknown) => {
      log.error({ err: (e as Error).message, path }, 'kiosk request failed');
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
  log.info({ host: config.kiosk.host, port }, 'kiosk listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
