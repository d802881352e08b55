import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import { eventMacHeader, eventsKey, eventsMac } from '../../../src/wire/event-mac.js';
import { startTestOffice, type TestOffice } from '../../helpers/office-rig.js';
import { parseMail } from '../../helpers/mail.js';

/**
 * Alarms reach people (issue 16): a real SMTP server (the `smtp-server` package) on loopback receives the office's
 * e-mails. One per alarm kind and locker per `throttleMinutes`: a second alarm of the same kind and locker within
 * the window waits and is folded into the next e-mail once the window opens; another kind goes at once.
 */

interface Received {
  readonly from: string;
  readonly rcpt: string[];
  readonly headers: Record<string, string>;
  readonly text: string;
}

describe('alarms by e-mail through SMTP', () => {
  let t: TestOffice;
  let smtp: SMTPServer;
  let secretsDir: string;
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const received: Received[] = [];
  let refuse = false;
  const L = 'czestochowa-focha-1';
  let secrets: NewLockerSecrets;
  let seq = 0;
  const technicians = ['serwis@technik.example', 'dyzur@technik.example'];
  const office = ['usc@um.czestochowa.example'];

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'urzedomat' && auth.password === 'haslo smtp 1') cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (refuse) {
            cb(Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 }));
            return;
          }
          const { headers, text } = parseMail(Buffer.concat(chunks).toString('utf8'));
          received.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, rcpt: session.envelope.rcptTo.map((a) => a.address), headers, text });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    secretsDir = mkdtempSync(join(tmpdir(), 'urz-smtp-'));
    writeFileSync(join(secretsDir, 'smtp.password'), 'haslo smtp 1\n', { mode: 0o600 });
    t = await startTestOffice({
      backend: 'embedded',
      now: () => new Date(clock),
      config: {
        alerts: {
          smtp: { host: '127.0.0.1', port, user: 'urzedomat', passwordFile: join(secretsDir, 'smtp.password') },
          from: 'urzedomat@um.czestochowa.example', technicians, office, throttleMinutes: 15,
        },
      },
    });
    secrets = await t.addLocker(L, 'USC Częstochowa, ul. Focha 19');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(secretsDir, { recursive: true, force: true });
  });

  async function alarm(kind: string, compartment?: number): Promise<void> {
    seq += 1;
    const body = JSON.stringify({ events: [{ seq, type: 'alarm', at: new Date(clock).toISOString(), data: { kind, ...(compartment === undefined ? {} : { compartment }) } }] });
    const r = await fetch(`${t.url}/v1/lockers/${L}/events`, {
      method: 'POST', body,
      headers: { authorization: `Bearer ${secrets.token}`, 'content-type': 'application/json', [eventMacHeader]: eventsMac(eventsKey(secrets.codeKey), body) },
    });
    expect(r.status).toBe(200);
  }
  /** One round of the worker (it also runs by itself every few seconds; rounds never overlap). */
  const round = () => t.office.alerts!.runOnce();
  const unmailed = async () => (await t.office.ctx.db.query<{ kind: string; compartment: number | null }>('SELECT kind, compartment FROM locker_alarm WHERE mailed_at IS NULL ORDER BY id')).rows;

  it('one e-mail for an alarm, to the technicians and the office, naming the kind and the locker, in Polish and English', async () => {
    expect(t.office.alerts).toBeDefined();
    await alarm('forced-open', 3);
    await round();
    expect(received).toHaveLength(1);
    const m = received[0]!;
    expect(m.from).toBe('urzedomat@um.czestochowa.example');
    expect(m.rcpt.sort()).toEqual([...technicians, ...office].sort());
    expect(m.headers.to).toBe(technicians.join(', '));
    expect(m.headers.cc).toBe(office.join(', '));
    expect(m.headers.subject).toBe('[urzędomat] Alarm: drzwiczki otwarte siłą / door forced open — USC Częstochowa, ul. Focha 19 (czestochowa-focha-1)');
    expect(m.text).toContain('Urzędomat „USC Częstochowa, ul. Focha 19” (czestochowa-focha-1) zgłosił alarm: drzwiczki otwarte siłą.');
    expect(m.text).toContain('The locker "USC Częstochowa, ul. Focha 19" (czestochowa-focha-1) raised an alarm: door forced open.');
    expect(m.text).toContain('· skrytka 3');
    expect(m.text).toContain('· compartment 3');
    expect(m.text).toContain('najwyżej raz na 15 min');
    expect(m.text).not.toMatch(/\d{8}/); // nothing that could be a code, a phone number or a PIN
    expect(await unmailed()).toEqual([]);
    const mail = await t.office.ctx.db.query<{ alarms: number; kind: string }>('SELECT alarms, kind FROM alarm_mail');
    expect(mail.rows).toEqual([{ alarms: 1, kind: 'forced-open' }]);
  });

  it('a second alarm of the same kind and locker within the window sends nothing; another kind does', async () => {
    clock += 5 * 60_000;
    await alarm('forced-open', 5);
    await alarm('tamper');
    await round();
    await round();
    expect(received).toHaveLength(2);
    expect(received[1]!.headers.subject).toContain('naruszenie obudowy / enclosure tampered with');
    expect(received[1]!.text).not.toContain('skrytka');
    expect(await unmailed()).toEqual([{ kind: 'forced-open', compartment: 5 }]); // waits for the window
    clock += 9 * 60_000 + 59_000; // 14:59 after the first e-mail
    await round();
    expect(received).toHaveLength(2);
  });

  it('once the window is over, the waiting alarm is folded into the next e-mail with the new one', async () => {
    clock += 60_000; // 15:59 after the first
    await alarm('forced-open', 2);
    await round();
    expect(received).toHaveLength(3);
    const m = received[2]!;
    expect(m.headers.subject).toBe('[urzędomat] Alarm: drzwiczki otwarte siłą / door forced open (2) — USC Częstochowa, ul. Focha 19 (czestochowa-focha-1)');
    expect(m.text).toContain('Zgłoszenia (2; czas polski):');
    expect(m.text.indexOf('· skrytka 5')).toBeGreaterThan(-1);
    expect(m.text.indexOf('· skrytka 5')).toBeLessThan(m.text.indexOf('· skrytka 2')); // in the order they came
    expect(await unmailed()).toEqual([]);
  });

  it('an alarm dealt with before its turn needs no e-mail; an SMTP refusal is tried again later', async () => {
    clock += 60_000;
    await alarm('tamper'); // within tamper's window (opened 12 minutes ago)
    await t.office.ctx.db.query("UPDATE locker_alarm SET resolved_at = $1, resolved_by = 'anowak' WHERE kind = 'tamper' AND mailed_at IS NULL", [new Date(clock)]);
    clock += 15 * 60_000;
    await round();
    expect(received).toHaveLength(3);
    expect(await unmailed()).toEqual([]);

    refuse = true;
    await alarm('brute-force');
    await round();
    expect(received).toHaveLength(3);
    expect(await unmailed()).toEqual([{ kind: 'brute-force', compartment: null }]);
    expect(t.logLines.some((l) => l.includes('alarm e-mail not sent'))).toBe(true);
    refuse = false;
    await round(); // still backing off
    expect(received).toHaveLength(3);
    clock += 31_000;
    await round();
    expect(received).toHaveLength(4);
    expect(received[3]!.headers.subject).toContain('zgadywanie kodów lub PIN-ów / codes or PINs being guessed');
    // The log names lockers and kinds, never the addresses or the SMTP password.
    const log = t.logLines.join('');
    expect(log).not.toContain('haslo smtp');
    expect(log).not.toContain('serwis@technik.example');
  });
});
