import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { openDatabase, type Db } from '../../src/store/open.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/**
 * Technician access as a standard install lays it out: `deploy/install.sh --root` into a system tree whose
 * accounts start as this machine's, then, in private mount namespaces that show that tree at the real paths
 * (/etc, /opt/urzedomat, /usr/bin/urzedomat, /var/lib, /run), the daemon runs as install.sh's `urzedomat` account
 * with its groups and the unit's umask, on the installed config (only the bus, the office address and the kiosk
 * port changed, as README step 4 has the installer do), and a real OpenSSH server runs with the installed
 * drop-in as it is. The technician logs in as `urzedomat-tech` with a key named in /etc/urzedomat/technicians:
 * `diag status --json` works, `diag open` and every refusal are audited with the key's name and the kernel's
 * account, and twenty-five forbidden things are refused (sixteen commands through the entry, scp, sftp, a
 * direct and a remote forward, NODE_OPTIONS by SetEnv and SendEnv, a terminal, a password, another account).
 * The technicians' account reads none of the config and secrets. Needs root (install.sh sets owners; mount
 * namespaces; sshd), as CI has; the machine's own accounts and files are not changed.
 */
const tech = 'urzedomat-tech';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Run { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')} hung; ${stderr}`)); }, o.timeoutMs ?? 20_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(o.input ?? '');
  });
}

