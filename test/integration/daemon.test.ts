import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { randomKioskPort, runnableConfig, tempDir } from '../helpers/fixtures.js';
import { connectionPragmas, openDatabase } from '../../src/store/open.js';
import { verifyAudit } from '../../src/store/audit.js';
import { databasePath } from '../../src/store/store.js';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const isReady = (l: Record<string, unknown>): boolean => l.msg === 'ready';

describe('the daemon', () => {
  it('starts on the built-in simulation config, logs JSON lines and "ready", and stops cleanly on SIGTERM', async () => {
    const simDir = join(t.dir, 'sim');
    const { child, lines, exited } = await startCli(['run'], { URZEDOMAT_SIM_DIR: simDir, URZEDOMAT_SIM_KIOSK_PORT: String(randomKioskPort()) }, isReady);
    child.kill('SIGTERM');
    const r = await exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const all = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all.length).toBeGreaterThanOrEqual(lines.length);
    for (const l of all) {
      expect(typeof l.level).toBe('string');
      expect(typeof l.severity).toBe('number');
      expect(typeof l.time).toBe('string');
    }
    expect(all.map((l) => l.msg)).toEqual(expect.arrayContaining(['starting', 'database ready', 'ready', 'stopped']));
    const ready = all.find(isReady)!;
    expect(ready).toMatchObject({ lockerId: 'czestochowa-demo-1', bus: 'simulated' });

    // The database it left: migrated, every compartment present, audit chain intact with start and stop.
    const db = openDatabase(databasePath(simDir));
    expect(connectionPragmas(db)).toMatchObject({ journalMode: 'wal', synchronous: 2 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM compartment').get()).toEqual({ n: 24 });
    const actions = (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['layout.sync', 'daemon.start', 'daemon.stop']);
    expect(verifyAudit(db).ok).toBe(true);
    db.close();
  });

  it('runs on a config file, and a second start changes no layout', async () => {
    const f = join(t.dir, 'urzedomat.json');
    writeFileSync(f, JSON.stringify(runnableConfig(t.dir)));
    for (let i = 0; i < 2; i++) {
      const { child, exited } = await startCli(['run', '--config', f], {}, isReady);
      child.kill('SIGINT');
      expect((await exited).code).toBe(0);
    }
    const db = openDatabase(databasePath(join(t.dir, 'data')));
    const actions = (db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['layout.sync', 'daemon.start', 'daemon.stop', 'daemon.start', 'daemon.stop']);
    db.close();
  });

  it('refuses to start on a database from a newer program, exit 1 with one line', async () => {
    const f = join(t.dir, 'urzedomat.json');
    writeFileSync(f, JSON.stringify(runnableConfig(t.dir)));
    expect((await runCli(['migrate', '--config', f])).code).toBe(0);
    const db = openDatabase(databasePath(join(t.dir, 'data')));
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', 'now')").run();
    db.close();
    const r = await runCli(['run', '--config', f]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('schema version 999');
  });
});

describe('the command line', () => {
  it('--help explains run, migrate and diag', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['run', 'migrate', 'diag']) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b.*\\S`, 'm'));
    const diag = await runCli(['diag', '--help']);
    expect(diag.stdout).toContain('status');
  });

  it('migrate applies the schema once and then reports nothing to apply', async () => {
    const f = join(t.dir, 'urzedomat.json');
    writeFileSync(f, JSON.stringify(runnableConfig(t.dir)));
    const first = await runCli(['migrate', '--config', f]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/schema at version \d+; applied 1/);
    const second = await runCli(['migrate', '--config', f]);
    expect(second.stdout).toMatch(/nothing to apply/);
  });

  it('diag against a stopped daemon: exit 2 and one line', async () => {
    const r = await runCli(['diag', 'status', '--socket', join(t.dir, 'absent.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot reach the daemon');
  });

  it('diag against a socket file nobody listens on: exit 2', async () => {
    mkdirSync(join(t.dir, 'run'));
    const sock = join(t.dir, 'run', 'admin.sock');
    writeFileSync(sock, '');
    const r = await runCli(['diag', 'status', '--socket', sock]);
    expect(r.code).toBe(2);
  });
});
