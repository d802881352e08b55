import { createServer, type Server, type Socket } from 'node:net';
import type { SimulatedBus } from './sim-bus.js';

export interface SimServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly replyDelayMs: number;
}

/**
 * Serves simulated boards over TCP, as a KR-BU bridge does with real ones. `urzedomat sim-bus --pty` puts a
 * pseudo-terminal in front of it, so the daemon can reach the same boards through its serial transport.
 */
export interface SimServer {
  readonly server: Server;
  readonly port: number;
  /** Cuts every open connection, as a rebooting bridge does. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function serveSimulatedBus(bus: SimulatedBus, o: SimServerOptions): Promise<SimServer> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk) => {
      bus.receive(chunk, (reply) => {
        setTimeout(() => {
          if (!sock.destroyed) sock.write(reply.bytes);
        }, o.replyDelayMs + reply.extraDelayMs);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  return {
    server,
    port,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
