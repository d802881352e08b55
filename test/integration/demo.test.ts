import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCode, startCliText } from '../helpers/cli.js';
import { randomKioskPort, tempDir } from '../helpers/fixtures.js';

/** What `npm start` runs: a newcomer's staff load and pickup over the kiosk API, with the codes it printed. */
describe('urzedomat demo (npm start)', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('runs the real office: a load then a pickup with the code from the printed text message work end to end', async () => {
    const kioskPort = randomKioskPort();
    const env = {
      URZEDOMAT_SIM_DIR: t.dir, URZEDOMAT_SIM_KIOSK_PORT: String(kioskPort), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
      URZEDOMAT_DEMO_DOORS_CLOSE_MS: '300',
    };
    const demo = await startCliText(['demo'], env, /Stop with Ctrl-C/, 120_000);
    const base = `http://127.0.0.1:${kioskPort}`;
    const post = async (path: string, body: unknown, token?: string) => {
      const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    try {
      const out = demo.stdout();
      // The panel's address and the demo clerk's login are printed, and they let the clerk in.
      const [, panelUrl, login, password] = /Clerks' panel \(the office\): (http:\S+)\/ {2}login (\S+), password (\S+)/.exec(out)!;
      const entered = await fetch(`${panelUrl}/login`, {
        method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: panelUrl! },
        body: new URLSearchParams({ login: login!, password: password! }).toString(),
      });
      expect(entered.status).toBe(303);
      expect(entered.headers.get('set-cookie')).toMatch(/^urz_session=/);
      const pin = /Staff login: id S-1, PIN (\d{4})/.exec(out)![1]!;
      const [, phone, id] = /USC\.5362\.1\.2026 {2}phone (\d{9}) {2}id (\S+)/.exec(out)!;
      // The code reaches the resident only by text message (the office's file gateway, printed by the demo).
      const code = await demoCode(demo.stdout, phone!);
      const session = await post('/api/staff/session', { staffId: 'S-1', pin });
      expect(session.status).toBe(200);
      const token = session.body.token as string;
      // The office's documents reach the locker through the signed feed.
      let loaded: { status: number; body: Record<string, unknown> } | undefined;
      for (let i = 0; i < 100 && loaded?.status !== 200; i++) {
        loaded = await post('/api/staff/load', { authorizationId: id }, token);
        if (loaded.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(loaded).toMatchObject({ status: 200, body: { result: 'opened' } });
      const compartment = loaded!.body.compartment as number;
      await new Promise((r) => setTimeout(r, 1_500)); // the simulated door shuts after 300 ms; the per-lock pause is 1 s
      expect(await post('/api/pickup', { phone, code })).toEqual({ status: 200, body: { result: 'opened', compartment } });
    } finally {
      demo.child.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);
  }, 180_000);

  it('the office process does not outlive a killed demo', async () => {
    const env = {
      URZEDOMAT_SIM_DIR: join(t.dir, 'killed'), URZEDOMAT_SIM_KIOSK_PORT: String(randomKioskPort()), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
    };
    const demo = await startCliText(['demo'], env, /Stop with Ctrl-C/, 120_000);
    const officePid = Number(readFileSync(join(t.dir, 'killed', 'office', 'data', 'office.lock'), 'utf8'));
    expect(alive(officePid)).toBe(true);
    demo.child.kill('SIGKILL');
    await demo.exited;
    const end = Date.now() + 20_000;
    while (alive(officePid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(alive(officePid)).toBe(false);
  }, 180_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
