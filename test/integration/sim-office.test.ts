import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { createSync } from '../../src/sync/build.js';
import { ensureSimulationSecrets } from '../../src/sim/secrets.js';
import { openStore } from '../../src/store/store.js';
import { runCli, startCliText } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('urzedomat sim-office', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('serves a signed feed a locker applies, and prints each document’s phone, code and QR', async () => {
    const port = await freePort();
    const env = { URZEDOMAT_SIM_DIR: t.dir, URZEDOMAT_SIM_OFFICE_PORT: String(port) };
    const config = simulationConfig(env);
    ensureSimulationSecrets(config.office);
    const office = await startCliText(['sim-office', '--documents', '3'], env, /QR code of A-1:/);
    try {
      const store = openStore(t.dir, systemClock);
      const sync = createSync(config, store, loadSecrets(config.office), systemClock, pino({ level: 'silent' }));
      expect(await sync.service.pullOnce()).toBe('done');
      expect(store.db.prepare("SELECT COUNT(*) AS n FROM authorization WHERE status = 'pending'").get()).toEqual({ n: 3 });
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM staff').get()).toEqual({ n: 1 });
      store.close();
    } finally {
      office.child.kill('SIGTERM');
    }
    const r = await office.exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Staff login: id S-1, PIN \d{4}/);
    expect(r.stdout.match(/phone \d{9} {2}code \d{8} {2}QR URZ1;czestochowa-demo-1;\d{9};\d{8}/g)).toHaveLength(3);
  });

  it('a missing config: exit 1 with one line', async () => {
    const r = await runCli(['sim-office', '--config', '/nonexistent.json']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
