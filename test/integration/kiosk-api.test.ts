import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';

/** contracts.md §3 over real HTTP, against the daemon as its composition root builds it, on simulated boards. */
describe('kiosk API', () => {
  let t: ReturnType<typeof tempDir>;
  let daemon: Daemon;
  let base: string;

  const post = async (path: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    t = tempDir();
    const raw = runnableConfig(t.dir);
    raw.bus = { transport: 'simulated', pollIntervalMs: 5, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 300 };
    raw.compartments = [1, 2, 3].map((id) => ({ id, board: 0, lock: id, size: 'S' }));
    const config = parseConfig(raw, t.dir);
    daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), clock: systemClock });
    base = `http://127.0.0.1:${daemon.kiosk.port}`;
    const key = Buffer.from(readFileSync(config.office.codeKeyFile, 'utf8').trim(), 'hex');
    const db = daemon.store.db;
    db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(key, 'S-1', '1234'));
    const ins = db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
      VALUES (?, 'USC.1', ?, 'S', ?, ?, '2099-01-01T00:00:00Z', 1, 1, 0, 1)`);
    ins.run('A-1', 'odpis-skrocony-aktu-urodzenia', phoneMac(key, '600100200'), codeMac(key, '12345678'));
    ins.run('A-2', 'odpis-skrocony-aktu-zgonu', phoneMac(key, '600100201'), codeMac(key, '87654321'));
  });
  afterAll(async () => {
    await daemon.stop('test over');
    t.cleanup();
  });

  it('staff: a wrong PIN is 403 rejected; the right one gives a token; load opens a compartment', async () => {
    expect(await post('/api/staff/session', { staffId: 'S-1', pin: '0000' })).toEqual({ status: 403, body: { result: 'rejected' } });
    const session = await post('/api/staff/session', { staffId: 'S-1', pin: '1234' });
    expect(session.status).toBe(200);
    const token = (session.body as { token: string }).token;
    expect(await post('/api/staff/load', { authorizationId: 'A-1' }, 'not-a-token')).toEqual({ status: 401, body: { result: 'session-expired' } });
    const lists = await post('/api/staff/lists', {}, token);
    expect((lists.body as { toLoad: { authorizationId: string }[] }).toLoad.map((a) => a.authorizationId)).toEqual(['A-1', 'A-2']);
    for (const [id, compartment] of [['A-1', 1], ['A-2', 2]] as const) {
      expect(await post('/api/staff/load', { authorizationId: id }, token)).toEqual({ status: 200, body: { result: 'opened', compartment } });
      daemon.simBus!.board(0).closeDoor(compartment);
      await until(() => daemon.core.compartments.state(compartment) === 'occupied', 3_000, 'occupied');
    }
    expect(await post('/api/staff/load', { authorizationId: 'A-1' }, token)).toEqual({ status: 403, body: { result: 'rejected', reason: 'already-loaded' } });
  });

  it('resident: phone and code open the compartment; the answer is exactly the contract’s', async () => {
    await new Promise((r) => setTimeout(r, 150)); // past the per-lock minimum since the load
    expect(await post('/api/pickup', { phone: '+48 600 100 200', code: '12345678' })).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    daemon.simBus!.board(0).closeDoor(1);
    await until(() => daemon.core.compartments.state(1) === 'free', 3_000, 'free');
  });

  it('resident: the QR string works too', async () => {
    expect(await post('/api/pickup', { qr: 'URZ1;czestochowa-focha-1;600100201;87654321' })).toEqual({ status: 200, body: { result: 'opened', compartment: 2 } });
    daemon.simBus!.board(0).closeDoor(2);
  });

  it('resident: wrong code, wrong phone, missing fields: one uniform 403; then locked out with the time to wait', async () => {
    expect(await post('/api/pickup', { phone: '600100200', code: '00000000' })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await post('/api/pickup', { phone: '600999999', code: '12345678' })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await post('/api/pickup', { code: '12345678' })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await post('/api/pickup', { phone: '600100200', code: '00000001' })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await post('/api/pickup', { phone: '600100200', code: '00000002' })).toEqual({ status: 403, body: { result: 'rejected' } });
    const locked = await post('/api/pickup', { phone: '600100200', code: '12345678' });
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ result: 'locked-out', retryAfterS: expect.any(Number) });
  });

  it('bad input gets a clear error and changes nothing', async () => {
    expect(await post('/api/pickup', 'not json')).toEqual({ status: 400, body: { result: 'bad-request', error: 'body is not JSON' } });
    expect(await post('/api/pickup', 'x'.repeat(20_000))).toMatchObject({ status: 400, body: { result: 'bad-request' } });
    expect((await fetch(`${base}/api/pickup`)).status).toBe(405);
    expect((await fetch(`${base}/api/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
