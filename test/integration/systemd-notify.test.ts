import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { startCli } from '../helpers/cli.js';
import { randomKioskPort, runnableConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/**
 * The daemon under systemd's notification protocol, with NOTIFY_SOCKET pointing at a socket this test reads
 * (test/helpers/notify-receiver.py, which also answers systemd-notify's barrier): READY=1 only once the kiosk
 * answers, then WATCHDOG=1 pings; when the bus fails, the pings stop; on SIGTERM, STOPPING=1.
 */
interface Notice { at: number; fields: Record<string, string> }

describe('systemd notification and watchdog', () => {
  const t = tempDir('urz-notify-');
  let sim: Awaited<ReturnType<typeof startCli>>;
  let receiver: ChildProcess;
  const notices: Notice[] = [];
  const socketPath = join(t.dir, 'notify.sock');

  beforeAll(async () => {
    receiver = spawn('python3', [join(packageRoot, 'test', 'helpers', 'notify-receiver.py'), socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    let listening = false;
    receiver.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const v = JSON.parse(buf.slice(0, nl)) as Notice & { listening?: string };
        buf = buf.slice(nl + 1);
        if (v.listening !== undefined) listening = true;
        else notices.push({ at: performance.timeOrigin + performance.now(), fields: v.fields });
      }
    });
    await until(() => listening, 10_000, 'notify receiver listening');
  });
  afterAll(() => {
    receiver?.kill();
    sim?.child.kill();
    t.cleanup();
  });

  it('READY=1 after the kiosk answers, then WATCHDOG=1; the pings stop when the bus fails; STOPPING=1 at the end', async () => {
    const c = runnableConfig(t.dir);
    const configFile = join(t.dir, 'urzedomat.json');
    writeFileSync(configFile, JSON.stringify(c));
    sim = await startCli(['sim-bus', '--config', configFile, '--tcp', '0', '--reply-delay-ms', '1'], {}, (l) => l.msg === 'simulated boards listening');
    const port = sim.lines.find((l) => l.msg === 'simulated boards listening')!.port as number;
    c.bus = { transport: 'tcp', host: '127.0.0.1', port, pollIntervalMs: 20, replyTimeoutMs: 50, reconnectMinMs: 50, reconnectMaxMs: 200 };
    c.kiosk = { host: '127.0.0.1', port: randomKioskPort() };
    writeFileSync(configFile, JSON.stringify(c));

    // What the kiosk answered, sampled the moment each notice arrives.
    const kioskUp = async (): Promise<boolean> => fetch(`http://127.0.0.1:${c.kiosk.port}/api/screen`).then((r) => r.ok, () => false);
    const readyChecks: boolean[] = [];
    const daemon = spawn(process.execPath, [join(packageRoot, 'bin', 'urzedomat.js'), 'run', '--config', configFile], {
      env: { ...process.env, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000', URZEDOMAT_CONFIG: '', JOURNAL_STREAM: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    daemon.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => notices.some((n) => n.fields.READY === '1'), 20_000, 'READY=1');
      readyChecks.push(await kioskUp());
      expect(readyChecks).toEqual([true]);
      const ready = notices.find((n) => n.fields.READY === '1')!;
      expect(ready.fields.MAINPID).toBe(String(daemon.pid));
      expect(ready.fields.STATUS).toMatch(/^in service/);
      // Nothing but READY came before it: no watchdog ping vouches for a daemon still starting.
      expect(notices.slice(0, notices.indexOf(ready)).filter((n) => n.fields.WATCHDOG !== undefined)).toEqual([]);
      expect(out).toContain('"msg":"ready"');

      // Half the watchdog period: a ping every 500 ms while healthy.
      await until(() => notices.filter((n) => n.fields.WATCHDOG === '1').length >= 3, 5_000, 'three pings');

      // The bus fails: the boards' bridge is gone. Pings stop (the health check needs a recent poll).
      sim.child.kill('SIGKILL');
      await until(() => notices.some((n) => n.fields.STATUS?.startsWith('unhealthy') === true), 15_000, 'unhealthy status');
      const cut = notices.findIndex((n) => n.fields.STATUS?.startsWith('unhealthy') === true);
      const pingsBefore = notices.filter((n) => n.fields.WATCHDOG === '1').length;
      await new Promise((r) => setTimeout(r, 2_500)); // five watchdog intervals without a ping
      expect(notices.filter((n) => n.fields.WATCHDOG === '1').length).toBe(pingsBefore);
      expect(notices[cut]!.fields.STATUS).toMatch(/no board answered/);

      daemon.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => daemon.on('close', r));
      expect(code).toBe(0);
      expect(notices.some((n) => n.fields.STOPPING === '1')).toBe(true);
    } finally {
      daemon.kill('SIGKILL');
    }
  }, 60_000);
});
