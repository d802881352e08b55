import { SerialPort } from 'serialport';
import { SerialPortStream } from '@serialport/stream';
import type { OpenOptions } from '@serialport/stream';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { ReconnectingTransport, type Connection, type ConnectionHandlers, type ReconnectOptions } from './reconnecting.js';

export interface SerialOptions extends ReconnectOptions {
  path: string;
  baudRate: number;
  /** The serialport binding; the operating system's by default, `@serialport/binding-mock` in tests. */
  binding?: OpenOptions['binding'];
}

/**
 * A USB RS-485 adapter (or any tty) through node-serialport, 8N1. Direction control is the adapter's or the
 * kernel's job (see deploy/): node-serialport cannot toggle a DE pin in time.
 */
export class SerialTransport extends ReconnectingTransport {
  readonly description: string;

  constructor(private readonly options: SerialOptions, clock: Clock, log: Logger) {
    super(clock, log, options);
    this.description = `serial ${options.path} @${options.baudRate}`;
  }

  protected connect(h: ConnectionHandlers): Promise<Connection> {
    const port = new SerialPortStream({
      binding: this.options.binding ?? SerialPort.binding,
      path: this.options.path,
      baudRate: this.options.baudRate,
      dataBits: 8,
      stopBits: 1,
      parity: 'none',
      autoOpen: false,
    });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        port.on('data', (chunk: Buffer) => h.onData(chunk));
        port.on('close', () => h.onLost('port closed'));
        port.on('error', (e: Error) => this.log.warn({ transport: this.description, err: e.message }, 'serial port error'));
        resolve({
          write: (bytes) =>
            new Promise<void>((ok, fail) => {
              port.write(bytes, (e) => (e ? fail(e) : port.drain((d) => (d ? fail(d) : ok()))));
            }),
          close: () =>
            new Promise<void>((ok) => {
              port.removeAllListeners('close');
              if (!port.isOpen) ok();
              else port.close(() => ok());
            }),
        });
      });
    });
  }
}
