import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { encodeCu48Unlock } from '../../hardware/protocols/kerong-cu48/codec.js';
import { packageRoot } from '../../src/paths.js';
import { cliPath } from '../helpers/cli.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/**
 * A real OpenSSH server (Debian's, installed by .ci/run) on a loopback port, configured with the shipped
 * drop-in deploy/ssh/urzedomat-sshd.conf: the technician logs in with a key and runs `diag status --json`;
 * twenty-four forbidden things are refused (fifteen commands through the entry, scp, sftp, a direct and a
 * remote forward, NODE_OPTIONS by SetEnv and SendEnv, a terminal, a password, another account). Needs root (to add the account and run sshd), as CI has.
 */
const account = 'urz-tech-test';

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

describe('technician over a real OpenSSH server', () => {
  const t = tempDir('urz-ssh-');
  let rig: KioskRig;
  let sshd: ChildProcess;
  let port: number;
  let sshdLog = '';
  const key = join(t.dir, 'id_ed25519');
  const sshOpts = (): string[] => [
    '-F', '/dev/null', '-i', key, '-p', String(port), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(t.dir, 'known_hosts')}`, '-o', 'LogLevel=ERROR',
  ];
  const ssh = (args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> => run('ssh', [...sshOpts(), ...args], o);
  const refusals = (): number => (rig.daemon.store.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'technician.refused'").get() as { n: number }).n;

  beforeAll(async () => {
    expect(process.getuid?.(), 'this test adds an account and runs sshd: it needs root, as CI has').toBe(0);
    if (!existsSync('/usr/sbin/sshd')) throw new Error('openssh-server is missing: .ci/run installs it');
    try {
      execFileSync('id', [account], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', account]);
    }
    execFileSync('usermod', ['-p', '*', '-d', t.dir, account]); // no password, but not locked (sshd refuses locked accounts); a home
    chmodSync(t.dir, 0o755);
    rig = await startKioskRig((raw) => { raw.admin = { socket: join(t.dir, 'run', 'admin.sock'), group: account }; });
    rig.addDocument({ id: 'A-1', phone: '600100201', code: '11112222' });

    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(t.dir, 'host_ed25519')]);
    writeFileSync(join(t.dir, 'authorized_keys'), readFileSync(key + '.pub'));
    const fingerprint = execFileSync('ssh-keygen', ['-lf', key + '.pub'], { encoding: 'utf8' }).split(' ')[1]!;
    writeFileSync(join(t.dir, 'technicians'), `${fingerprint} Jan Testowy\n`);
    chmodSync(join(t.dir, 'technicians'), 0o644);

    // The shipped drop-in, with only the account name and the ForceCommand's paths changed for this machine.
    const dropIn = readFileSync(join(packageRoot, 'deploy', 'ssh', 'urzedomat-sshd.conf'), 'utf8')
      .replace('Match User urzedomat-tech', `Match User ${account}`)
      .replace(/^(\s+)ForceCommand .*$/m, `$1ForceCommand ${process.execPath} ${cliPath} ssh-entry --socket ${rig.daemon.config.admin.socket} --names ${join(t.dir, 'technicians')}`);
    expect(dropIn).toContain('DisableForwarding yes');
    expect(dropIn).toContain(`ForceCommand ${process.execPath}`);
    port = await freePort();
    writeFileSync(join(t.dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(t.dir, 'host_ed25519')}`, `PidFile ${join(t.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(t.dir, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PermitRootLogin no', `AllowUsers ${account}`,
      'Subsystem sftp internal-sftp', 'LogLevel VERBOSE', dropIn,
    ].join('\n'));
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    execFileSync('/usr/sbin/sshd', ['-t', '-f', join(t.dir, 'sshd_config')]);
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(t.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr!.on('data', (d: Buffer) => (sshdLog += d.toString()));
    await until(() => sshdLog.includes('Server listening'), 10_000, 'sshd listening');
  }, 60_000);

  afterAll(async () => {
    sshd?.kill('SIGTERM');
    await rig?.stop();
    t.cleanup();
  });

  it('a key login runs diag status --json', async () => {
    const r = await ssh([`${account}@127.0.0.1`, 'diag status --json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ lockerId: 'czestochowa-focha-1', boards: [{ address: 0, online: true }, { address: 1, online: true }] });
  });

  it('diag open over SSH is audited with the technician taken from the key', async () => {
    rig.resetFrames();
    const r = await ssh([`${account}@127.0.0.1`, 'diag open 6 --reason "sprawdzenie zamka"']);
    expect(r.code).toBe(0);
    expect(rig.unlockFrames()).toEqual([encodeCu48Unlock(0, 6).toString('hex')]);
    const row = rig.daemon.store.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'compartment.unlock' ORDER BY seq DESC").get() as { actor: string; detail: string };
    expect(row.actor).toBe('technician:Jan Testowy');
    expect(JSON.parse(row.detail).reason).toBe('sprawdzenie zamka');
    rig.closeDoor(6);
  });

  const viaEntry: [string, string[], string][] = [
    ['no command (an interactive shell)', ['-T'], 'no command given'],
    ['bash', ['bash'], '"bash" is not allowed'],
    ['sh -c id', ['sh -c id'], '"sh" is not allowed'],
    ['id', ['id'], '"id" is not allowed'],
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
  it.each(viaEntry)('refuses %s (exit 3, a reason, audited)', async (_what, args, why) => {
    const before = refusals();
    const r = await ssh([`${account}@127.0.0.1`, ...args]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`urzedomat: refused: ${why}`);
    expect(refusals()).toBe(before + 1);
  });

  it('refuses scp (legacy protocol) and sftp', async () => {
    writeFileSync(join(t.dir, 'payload'), 'x');
    const scp = await run('scp', ['-O', ...sshOpts().map((o) => (o === '-p' ? '-P' : o)), join(t.dir, 'payload'), `${account}@127.0.0.1:/tmp/urz-payload`]);
    expect(scp.code).not.toBe(0);
    expect(existsSync('/tmp/urz-payload')).toBe(false);
    const sftp = await run('sftp', ['-b', '-', ...sshOpts().map((o) => (o === '-p' ? '-P' : o)), `${account}@127.0.0.1`], { input: 'put ' + join(t.dir, 'payload') + ' /tmp/urz-payload2\n' });
    expect(sftp.code).not.toBe(0);
    expect(existsSync('/tmp/urz-payload2')).toBe(false);
  });

  it('refuses port forwarding: a direct connection to the kiosk, and a remote listener', async () => {
    const direct = await ssh(['-W', `127.0.0.1:${rig.daemon.kiosk.port}`, `${account}@127.0.0.1`], { input: 'GET / HTTP/1.0\r\n\r\n' });
    expect(direct.code).not.toBe(0);
    expect(direct.stdout).not.toContain('HTTP/1');
    const remote = await ssh(['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:22', `${account}@127.0.0.1`]);
    expect(remote.code).toBe(255);
    expect(remote.stderr).toMatch(/remote port forwarding failed/i);
  });

  it('environment tricks do not reach the tool: NODE_OPTIONS sent by the client is not accepted', async () => {
    const marker = join(t.dir, 'evil-ran');
    writeFileSync(join(t.dir, 'evil.cjs'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
    chmodSync(join(t.dir, 'evil.cjs'), 0o644);
    const viaSetEnv = await ssh(['-o', `SetEnv=NODE_OPTIONS=--require=${join(t.dir, 'evil.cjs')}`, `${account}@127.0.0.1`, 'diag status --json']);
    const viaSendEnv = await ssh(['-o', 'SendEnv=NODE_OPTIONS', `${account}@127.0.0.1`, 'diag status --json'], { env: { NODE_OPTIONS: `--require=${join(t.dir, 'evil.cjs')}` } });
    expect(viaSetEnv.code).toBe(0);
    expect(viaSendEnv.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('no terminal is given, and no password or other account gets in', async () => {
    const tty = await ssh(['-tt', `${account}@127.0.0.1`, 'diag status --json']);
    expect(tty.stderr).toMatch(/PTY allocation request failed/);
    const password = await run('ssh', [...sshOpts().filter((o) => o !== key && o !== '-i'), '-o', 'PreferredAuthentications=password,keyboard-interactive', `${account}@127.0.0.1`, 'diag status']);
    expect(password.code).toBe(255);
    const root = await ssh([`root@127.0.0.1`, 'diag status']);
    expect(root.code).toBe(255);
    expect(root.stdout).toBe('');
  });
});
