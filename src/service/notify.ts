import { execFile } from 'node:child_process';
import type { Logger } from '../log.js';

/**
 * systemd's notification protocol (sd_notify): READY=1, WATCHDOG=1, STOPPING=1, STATUS=... Node cannot send
 * on a Unix datagram socket, so the messages go through `systemd-notify` (part of systemd, present wherever
 * the unit runs; the unit sets NotifyAccess=all because that helper is the sender). Without NOTIFY_SOCKET
 * (not started by systemd) nothing is sent.
 */
export class ServiceNotifier {
  private readonly socket: string | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv, private readonly log: Logger, private readonly helper = 'systemd-notify') {
    this.socket = env.NOTIFY_SOCKET === '' ? undefined : env.NOTIFY_SOCKET;
  }

  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /** Half the watchdog period systemd asked for (WATCHDOG_USEC), or undefined when there is none. */
  watchdogIntervalMs(): number | undefined {
    const usec = Number(this.env.WATCHDOG_USEC);
    const pid = this.env.WATCHDOG_PID;
    if (!Number.isFinite(usec) || usec <= 0) return undefined;
    if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return undefined; // meant for another process
    return Math.max(100, Math.floor(usec / 1000 / 2));
  }

  send(...assignments: string[]): Promise<void> {
    if (this.socket === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      execFile(this.helper, [`--pid=${process.pid}`, ...assignments], { env: { ...this.env, NOTIFY_SOCKET: this.socket }, timeout: 5_000 }, (err) => {
        if (err !== null) this.log.warn({ err: err.message, sent: assignments }, 'could not notify systemd');
        resolve();
      });
    });
  }
}
