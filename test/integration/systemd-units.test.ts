import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { cliPath } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

/** `systemd-analyze verify` on every shipped unit (systemd is installed by .ci/run). */
describe('systemd units', () => {
  const units = ['urzedomat.service', 'urzedomat-kiosk.service'];

  it('pass systemd-analyze verify with no warning', async () => {
    const t = tempDir('urz-units-');
    try {
      for (const u of units) {
        // The only change: the program's installed path (/usr/bin/urzedomat) is this checkout's, which exists here.
        const text = readFileSync(join(packageRoot, 'deploy', 'systemd', u), 'utf8').replaceAll('/usr/bin/urzedomat ', `${cliPath} `);
        writeFileSync(join(t.dir, u), text);
      }
      const r = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile('systemd-analyze', ['verify', ...units.map((u) => join(t.dir, u))], (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? 1, out: stdout + stderr });
        });
      });
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('the daemon unit says what the program expects: notify with a watchdog, restart, a reboot at the limit, hardening', () => {
    const u = readFileSync(join(packageRoot, 'deploy', 'systemd', 'urzedomat.service'), 'utf8');
    for (const line of ['Type=notify', 'NotifyAccess=all', 'WatchdogSec=30', 'Restart=always', 'StartLimitAction=reboot', 'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/urzedomat', 'PrivateTmp=yes', 'NoNewPrivileges=yes', 'User=urzedomat', 'DevicePolicy=closed']) {
      expect(u).toMatch(new RegExp(`^${line}$`, 'm'));
    }
    const k = readFileSync(join(packageRoot, 'deploy', 'systemd', 'urzedomat-kiosk.service'), 'utf8');
    expect(k).toMatch(/^After=urzedomat\.service/m);
    expect(k).toMatch(/--kiosk/);
    expect(k).toMatch(/^Restart=always$/m);
  });
});