describe('technician over a real OpenSSH server, on the layout install.sh makes', () => {
  const t = tempDir('urz-ssh-');
  const root = join(t.dir, 'root');
  const at = (p: string): string => join(root, p);
  let daemon: ChildProcess;
  let daemonExited: Promise<void>;
  const daemonLog: Record<string, unknown>[] = [];
  let sshd: ChildProcess;
  let sshdExited: Promise<void>;
  let sshdLog = '';
  let port: number;
  let kioskPort: number;
  let db: Db | undefined;
  let techUid: number;
  const key = join(t.dir, 'id_ed25519');
  const sshOpts = (): string[] => [
    '-F', '/dev/null', '-i', key, '-p', String(port), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(t.dir, 'known_hosts')}`, '-o', 'LogLevel=ERROR',
  ];
  const ssh = (args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> => run('ssh', [...sshOpts(), ...args], o);
  const idOf = (file: 'passwd' | 'group', name: string): number => {
    const line = readFileSync(at(`etc/${file}`), 'utf8').split('\n').find((l) => l.startsWith(name + ':'));
    if (line === undefined) throw new Error(`install.sh made no ${file} entry ${name}`);
    return Number(line.split(':')[2]);
  };
  const database = (): Db => (db ??= openDatabase(at('var/lib/urzedomat/urzedomat.db'), { readonly: true }));
  const refusals = (): { actor: string; detail: string }[] =>
    database().prepare("SELECT actor, detail FROM audit_log WHERE action = 'technician.refused' ORDER BY seq").all() as never;

  /**
   * A command in a mount namespace of its own that shows install.sh's tree at the real paths: the tree's /etc,
   * /usr/bin and /var/lib over this machine's (read-only unions, the tree on top), its /opt and /run instead of
   * this machine's, and the daemon's data directory writable. Nothing outside the namespace sees a change.
   */
  const inTree = (script: string): string[] => ['--mount', '--propagation', 'private', '--', 'sh', '-euc', [
    `mount -t overlay urz-etc -o lowerdir=${at('etc')}:/etc /etc`,
    `mount -t overlay urz-bin -o lowerdir=${at('usr/bin')}:/usr/bin /usr/bin`,
    `mount -t overlay urz-lib -o lowerdir=${at('var/lib')}:/var/lib /var/lib`,
    `mount --bind ${at('var/lib/urzedomat')} /var/lib/urzedomat`,
    `mount --bind ${at('opt')} /opt`,
    `mount --bind ${at('run')} /run`,
    script,
  ].join('\n')];

  beforeAll(async () => {
    expect(process.getuid?.(), 'this test installs into a tree, uses mount namespaces and runs sshd: it needs root, as CI has').toBe(0);
    if (!existsSync('/usr/sbin/sshd')) throw new Error('openssh-server is missing: .ci/run installs it');
    chmodSync(t.dir, 0o755); // the technicians' account may pass (the NODE_OPTIONS test puts its bait here)

    // A system tree whose accounts are this machine's (so sshd and the rest keep theirs), then install.sh into it.
    mkdirSync(at('etc'), { recursive: true });
    for (const f of ['passwd', 'group', 'shadow', 'gshadow']) {
      const s = statSync(join('/etc', f));
      copyFileSync(join('/etc', f), at(`etc/${f}`));
      chownSync(at(`etc/${f}`), s.uid, s.gid);
      chmodSync(at(`etc/${f}`), s.mode & 0o7777);
    }
    const secrets = join(t.dir, 'secrets');
    mkdirSync(secrets, { mode: 0o700 });
    writeFileSync(join(secrets, 'office.token'), randomBytes(24).toString('base64url') + '\n');
    writeFileSync(join(secrets, 'code.key'), randomBytes(32).toString('hex') + '\n');
    writeFileSync(join(secrets, 'office-ed25519.pub.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const install = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('bash', [join(packageRoot, 'deploy', 'install.sh'), '--root', root, '--no-build', '--secrets-from', secrets], { timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? 1, out: stdout + stderr }));
    });
    expect(install.code, install.out).toBe(0);
    techUid = idOf('passwd', tech);
    const daemonUid = idOf('passwd', 'urzedomat');
    const daemonGid = idOf('group', 'urzedomat');

    // README step 4: the installed config, with simulated boards, an office on loopback and a free kiosk port.
    // The file keeps the owner and mode install.sh gave it; its admin section is left as installed.
    const configFile = at('etc/urzedomat/urzedomat.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, any>;
    expect(config.admin).toEqual({ socket: '/run/urzedomat/admin.sock', group: tech });
    expect(config.dataDir).toBe('/var/lib/urzedomat');
    config.bus = { transport: 'simulated', pollIntervalMs: 20, unlockMinIntervalMs: 200, unlockConfirmTimeoutMs: 600 };
    config.office.url = 'http://127.0.0.1:9/urzedomat';
    kioskPort = randomKioskPort();
    config.kiosk = { ...config.kiosk, port: kioskPort };
    writeFileSync(configFile, JSON.stringify(config, null, 2));

    // README step 7: the technician's key and its name.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(t.dir, 'host_ed25519')]);
    writeFileSync(at('var/lib/urzedomat-tech/.ssh/authorized_keys'), readFileSync(key + '.pub'), { mode: 0o644 });
    const fingerprint = execFileSync('ssh-keygen', ['-lf', key + '.pub'], { encoding: 'utf8' }).split(' ')[1]!;
    writeFileSync(at('etc/urzedomat/technicians'), `${fingerprint} Jan Testowy\n`);

    // What systemd makes for the unit (RuntimeDirectory=urzedomat, 0750, User= and Group=urzedomat), and sshd's
    // privilege-separation directory.
    mkdirSync(at('run'), { mode: 0o755 });
    mkdirSync(at('run/urzedomat'), { mode: 0o750 });
    chownSync(at('run/urzedomat'), daemonUid, daemonGid);
    mkdirSync(at('run/sshd'), { mode: 0o755 });

    // The daemon as the unit runs it: its account with that account's groups (the unit's SupplementaryGroups are
    // the ones install.sh gave it), umask 0027, the installed program and config.
    daemon = spawn('unshare', inTree('umask 027; exec setpriv --reuid=urzedomat --regid=urzedomat --init-groups -- /usr/bin/urzedomat run --config /etc/urzedomat/urzedomat.json'),
      { env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let daemonErr = '';
    let partial = '';
    daemon.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        daemonLog.push(JSON.parse(partial.slice(0, nl)) as Record<string, unknown>);
        partial = partial.slice(nl + 1);
      }
    });
    daemon.stderr!.on('data', (d: Buffer) => (daemonErr += d.toString()));
    daemonExited = new Promise((resolve) => daemon.on('close', () => resolve()));
    await until(() => daemonLog.some((l) => l.msg === 'admin socket listening') || daemon.exitCode !== null, 60_000, 'the installed daemon listening')
      .catch((e: Error) => { throw new Error(`${e.message}; stderr: ${daemonErr}; log: ${JSON.stringify(daemonLog.slice(-5))}`); });
    expect(daemon.exitCode, daemonErr).toBeNull();

    // The installed drop-in, unchanged, in a server that listens on a loopback port and admits only that account.
    expect(readFileSync(at('etc/ssh/sshd_config.d/urzedomat.conf'), 'utf8')).toBe(readFileSync(join(packageRoot, 'deploy/ssh/urzedomat-sshd.conf'), 'utf8'));
    port = await freePort();
    writeFileSync(join(t.dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(t.dir, 'host_ed25519')}`, `PidFile ${join(t.dir, 'sshd.pid')}`,
      'StrictModes yes', 'UsePAM no', 'PermitRootLogin no', `AllowUsers ${tech}`, 'Subsystem sftp internal-sftp', 'LogLevel VERBOSE',
      'Include /etc/ssh/sshd_config.d/urzedomat.conf',
    ].join('\n') + '\n');
    const check = await run('unshare', inTree(`exec /usr/sbin/sshd -t -f ${join(t.dir, 'sshd_config')}`));
    expect(check.stderr).toBe('');
    sshd = spawn('unshare', inTree(`exec /usr/sbin/sshd -D -e -f ${join(t.dir, 'sshd_config')}`), { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr!.on('data', (d: Buffer) => (sshdLog += d.toString()));
    sshdExited = new Promise((resolve) => sshd.on('close', () => resolve()));
    await until(() => sshdLog.includes('Server listening') || sshd.exitCode !== null, 10_000, 'sshd listening');
    expect(sshd.exitCode, sshdLog).toBeNull();
  }, 180_000);

  afterAll(async () => {
    db?.close();
    sshd?.kill('SIGTERM');
    daemon?.kill('SIGTERM');
    // A daemon still starting finishes its start before it stops: give it the unit's 30 s, then SIGKILL.
    const killer = setTimeout(() => daemon?.kill('SIGKILL'), 30_000);
    await Promise.all([sshdExited, daemonExited]);
    clearTimeout(killer);
    t.cleanup();
  }, 40_000);

  it('the daemon runs as install.sh\'s account and gives the socket to the technicians\' group', () => {
    const s = statSync(at('run/urzedomat/admin.sock'));
    expect({ uid: s.uid, gid: s.gid, mode: s.mode & 0o777 }).toEqual({ uid: idOf('passwd', 'urzedomat'), gid: idOf('group', tech), mode: 0o660 });
    const c = statSync(at('etc/urzedomat/urzedomat.json'));
    expect({ uid: c.uid, mode: c.mode & 0o777 }).toEqual({ uid: idOf('passwd', 'urzedomat'), mode: 0o600 });
  });

  it('the technicians\' account reads the key names, and none of the config and secrets', async () => {
    const files = ['urzedomat.json', 'office.token', 'office-ed25519.pub.pem', 'code.key'].map((f) => `/etc/urzedomat/${f}`);
    const r = await run('unshare', inTree(`exec setpriv --reuid=${tech} --regid=${tech} --init-groups -- sh -c '
      for f in ${files.join(' ')}; do if cat "$f" >/dev/null 2>&1; then echo "readable $f"; fi; done
      cat /etc/urzedomat/technicians >/dev/null && echo names readable'`));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('names readable');
  });

  it('a key login runs diag status --json', async () => {
    const r = await ssh([`${tech}@127.0.0.1`, 'diag status --json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ lockerId: 'czestochowa-focha-1', boards: [{ address: 0, online: true }] });
  });

  it('diag open over SSH is audited with the key\'s name and the kernel\'s account', async () => {
    const r = await ssh([`${tech}@127.0.0.1`, 'diag open 1 --reason "sprawdzenie zamka"']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const row = database().prepare("SELECT actor, detail FROM audit_log WHERE action = 'compartment.unlock' ORDER BY seq DESC").get() as { actor: string; detail: string };
    expect(row.actor).toBe(`technician:Jan Testowy (${tech}, uid ${techUid})`);
    expect(JSON.parse(row.detail).reason).toBe('sprawdzenie zamka');
  });

  it('a refused command is refused and recorded with the key\'s name: in the audit log and the daemon\'s log', async () => {
    const before = refusals().length;
    const r = await ssh([`${tech}@127.0.0.1`, 'rm -rf /']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('urzedomat: refused: "rm" is not allowed');
    const rows = refusals();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.actor).toBe(`technician:Jan Testowy (${tech}, uid ${techUid})`);
    expect(JSON.parse(rows.at(-1)!.detail)).toMatchObject({ command: 'rm -rf /', why: '"rm" is not allowed: this account runs only "diag <command>"' });
    const line = daemonLog.findLast((l) => l.msg === 'admin request' && l.cmd === 'ssh-refused');
    expect(line).toMatchObject({ who: { account: tech, name: 'Jan Testowy', via: 'ssh' }, account: tech, peer: { uid: techUid } });
  });

  const viaEntry: [string, string[], string][] = [
    ['no command (an interactive shell)', ['-T'], 'no command given'],
    ['bash', ['bash'], '"bash" is not allowed'],
    ['sh -c id', ['sh -c id'], '"sh" is not allowed'],
    ['id', ['id'], '"id" is not allowed'],
    ['rm -rf /', ['rm -rf /'], '"rm" is not allowed'],
    ['a command after ;', ['diag status; id'], 'shell syntax'],
    ['a command after &&', ['diag status && id'], 'shell syntax'],
    ['a pipe', ['diag status | cat'], 'shell syntax'],
    ['command substitution', ['diag status $(id)'], 'shell syntax'],
    ['backticks', ['diag status `id`'], 'shell syntax'],
    ['a substitution inside quotes', ['diag open 1 --reason "$(reboot)"'], 'substitutions'],
    ['a newline', ['diag status\nid'], 'control characters'],
    ['another socket', ['diag status --socket /tmp/evil.sock'], 'option --socket is not allowed'],
    ['another config', ['diag status --config /tmp/evil.json'], 'option --config is not allowed'],
    ['env in front', ['env NODE_OPTIONS=--inspect diag status'], '"env" is not allowed'],
    ['a daemon of its own', ['urzedomat run'], '"run" is not allowed'],
  ];
  it.each(viaEntry)('refuses %s (exit 3, a reason, audited with the key\'s name)', async (_what, args, why) => {
    const before = refusals().length;
    const r = await ssh([`${tech}@127.0.0.1`, ...args]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`urzedomat: refused: ${why}`);
    const rows = refusals();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.actor).toBe(`technician:Jan Testowy (${tech}, uid ${techUid})`);
  });

  it('refuses scp (legacy protocol) and sftp', async () => {
    writeFileSync(join(t.dir, 'payload'), 'x');
    const scp = await run('scp', ['-O', ...sshOpts().map((o) => (o === '-p' ? '-P' : o)), join(t.dir, 'payload'), `${tech}@127.0.0.1:/tmp/urz-payload`]);
    expect(scp.code).not.toBe(0);
    expect(existsSync('/tmp/urz-payload')).toBe(false);
    const sftp = await run('sftp', ['-b', '-', ...sshOpts().map((o) => (o === '-p' ? '-P' : o)), `${tech}@127.0.0.1`], { input: 'put ' + join(t.dir, 'payload') + ' /tmp/urz-payload2\n' });
    expect(sftp.code).not.toBe(0);
    expect(existsSync('/tmp/urz-payload2')).toBe(false);
  });

  it('refuses port forwarding: a direct connection to the kiosk, and a remote listener', async () => {
    const direct = await ssh(['-W', `127.0.0.1:${kioskPort}`, `${tech}@127.0.0.1`], { input: 'GET / HTTP/1.0\r\n\r\n' });
    expect(direct.code).not.toBe(0);
    expect(direct.stdout).not.toContain('HTTP/1');
    const remote = await ssh(['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:22', `${tech}@127.0.0.1`]);
    expect(remote.code).toBe(255);
    expect(remote.stderr).toMatch(/remote port forwarding failed/i);
  });

  it('environment tricks do not reach the tool: NODE_OPTIONS sent by the client is not accepted', async () => {
    const marker = join(t.dir, 'evil-ran');
    writeFileSync(join(t.dir, 'evil.cjs'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
    chmodSync(join(t.dir, 'evil.cjs'), 0o644);
    const viaSetEnv = await ssh(['-o', `SetEnv=NODE_OPTIONS=--require=${join(t.dir, 'evil.cjs')}`, `${tech}@127.0.0.1`, 'diag status --json']);
    const viaSendEnv = await ssh(['-o', 'SendEnv=NODE_OPTIONS', `${tech}@127.0.0.1`, 'diag status --json'], { env: { NODE_OPTIONS: `--require=${join(t.dir, 'evil.cjs')}` } });
    expect(viaSetEnv.code).toBe(0);
    expect(viaSendEnv.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('no terminal is given, and no password or other account gets in', async () => {
    const tty = await ssh(['-tt', `${tech}@127.0.0.1`, 'diag status --json']);
    expect(tty.stderr).toMatch(/PTY allocation request failed/);
    const password = await run('ssh', [...sshOpts().filter((o) => o !== key && o !== '-i'), '-o', 'PreferredAuthentications=password,keyboard-interactive', `${tech}@127.0.0.1`, 'diag status']);
    expect(password.code).toBe(255);
    const rootLogin = await ssh([`root@127.0.0.1`, 'diag status']);
    expect(rootLogin.code).toBe(255);
    expect(rootLogin.stdout).toBe('');
  });
});
