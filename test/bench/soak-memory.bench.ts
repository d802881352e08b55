/**
 * Memory after a soak (issue 9's performance report): the locker's core on simulated boards in a process of its
 * own, idle, after a warm-up (a tenth of the operations) and at the end of a compressed day of loads and
 * pickups (campaign 7 at bench size; `npm run campaigns -- --long --only 7` runs the 100,000).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { SoakReport } from '../campaigns/soak.js';

export async function soakMemoryBenchmark(operations = 10_000): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(packageRoot, 'test/campaigns/soak-run.ts'), String(operations)], {
    cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`soak process exited with ${code}`);
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as SoakReport;
  const last = r.samples.at(-1)!;
  const growth = r.endRssMiB - r.warmRssMiB;
  console.log(`\n# memory after a soak: ${r.operations} loads and pickups over 24 simulated hours (${r.realSeconds.toFixed(0)} s), the core in a process of its own`);
  console.log('| measure | figure | goal |');
  console.log('|---|---|---|');
  console.log(`| resident memory idle (started, nothing done) | ${r.idleRssMiB.toFixed(1)} MiB | |`);
  console.log(`| after warm-up (${r.operations / 10} operations) | ${r.warmRssMiB.toFixed(1)} MiB | |`);
  console.log(`| after the soak | ${r.endRssMiB.toFixed(1)} MiB (${(r.endRssMiB / r.idleRssMiB).toFixed(2)}x idle) | |`);
  console.log(`| growth after warm-up | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB | < 10 MiB: ${growth < 10 ? 'met' : 'MISSED'} |`);
  console.log(`| database file at the end | ${last.dbMiB.toFixed(2)} MiB, ${last.authorizations} authorizations, ${last.auditRows} audit rows (${r.archivedRows} archived) | levels off |`);
}
