import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import { packageRoot } from '../../src/paths.js';
import { verifyAudit } from '../../src/store/audit.js';
import { openStore } from '../../src/store/store.js';
import { runCli, startCli } from '../helpers/cli.js';
import { randomKioskPort, runnableConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/**
 * SIGTERM while a resident's compartment is opening: the daemon takes no new requests, lets the pickup finish
 * (the latch read back, the answer sent), closes the database and exits 0; after a restart the door's closing
 * completes the collection. The boards (a `urzedomat sim-bus` process, slow to answer so the pickup is still
 * in flight) outlive the daemon and count the unlocks.
 */
describe('graceful stop during a pickup', () => {
  const t = tempDir('urz-stop-');
  let sim: Awaited<ReturnType<typeof startCli>> | undefined;
  afterAll(() => {
    sim?.child.kill();
    t.cleanup();
  });

  function startDaemon(configFile: string): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'urzedomat.js'), 'run', '--config', configFile], {
      env: { ...process.env, URZEDOMAT_CONFIG: '', JOURNAL_STREAM: '', NOTIFY_SOCKET: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { child, out: () => out, exited: new Promise((r) => child.on('close', r)) };
  }

  it('the pickup in flight finishes, nothing new starts, nothing is lost or repeated', async () => {
    const c = runnableConfig(t.dir);
    const configFile = join(t.dir, 'urzedomat.json');
    writeFileSync(configFile, JSON.stringify(c));
    sim = await startCli(['sim-bus', '--config', configFile, '--tcp', '0', '--reply-delay-ms', '120', '--auto-close-ms', '1500'], {}, (l) => l.msg === 'simulated boards listening');
    const unlocks = (): Record<string, unknown>[] => sim!.lines.filter((l) => l.msg === 'unlock received');
    const port = sim.lines.find((l) => l.msg === 'simulated boards listening')!.port as number;
    c.bus = { transport: 'tcp', host: '127.0.0.1', port, pollIntervalMs: 20, replyTimeoutMs: 400, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 2_000, reconnectMinMs: 50 };
    c.kiosk = { host: '127.0.0.1', port: randomKioskPort() };
    writeFileSync(configFile, JSON.stringify(c));
    const base = `http://127.0.0.1:${c.kiosk.port}`;
    const post = async (path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
      const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };

    // The office's data, as the feed would have left it.
    const key = Buffer.from(readFileSync(c.office.codeKeyFile, 'utf8').trim(), 'hex');
    const store = openStore(c.dataDir, systemClock);
    store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(key, 'S-1', '1234'));
    store.db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
      VALUES ('A-1', 'USC.1', 'odpis-skrocony-aktu-urodzenia', 'S', ?, ?, '2099-01-01T00:00:00Z', 1, 1, 0, 1)`).run(phoneMac(key, '600100200'), codeMac(key, '12345678'));
    store.close();

    let d = startDaemon(configFile);
    await until(() => d.out().includes('"msg":"ready"'), 20_000, 'ready');
    const token = (await post('/api/staff/session', { staffId: 'S-1', pin: '1234' })).body.token as string;
    expect(await post('/api/staff/load', { authorizationId: 'A-1' }, token)).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    await until(() => d.out().includes('"event":"closed"'), 10_000, 'the door shut after loading');

    // The pickup; SIGTERM the moment its unlock reaches the boards, while the latch is still being read back.
    const pickup = post('/api/pickup', { phone: '600100200', code: '12345678' });
    await until(() => unlocks().length === 2, 10_000, 'the pickup unlock on the wire');
    d.child.kill('SIGTERM');
    await until(() => d.out().includes('"msg":"stopping"'), 5_000, 'the daemon stopping');
    const late = await fetch(base + '/api/staff/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId: 'S-1', pin: '1234' }) })
      .then((r) => r.status, (e: Error) => e.message);
    expect(await pickup).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    expect(await d.exited).toBe(0);
    expect([503, 'fetch failed']).toContain(late); // no new session once stopping
    expect(d.out()).toContain('"msg":"stopped"');

    // The door shuts while the daemon is down; the restarted daemon completes the collection.
    await new Promise((r) => setTimeout(r, 1_800));
    d = startDaemon(configFile);
    await until(() => d.out().includes('"msg":"ready"'), 20_000, 'ready again');
    await until(() => d.out().includes('"event":"closed"'), 10_000, 'the collection completed');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);

    const after = openStore(c.dataDir, systemClock);
    try {
      expect(after.db.prepare("SELECT status FROM authorization WHERE id = 'A-1'").get()).toEqual({ status: 'collected' });
      expect(after.db.prepare("SELECT count(*) AS n FROM receipt WHERE authorization_id = 'A-1'").get()).toEqual({ n: 1 });
      expect((after.db.prepare("SELECT type FROM outbox WHERE type LIKE 'document.%' ORDER BY seq").all() as { type: string }[]).map((r) => r.type))
        .toEqual(['document.loaded', 'document.collected']);
      expect(after.db.prepare("SELECT status FROM unlock_intent ORDER BY id").all()).toEqual([{ status: 'closed' }, { status: 'closed' }]); // each confirmed, then closed by its door
      expect(verifyAudit(after.db).ok).toBe(true);
      expect((after.db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
    } finally {
      after.close();
    }
    expect(unlocks()).toHaveLength(2); // one for the load, one for the pickup: nothing repeated after the restart
  }, 90_000);

  it('a technician\'s open in flight at SIGTERM gets its verdict; a command after it is told the daemon is stopping (exit 2)', async () => {
    const dir = join(t.dir, 'admin');
    const c = runnableConfig(dir);
    const configFile = join(dir, 'urzedomat.json');
    writeFileSync(configFile, JSON.stringify(c));
    const bus = await startCli(['sim-bus', '--config', configFile, '--tcp', '0', '--reply-delay-ms', '120'], {}, (l) => l.msg === 'simulated boards listening');
    try {
      const unlocks = (): Record<string, unknown>[] => bus.lines.filter((l) => l.msg === 'unlock received');
      const port = bus.lines.find((l) => l.msg === 'simulated boards listening')!.port as number;
      c.bus = { transport: 'tcp', host: '127.0.0.1', port, pollIntervalMs: 20, replyTimeoutMs: 400, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 2_000, reconnectMinMs: 50 };
      writeFileSync(configFile, JSON.stringify(c));
      const d = startDaemon(configFile);
      await until(() => d.out().includes('"msg":"ready"'), 20_000, 'ready');
      const open = runCli(['diag', 'open', '1', '--reason', 'latch check', '--socket', c.admin.socket, '--json'], { URZEDOMAT_CONFIG: '' });
      await until(() => unlocks().length === 1, 10_000, 'the unlock on the wire');
      d.child.kill('SIGTERM');
      await until(() => d.out().includes('"msg":"stopping"'), 5_000, 'the daemon stopping');
      const late = await runCli(['diag', 'status', '--socket', c.admin.socket], { URZEDOMAT_CONFIG: '' });
      const answered = await open;
      expect(answered.code).toBe(0);
      expect(JSON.parse(answered.stdout)).toMatchObject({ opened: 1 });
      expect(late.code).toBe(2);
      expect(late.stderr.trim().split('\n')).toHaveLength(1);
      expect(await d.exited).toBe(0);
      expect(unlocks()).toHaveLength(1);
    } finally {
      bus.child.kill();
    }
  }, 60_000);
});
