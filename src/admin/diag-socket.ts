import { existsSync } from 'node:fs';

/** Where `deploy/install.sh`'s config puts the admin socket (and the schema's default). */
export const installedAdminSocket = '/run/urzedomat/admin.sock';

/**
 * Which admin socket `urzedomat diag` asks, when given no `--socket`: the one the named config says (`--config` or
 * URZEDOMAT_CONFIG); else, on an installed locker, the installed daemon's: a technician cannot read the daemon's
 * 0600 config, and should not have to name the socket to run `diag selftest`; else the simulation's, as in a
 * checkout running `npm start`.
 */
export function diagSocketPath(
  o: { socket?: string | undefined; configNamed: boolean },
  fromConfig: () => string,
  exists: (path: string) => boolean = existsSync,
): string {
  if (o.socket !== undefined) return o.socket;
  if (o.configNamed) return fromConfig();
  if (exists(installedAdminSocket)) return installedAdminSocket;
  return fromConfig();
}
