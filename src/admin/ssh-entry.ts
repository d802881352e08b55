import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { adminRequest } from './client.js';
import { diagCommand, DiagExit } from './diag-command.js';
import type { Technician } from './protocol.js';
import { checkSshCommand } from './ssh-command.js';

export interface SshEntryOptions {
  /** The daemon's admin socket (fixed by the ForceCommand line, never by the technician). */
  readonly socket: string;
  /** `SHA256:<fingerprint> <name>` per line: who each technician key belongs to. */
  readonly namesFile: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** The SHA256 fingerprint of the key the session authenticated with, from sshd's ExposeAuthInfo file. */
export function keyFingerprint(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.SSH_USER_AUTH;
  if (file === undefined) return undefined;
  try {
    const m = /^publickey\s+\S+\s+([A-Za-z0-9+/=]+)/m.exec(readFileSync(file, 'utf8'));
    if (m === null) return undefined;
    return 'SHA256:' + createHash('sha256').update(Buffer.from(m[1]!, 'base64')).digest('base64').replace(/=+$/, '');
  } catch {
    return undefined;
  }
}

function nameOf(fingerprint: string | undefined, namesFile: string | undefined): string | undefined {
  if (fingerprint === undefined || namesFile === undefined) return undefined;
  try {
    for (const line of readFileSync(namesFile, 'utf8').split('\n')) {
      const [fp, ...rest] = line.trim().split(/\s+/);
      if (fp === fingerprint && rest.length > 0) return rest.join(' ').slice(0, 64);
    }
  } catch {
    // no names file: the fingerprint identifies the technician
  }
  return undefined;
}

/**
 * `urzedomat ssh-entry`: sshd's ForceCommand for the technicians' account. Runs one `diag` command from
 * SSH_ORIGINAL_COMMAND with the technician's identity (account, key fingerprint, name) attached, or refuses it,
 * tells the technician why, and has the daemon audit the attempt.
 */
export async function sshEntry(o: SshEntryOptions): Promise<number> {
  const fingerprint = keyFingerprint(o.env);
  const who: Technician = { account: userInfo().username, via: 'ssh', key: fingerprint, name: nameOf(fingerprint, o.namesFile) };
  const command = o.env.SSH_ORIGINAL_COMMAND;
  const verdict = checkSshCommand(command);
  if (!verdict.ok) {
    o.err(`urzedomat: refused: ${verdict.why}`);
    await adminRequest(o.socket, { cmd: 'ssh-refused', args: { command: command ?? '', why: verdict.why }, who }, 3_000).catch(() => undefined);
    return DiagExit.refused;
  }
  let code: number = DiagExit.ok;
  const program = new Command('urzedomat').exitOverride().configureOutput({ writeOut: (s) => o.out(s.trimEnd()), writeErr: (s) => o.err(s.trimEnd()) });
  program.addCommand(diagCommand({ socketPath: () => o.socket, who: () => who, out: o.out, err: o.err, setExit: (c) => { code = c; }, allowTargets: false }));
  try {
    await program.parseAsync(['node', 'urzedomat', ...verdict.argv]);
  } catch (e) {
    const exitCode = (e as { exitCode?: number }).exitCode;
    return typeof exitCode === 'number' ? exitCode : DiagExit.failed;
  }
  return code;
}
