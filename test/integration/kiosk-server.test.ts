import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { until } from '../helpers/until.js';

/** The kiosk server around the API: the page's files, live events, and what a screen gets back on reconnect. */
describe('kiosk server', () => {
  let rig: KioskRig;
  beforeAll(async () => {
    rig = await startKioskRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  /** Reads server-sent events until `enough` says so (or 5 s pass). */
  async function readEvents(path: string, enough: (events: { event: string; data: any }[]) => boolean): Promise<{ event: string; data: any }[]> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 5_000);
    const res = await fetch(rig.url + path.slice(1), { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events: { event: string; data: any }[] = [];
    let text = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += Buffer.from(chunk).toString('utf8');
        const blocks = text.split('\n\n');
        text = blocks.pop()!;
        for (const b of blocks) {
          const event = /^event: (.*)$/m.exec(b)?.[1];
          const data = /^data: (.*)$/m.exec(b)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
        if (enough(events)) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return events;
  }

  it('serves the page with a strict Content-Security-Policy, its scripts, and nothing outside its folders', async () => {
    const page = await fetch(rig.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app/app.js">');
    const app = await fetch(rig.url + 'app/app.js');
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const p of ['app/../package.json', 'app/%2e%2e%2fpackage.json', 'app/app.ts', 'package.json', 'src/kiosk/page/index.html', 'app/none.js']) {
      expect((await fetch(rig.url + p)).status, p).toBe(404);
    }
    const screen = await (await fetch(rig.url + 'api/screen')).json() as Record<string, any>;
    expect(screen.serviceHours.tue).toEqual(['07:30-17:00']);
    expect(screen.columns.map((c: { id: number }[]) => c.map((x) => x.id))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
    expect(screen.eServicesQr).toMatch(/^<svg/);
  });

  it('a screen that reconnects gets its pickup’s last step again, receipt included; other screens never see it', async () => {
    rig.addDocument({ id: 'A-1', phone: '600100201', code: '11112222' });
    const n = await rig.load('A-1');
    const r = await fetch(rig.url + 'api/pickup', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-kiosk-session': 'screen-one-1234' }, body: JSON.stringify({ phone: '600100201', code: '11112222' }),
    });
    expect(await r.json()).toEqual({ result: 'opened', compartment: n });
    rig.closeDoor(n);
    await until(() => rig.daemon.core.compartments.state(n) === 'free', 5_000, 'door shut');
    const mine = await readEvents('/api/events?session=screen-one-1234', (e) => e.some((x) => x.event === 'pickup'));
    expect(mine.map((e) => e.event)).toEqual(['mode', 'compartments', 'pickup']);
    const done = mine[2]!.data;
    expect(done).toMatchObject({ state: 'done', compartment: n, receipt: { id: expect.stringMatching(/^R-/) } });
    expect(done.receipt.svg).toMatch(/^<svg/);
    const other = await readEvents('/api/events?session=screen-two-1234', (e) => e.length >= 2);
    expect(other.map((e) => e.event)).toEqual(['mode', 'compartments']);
  });

  it('pushes compartment changes to every screen as they happen', async () => {
    const events = readEvents('/api/events', (e) => e.some((x) => x.event === 'compartment' && x.data.id === 7 && x.data.event === 'state'));
    await new Promise((r) => setTimeout(r, 100));
    expect(rig.daemon.core.compartments.send(7, { type: 'REPORT_FAULT', kind: 'reported-by-staff' })).toBe(true);
    const seen = await events;
    expect(seen.filter((e) => e.event === 'compartment').map((e) => e.data)).toEqual([{ id: 7, event: 'state', state: 'fault' }]);
  });
});
