import { chmodSync, chownSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, UrzError } from '../errors.js';

/** The group id of a group name, from /etc/group (Node has no getgrnam). */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  for (const line of readFileSync(groupFile, 'utf8').split('\n')) {
    const [g, , gid] = line.split(':');
    if (g === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/**
 * The socket's directory: created 0750, owned by the daemon's user and the technicians' group. A directory
 * anyone may write to (such as /tmp) is refused: there the socket could be replaced by someone else's.
 */
export function prepareSocketDir(socketPath: string, gid: number | undefined): void {
  const dir = dirname(socketPath);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const st = statSync(dir);
  if ((st.mode & 0o002) !== 0 || (st.mode & 0o1000) !== 0) {
    throw new UrzError(ErrorCodes.ConfigInvalid, `admin.socket: ${dir} is writable by anyone; give the socket a directory of its own (such as /run/urzedomat)`);
  }
  if (st.uid !== process.getuid?.()) return; // not ours to change (its owner set it up)
  if (gid !== undefined && st.gid !== gid) chownSync(dir, st.uid, gid);
  chmodSync(dir, 0o750);
}

/** The socket itself: read-write for the daemon's user and the technicians' group, nothing for others. */
export function protectSocket(socketPath: string, gid: number | undefined): void {
  if (gid !== undefined) chownSync(socketPath, process.getuid?.() ?? 0, gid);
  chmodSync(socketPath, 0o660);
}
