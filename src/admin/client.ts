import { connect } from 'node:net';
import { ErrorCodes, UrzError } from '../errors.js';

import { adminProtocolVersion, type Technician } from './protocol.js';

function hintFor(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') return ' (is the daemon running?)';
  return e.code === 'EACCES' ? ' (is this account in the technicians group?)' : '';
}

export interface AdminRequest {
  readonly cmd: string;
  readonly args?: Record<string, unknown>;
  readonly who?: Technician;
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
    sock.on('error', (e: NodeJS.ErrnoException) => fail(`${e.code ?? e.message}${hintFor(e)}`, e));
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

/**
 * `watch`: sends the request and hands every line after the first answer to `onEvent` until the daemon closes
 * the connection or `signal` aborts. Resolves with the first answer.
 */
export function adminStream(socketPath: string, req: AdminRequest, onEvent: (e: unknown) => void, signal: AbortSignal, onReady: () => void = () => undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    let first = true;
    signal.addEventListener('abort', () => { sock.destroy(); resolve(); }, { once: true });
    sock.on('error', (e: NodeJS.ErrnoException) => reject(new UrzError(ErrorCodes.AdminUnreachable, `cannot reach the daemon at ${socketPath}: ${e.code ?? e.message}${hintFor(e)}`, { cause: e })));
    sock.on('connect', () => sock.write(JSON.stringify({ v: adminProtocolVersion, ...req }) + '\n'));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const v = JSON.parse(line) as unknown;
        if (first) {
          first = false;
          const a = v as { ok?: boolean; error?: { message?: string } };
          if (a.ok !== true) {
            sock.destroy();
            reject(new Error(a.error?.message ?? 'refused'));
            return;
          }
          onReady();
        } else onEvent(v);
      }
    });
    sock.on('close', () => resolve());
  });
}
