import { connect } from 'node:net';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { ReconnectingTransport, type Connection, type ConnectionHandlers, type ReconnectOptions } from './reconnecting.js';

export interface TcpOptions extends ReconnectOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

/** A KR-BU style TCP-to-RS-485 bridge: the same bytes as the serial line, over a TCP connection. */
export class TcpTransport extends ReconnectingTransport {
  readonly description: string;

  constructor(private readonly options: TcpOptions, clock: Clock, log: Logger) {
    super(clock, log, options);
    this.description = `tcp ${options.host}:${options.port}`;
  }

  protected connect(h: ConnectionHandlers): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: this.options.host, port: this.options.port });
      sock.setNoDelay(true);
      sock.setTimeout(this.options.connectTimeoutMs ?? 5_000, () => sock.destroy(new Error('connect timeout')));
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.setTimeout(0);
        sock.off('error', reject);
        sock.on('error', (e) => this.log.warn({ transport: this.description, err: e.message }, 'tcp error'));
        sock.on('data', (chunk) => h.onData(chunk));
        sock.on('close', () => h.onLost('connection closed'));
        resolve({
          write: (bytes) => new Promise<void>((ok, fail) => sock.write(bytes, (e) => (e ? fail(e) : ok()))),
          close: () =>
            new Promise<void>((ok) => {
              sock.removeAllListeners('close');
              sock.once('close', () => ok());
              sock.destroy();
            }),
        });
      });
    });
  }
}
