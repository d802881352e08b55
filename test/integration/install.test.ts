import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { runnableConfig, tempDir, writeSecrets } from '../helpers/fixtures.js';

/**
 * deploy/install.sh --root DIR into a temporary system tree: every file, owner and mode it promises; a second
 * run changes nothing; the installed program runs on production dependencies alone; uninstall keeps the data
 * unless --purge. Needs root (it sets owners), as CI has.
 */
function sh(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('bash', [join(packageRoot, 'deploy', 'install.sh'), ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? 1, out: stdout + stderr });
    });
  });
}

/** Every path under root with type, mode, owner and content (hash, or link target). */
function manifest(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const f = join(dir, name);
      const st = lstatSync(f);
      const what = st.isSymbolicLink() ? `-> ${readlinkSync(f)}` : st.isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(f)).digest('hex').slice(0, 16);
      out.push(`${relative(root, f)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isSymbolicLink() ? '' : st.mtimeMs} ${what}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(f);
    }
  };
  walk(root);
  return out;
}

describe('deploy/install.sh --root', () => {
  const t = tempDir('urz-install-');
  const root = join(t.dir, 'root');
  const secrets = join(t.dir, 'secrets');
  let first: { code: number; out: string };
  const ids = (file: string, name: string): number => Number(readFileSync(join(root, 'etc', file), 'utf8').split('\n').find((l) => l.startsWith(name + ':'))!.split(':')[2]);
  const stat = (p: string): { mode: string; uid: number; gid: number } => {
    const s = lstatSync(join(root, p));
    return { mode: (s.mode & 0o7777).toString(8), uid: s.uid, gid: s.gid };
  };

  beforeAll(async () => {
    expect(process.getuid?.(), 'the install script sets owners: it needs root, as CI has').toBe(0);
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\n');
    writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n');
    writeFileSync(join(root, 'etc', 'gshadow'), 'root:*::\n');
    mkdirSync(secrets);
    writeFileSync(join(secrets, 'office.token'), 'token\n');
    writeFileSync(join(secrets, 'code.key'), '42'.repeat(32) + '\n');
    writeFileSync(join(secrets, 'office-ed25519.pub.pem'), 'pem\n');
    first = await sh(['--root', root, '--no-build', '--secrets-from', secrets]);
  }, 120_000);
  afterAll(() => t.cleanup());

  it('installs the accounts, the program, config and secrets 0600, units enabled, udev, sshd and journald drop-ins', () => {
    expect(first.code).toBe(0);
    const u = (n: string): number => ids('passwd', n);
    const g = (n: string): number => ids('group', n);
    const passwd = readFileSync(join(root, 'etc', 'passwd'), 'utf8');
    expect(passwd).toMatch(/^urzedomat:x:\d+:\d+::\/var\/lib\/urzedomat:\/usr\/sbin\/nologin$/m);
    expect(passwd).toMatch(/^urzedomat-tech:x:\d+:\d+::\/var\/lib\/urzedomat-tech:\/bin\/sh$/m);
    const group = readFileSync(join(root, 'etc', 'group'), 'utf8');
    for (const gname of ['dialout', 'gpio', 'urzedomat-tech']) expect(group).toMatch(new RegExp(`^${gname}:x:\\d+:(.*,)?urzedomat(,.*)?$`, 'm'));
    expect(readFileSync(join(root, 'etc', 'shadow'), 'utf8')).toMatch(/^urzedomat-tech:\*:/m);

    const expected: [string, string, number, number][] = [
      ['opt/urzedomat', '755', 0, 0],
      ['opt/urzedomat/bin/urzedomat.js', '755', 0, 0],
      ['opt/urzedomat/dist/src/cli.js', '644', 0, 0],
      ['opt/urzedomat/dist/page/app.js', '644', 0, 0],
      ['opt/urzedomat/src/kiosk/page/index.html', '644', 0, 0],
      ['opt/urzedomat/migrations/001_init.sql', '644', 0, 0],
      ['opt/urzedomat/native/peer-credentials/build/Release/peer_credentials.node', '755', 0, 0],
      // The technicians' group enters the directory (for the key names), and reads nothing else in it.
      ['etc/urzedomat', '750', 0, g('urzedomat-tech')],
      ['etc/urzedomat/urzedomat.json', '600', u('urzedomat'), g('urzedomat')],
      ['etc/urzedomat/office.token', '600', u('urzedomat'), g('urzedomat')],
      ['etc/urzedomat/code.key', '600', u('urzedomat'), g('urzedomat')],
      ['etc/urzedomat/office-ed25519.pub.pem', '600', u('urzedomat'), g('urzedomat')],
      ['etc/urzedomat/technicians', '644', 0, 0],
      ['var/lib/urzedomat', '750', u('urzedomat'), g('urzedomat')],
      ['etc/systemd/system/urzedomat.service', '644', 0, 0],
      ['etc/systemd/system/urzedomat-kiosk.service', '644', 0, 0],
      ['etc/systemd/journald.conf.d/urzedomat.conf', '644', 0, 0],
      ['etc/udev/rules.d/99-urzedomat-rs485.rules', '644', 0, 0],
      ['etc/ssh/sshd_config.d/urzedomat.conf', '644', 0, 0],
      ['var/log/journal', '2755', 0, 0],
    ];
    for (const [p, mode, uid, gid] of expected) expect({ p, ...stat(p) }).toEqual({ p, mode, uid, gid });
    expect(readlinkSync(join(root, 'usr/bin/urzedomat'))).toBe('/opt/urzedomat/bin/urzedomat.js');
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/urzedomat.service'))).toBe('/etc/systemd/system/urzedomat.service');
    expect(readlinkSync(join(root, 'etc/systemd/system/graphical.target.wants/urzedomat-kiosk.service'))).toBe('/etc/systemd/system/urzedomat-kiosk.service');
    expect(readFileSync(join(root, 'etc/systemd/system/urzedomat.service'), 'utf8')).toBe(readFileSync(join(packageRoot, 'deploy/systemd/urzedomat.service'), 'utf8'));
    // Production dependencies only.
    expect(existsSync(join(root, 'opt/urzedomat/node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    for (const dev of ['vitest', 'typescript', 'playwright-core', 'eslint']) expect(existsSync(join(root, 'opt/urzedomat/node_modules', dev)), dev).toBe(false);
    // The office service's dependencies (optionalDependencies) stay off the Pi.
    const optional = Object.keys((JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> }).optionalDependencies ?? {});
    expect(optional.length).toBeGreaterThan(0);
    for (const dep of optional) expect(existsSync(join(root, 'opt/urzedomat/node_modules', dep)), dep).toBe(false);
    // Nor its code.
    expect(existsSync(join(root, 'opt/urzedomat/dist/office'))).toBe(false);
    expect(existsSync(join(root, 'opt/urzedomat/dist/src/cli.js'))).toBe(true);
  });

  it("the installed program says the office service is not part of a locker's installation", async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [join(root, 'opt/urzedomat/bin/urzedomat.js'), 'office', '--config', '/nonexistent.json'], { env: { PATH: process.env.PATH } },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : (err.code as number), out: stdout + stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.out).toBe("urzedomat office: the office service is not part of this installation (a locker's); it runs on the city's server from a checkout\n");
  });

  it('a second run changes nothing, and says so', async () => {
    const before = manifest(root);
    const again = await sh(['--root', root, '--no-build', '--secrets-from', secrets]);
    expect(again.code).toBe(0);
    expect(again.out.trim()).toBe('install.sh: nothing to change');
    expect(manifest(root)).toEqual(before);
    const update = await sh(['--update', '--root', root, '--no-build']);
    expect(update.out.trim()).toBe('install.sh: nothing to change');
  });

  it('the installed program runs on its production dependencies: it migrates a database', async () => {
    const c = runnableConfig(t.dir);
    c.dataDir = join(root, 'var/lib/urzedomat');
    c.office = { ...c.office, ...writeSecrets(t.dir) };
    writeFileSync(join(t.dir, 'installed.json'), JSON.stringify(c));
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [join(root, 'opt/urzedomat/bin/urzedomat.js'), 'migrate', '--config', join(t.dir, 'installed.json')], { env: { PATH: process.env.PATH } },
        (err, stdout, stderr) => resolve({ code: err === null ? 0 : 1, out: stdout + stderr }));
    });
    expect(r.out).toContain('schema');
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'var/lib/urzedomat/urzedomat.db'))).toBe(true);
  });

  it('uninstall removes the program and units but keeps config, secrets and data; --purge removes them too', async () => {
    const r = await sh(['--uninstall', '--root', root]);
    expect(r.code).toBe(0);
    for (const gone of ['opt/urzedomat', 'usr/bin/urzedomat', 'etc/systemd/system/urzedomat.service', 'etc/systemd/system/multi-user.target.wants/urzedomat.service', 'etc/ssh/sshd_config.d/urzedomat.conf']) {
      expect(existsSync(join(root, gone)) || (() => { try { lstatSync(join(root, gone)); return true; } catch { return false; } })(), gone).toBe(false);
    }
    for (const kept of ['etc/urzedomat/urzedomat.json', 'etc/urzedomat/code.key', 'var/lib/urzedomat/urzedomat.db']) expect(existsSync(join(root, kept)), kept).toBe(true);
    await sh(['--uninstall', '--purge', '--root', root]);
    for (const gone of ['etc/urzedomat', 'var/lib/urzedomat']) expect(existsSync(join(root, gone)), gone).toBe(false);
  });
});
