import { connect } from 'node:net';
import { ErrorCodes, UrzError } from '../errors.js';

/** Version of the admin socket's request format; the daemon refuses versions it does not speak. */
export const adminProtocolVersion = 1;

export interface AdminRequest {
  readonly cmd: string;
  readonly args?: Record<string, unknown>;
}

/**
 * Sends one request to the daemon's admin socket and returns its one-line JSON answer.
 * Any failure to reach the daemon becomes ADMIN_UNREACHABLE (the technician tool's exit 2).
 */
export function adminRequest(socketPath: string, req: AdminRequest, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    const fail = (why: string, cause?: unknown): void => {
      sock.destroy();
      reject(new UrzError(ErrorCodes.AdminUnreachable, `cannot reach the daemon at ${socketPath}: ${why}`, { cause }));
    };
    sock.setTimeout(timeoutMs, () => fail('no answer in time'));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? ' (is the daemon running?)' : e.code === 'EACCES' ? ' (is this account in the technicians group?)' : '';
      fail(`${e.code ?? e.message}${hint}`, e);
    });
    sock.on('connect', () => sock.write(JSON.stringify({ v: adminProtocolVersion, ...req }) + '\n'));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)));
      } catch (e) {
        fail('the answer was not JSON', e);
      }
    });
    sock.on('end', () => {
      if (!buf.includes('\n')) fail('the connection closed without an answer');
    });
  });
}
