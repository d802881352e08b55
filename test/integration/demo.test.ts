import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCode, runCli, startCliText } from '../helpers/cli.js';
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
      // Without a choice the boards are the Kerong pair, and the banner says so.
      expect(out).toMatch(/^Simulated lock boards: kerong family /m);
      expect(out).toMatch(/^ {2}kerong-cu48 at address 0: 48 locks, compartments 1-16$/m);
      expect(out).toMatch(/^ {2}kerong-cu16 at address 1: 16 locks, compartments 17-24$/m);
      await loadAndCollect(demo.stdout, kioskPort);
    } finally {
      demo.child.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);
  }, 180_000);

  it('runs on xor-8a boards with --boards xor-8a: the banner names them, and a load and a pickup work over them', async () => {
    const kioskPort = randomKioskPort();
    const env = {
      URZEDOMAT_SIM_DIR: join(t.dir, 'xor'), URZEDOMAT_SIM_KIOSK_PORT: String(kioskPort), URZEDOMAT_SIM_OFFICE_PORT: String(randomKioskPort()),
      URZEDOMAT_DEMO_DOORS_CLOSE_MS: '300',
      URZEDOMAT_SIM_BOARDS: 'kerong', // the option wins over the variable
    };
    const demo = await startCliText(['demo', '--boards', 'xor-8a'], env, /Stop with Ctrl-C/, 120_000);
    try {
      const out = demo.stdout();
      expect(out).toMatch(/^Simulated lock boards: xor-8a family /m);
      expect(out).toMatch(/^ {2}xor-8a at address 1: 16 locks, compartments 1-16$/m);
      expect(out).toMatch(/^ {2}xor-8a at address 2: 8 locks, compartments 17-24$/m);
      expect(out).toMatch(/^ {2}one RS-485 bus at 9600 baud$/m);
      const compartment = await loadAndCollect(demo.stdout, kioskPort);
      // The simulator panel shows the xor boards, and the collected compartment's latch on one of them.
      const state = (await (await fetch(`http://127.0.0.1:${kioskPort}/sim/api/state`)).json()) as {
        compartments: { id: number; board: number; lock: number }[]; boards: { address: number; protocol: string }[];
      };
      expect(state.boards.map((b) => `${b.protocol}@${b.address}`)).toEqual(['xor-8a@1', 'xor-8a@2']);
      expect([1, 2]).toContain(state.compartments.find((c) => c.id === compartment)!.board);
    } finally {
      demo.child.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);
  }, 180_000);

  it('refuses a board family it does not know, on one line naming the allowed ones, before starting anything', async () => {
    const env = { URZEDOMAT_SIM_DIR: join(t.dir, 'refused') };
    const byOption = await runCli(['demo', '--boards', 'kerong-cu99'], env);
    expect(byOption.code).toBe(1);
    expect(byOption.stderr).toBe('urzedomat demo: --boards must be one of kerong, kerong-cu48-60, xor-8a, not "kerong-cu99"\n');
    const byVariable = await runCli(['demo'], { ...env, URZEDOMAT_SIM_BOARDS: 'xor' });
    expect(byVariable.code).toBe(1);
    expect(byVariable.stderr).toBe('urzedomat demo: URZEDOMAT_SIM_BOARDS must be one of kerong, kerong-cu48-60, xor-8a, not "xor"\n');
    expect(existsSync(join(t.dir, 'refused', 'office'))).toBe(false);
  });

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

/**
 * As a newcomer would: staff log in with the printed PIN and load the first printed document (once the locker has
 * pulled it from the office), its door shuts, then the resident collects it with the code from its text message.
 * Returns the compartment it was in.
 */
async function loadAndCollect(stdout: () => string, kioskPort: number): Promise<number> {
  const base = `http://127.0.0.1:${kioskPort}`;
  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const out = stdout();
  const pin = /Staff login: id S-1, PIN (\d{4})/.exec(out)![1]!;
  const [, phone, id] = /USC\.5362\.1\.2026 {2}phone (\d{9}) {2}id (\S+)/.exec(out)!;
  // The code reaches the resident only by text message (the office's file gateway, printed by the demo).
  const code = await demoCode(stdout, phone!);
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
  return compartment;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
