import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/open.js';
import { readMigrations, schemaVersion } from '../../src/store/migrator.js';
import { migrationsDir } from '../../src/paths.js';
import { verifyAudit } from '../../src/store/audit.js';
import { databasePath } from '../../src/store/store.js';
import { packageRoot } from '../../src/paths.js';
import { startCli } from '../helpers/cli.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';

/** The issue asks for 200 kills; a developer may ask for more. */
const kills = Math.max(200, Number(process.env.KILL_RUNS ?? 0));

interface Unlock { at: number; lock: number }
interface Life { spawnedAt: number }

/**
 * SIGKILL at random moments of loads and pickups, `kills` times. After each: integrity_check ok, audit chain
 * intact, outbox gap-free, every acknowledged step still there, and no unlock of unknown outcome repeated: every
 * unlock the boards received belongs to an intent written by the process that sent it.
 */
describe('power cuts (SIGKILL) during loads and pickups', () => {
  let t: ReturnType<typeof tempDir>;
  let sim: Awaited<ReturnType<typeof startCli>>;
  let config: string;
  const unlocks: Unlock[] = [];

  beforeAll(async () => {
    t = tempDir();
    const c = runnableConfig(t.dir);
    c.compartments = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, board: 0, lock: i + 1, size: 'S' }));
    config = join(t.dir, 'urzedomat.json');
    c.log = { level: 'info' };
    writeFileSync(config, JSON.stringify(c));
    sim = await startCli(['sim-bus', '--config', config, '--tcp', '0', '--auto-close-ms', '15', '--reply-delay-ms', '1'], {}, (l) => l.msg === 'simulated boards listening');
    const port = sim.lines.find((l) => l.msg === 'simulated boards listening')!.port as number;
    c.bus = { transport: 'tcp', host: '127.0.0.1', port, pollIntervalMs: 5, replyTimeoutMs: 50, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 300, reconnectMinMs: 20 };
    writeFileSync(config, JSON.stringify(c));
    sim.child.stdout!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.includes('"unlock received"')) continue;
        const l = JSON.parse(line) as { time: string; lock: number };
        unlocks.push({ at: Date.parse(l.time), lock: l.lock });
      }
    });
  });
  afterAll(() => {
    sim.child.kill('SIGTERM');
    t.cleanup();
  });

  it(`${kills} kills: nothing lost, nothing repeated, nothing corrupted`, async () => {
    const acked = { loaded: new Set<string>(), collected: new Set<string>() };
    const lives: Life[] = [];
    for (let k = 0; k < kills; k++) {
      const spawnedAt = Date.now();
      lives.push({ spawnedAt });
      const worker = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/reliability/kill-worker.ts'), config], {
        cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JOURNAL_STREAM: '' },
      });
      let out = '';
      let err = '';
      worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
      worker.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((resolve) => worker.on('close', () => resolve()));
      // Kill at a random moment: during start-up (recovery), or a random time into the work.
      const ready = new Promise<void>((resolve) => worker.stdout.on('data', () => out.includes('READY') && resolve()));
      if (k % 5 !== 0) await Promise.race([ready, exited]);
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      worker.kill('SIGKILL');
      await exited;
      expect(err).toBe('');
      for (const line of out.split('\n')) {
        const m = /^ACK (loaded|collected) (A-\d+)$/.exec(line);
        if (m !== null) acked[m[1] as 'loaded' | 'collected'].add(m[2]!);
      }

      const db = openDatabase(databasePath(join(t.dir, 'data')));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        // Killed while migrating: the schema is at one version or the next, never in between.
        const version = schemaVersion(db);
        const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
        expect(tables.includes('audit_log')).toBe(version >= 1);
        if (version < readMigrations(migrationsDir).length) continue;
        expect(verifyAudit(db)).toMatchObject({ ok: true });
        const seqs = (db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((x) => x.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        const status = new Map((db.prepare('SELECT id, status FROM authorization').all() as { id: string; status: string }[]).map((r) => [r.id, r.status]));
        for (const id of acked.loaded) expect(['loaded', 'collected', 'retrieved']).toContain(status.get(id));
        for (const id of acked.collected) expect(status.get(id)).toBe('collected');
        expect(db.prepare('SELECT COUNT(*) AS n FROM receipt').get()).toEqual({ n: [...status.values()].filter((s) => s === 'collected').length });
        // Every unlock belongs to an intent written by the process that sent it: none was repeated after a restart.
        const intents = db.prepare('SELECT compartment_id AS c, created_at FROM unlock_intent ORDER BY id').all() as { c: number; created_at: string }[];
        for (const u of unlocks) {
          const life = [...lives].reverse().find((l) => l.spawnedAt <= u.at)!;
          const mine = intents.filter((i) => i.c === u.lock && Date.parse(i.created_at) <= u.at).at(-1);
          expect(mine, `unlock of lock ${u.lock} at ${u.at} has no intent`).toBeDefined();
          expect(Date.parse(mine!.created_at)).toBeGreaterThanOrEqual(life.spawnedAt);
        }
      } finally {
        db.close();
      }
    }
    // The kills did land between an intent and its outcome (so the no-repeat check above was exercised).
    const db = openDatabase(databasePath(join(t.dir, 'data')));
    const unknown = (db.prepare("SELECT COUNT(*) AS n FROM unlock_intent WHERE status = 'unknown'").get() as { n: number }).n;
    db.close();
    expect(unknown).toBeGreaterThan(0);
    expect(acked.loaded.size).toBeGreaterThan(kills / 4);
    expect(acked.collected.size).toBeGreaterThan(kills / 8);
    expect(unlocks.length).toBeGreaterThan(kills / 2);
  }, 900_000);
});
