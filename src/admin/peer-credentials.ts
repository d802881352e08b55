import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/**
 * Who is on the other end of an admin-socket connection, as the kernel recorded it when that process called
 * connect(): getsockopt(SO_PEERCRED). Node has no API for it, so a forty-line Node-API addon of our own
 * (native/peer-credentials, built by `npm install` with node-gyp) asks; see docs/DESIGN-DECISIONS.md, "Who is
 * asking on the admin socket".
 */
export interface PeerCredentials {
  /** Effective uid of the connecting process at connect() time. */
  readonly uid: number;
  /** Its effective gid then. */
  readonly gid: number;
  /** Its pid then (it may have exited since, and the number been reused: for the log, not for decisions). */
  readonly pid: number;
}

interface Addon {
  peerCredentials(fd: number): PeerCredentials;
}

/** Where `npm install` (node-gyp) builds the addon, in a checkout and in /opt/urzedomat alike. */
export const peerCredentialsAddon = join(packageRoot, 'native', 'peer-credentials', 'build', 'Release', 'peer_credentials.node');

let loaded: Addon | Error | undefined;

function addon(): Addon {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(peerCredentialsAddon) as Addon;
    } catch (e) {
      loaded = new Error(`the peer-credentials addon cannot be loaded (${peerCredentialsAddon}: ${(e as Error).message.split('\n')[0]}); run npm install, which builds it`);
    }
  }
  if (loaded instanceof Error) throw loaded;
  return loaded;
}

/** Throws when the addon is missing: the admin server checks this once at start and says so in the log. */
export function assertPeerCredentialsAvailable(): void {
  addon();
}

/** The kernel's answer for one accepted Unix-socket connection; throws if it cannot be had. */
export function peerCredentials(sock: Socket): PeerCredentials {
  // A net.Socket on a Unix socket wraps a libuv pipe whose descriptor Node exposes (undocumented but stable) as
  // `_handle.fd`; it is -1 or absent only for a socket that is not open.
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('the connection has no file descriptor');
  const c = addon().peerCredentials(fd);
  return { uid: c.uid, gid: c.gid, pid: c.pid };
}

/** The account name of a uid from /etc/passwd (Node has os.userInfo for its own process only, no getpwuid). */
export function accountName(uid: number, passwdFile = '/etc/passwd'): string | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name !== undefined && name !== '' && id !== undefined && /^\d+$/.test(id) && Number(id) === uid) return name;
  }
  return undefined;
}
