/**
 * Start-up and memory (issue 9's performance report): from process start to the daemon's "ready" (database
 * migrated, boards polled, kiosk and admin socket up), and its resident memory once idle, on the built-in
 * simulated boards. Each start is a fresh process on a fresh data directory.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { randomKioskPort, runnableConfig, tempDir } from '../helpers/fixtures.js';

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]);
}

async function once(): Promise<{ readyMs: number; idleRssMiB: number }> {
  const t = tempDir('urz-startup-');
  const c = runnableConfig(t.dir);
  c.kiosk = { host: '127.0.0.1', port: randomKioskPort() };
  const file = join(t.dir, 'urzedomat.json');
  writeFileSync(file, JSON.stringify(c));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'urzedomat.js'), 'run', '--config', file], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NOTIFY_SOCKET: '' } });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"msg":"ready"')) resolve(performance.now() - t0);
      });
      child.on('close', () => reject(new Error('exited before ready')));
    });
    await new Promise((r) => setTimeout(r, 3_000)); // idle: polling the boards, nothing else
    return { readyMs, idleRssMiB: rssKiB(child.pid!) / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    t.cleanup();
  }
}

export async function startupBenchmark(rounds = 5): Promise<void> {
  const runs: { readyMs: number; idleRssMiB: number }[] = [];
  for (let i = 0; i < rounds; i++) runs.push(await once());
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\n# start-up and memory (${rounds} fresh starts, simulated boards)`);
  console.log('| measure | median | worst |');
  console.log('|---|---|---|');
  console.log(`| process start to "ready" | ${med(runs.map((r) => r.readyMs)).toFixed(0)} ms | ${Math.max(...runs.map((r) => r.readyMs)).toFixed(0)} ms |`);
  console.log(`| resident memory, idle 3 s after ready | ${med(runs.map((r) => r.idleRssMiB)).toFixed(1)} MiB | ${Math.max(...runs.map((r) => r.idleRssMiB)).toFixed(1)} MiB |`);
}
