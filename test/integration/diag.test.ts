import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { encodeCu48Status, encodeCu48Unlock } from '../../hardware/protocols/kerong-cu48/codec.js';
import { cliPath, runCli, type CliResult } from '../helpers/cli.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { outboxEvents } from '../helpers/core-rig.js';
import { until } from '../helpers/until.js';

/**
 * Every `urzedomat diag` subcommand, run as a child process against the daemon over its real admin socket,
 * with the daemon on simulated boards: the output, and the effect (unlock bytes, audit rows, office events).
 */
describe('urzedomat diag over the admin socket', () => {
  let rig: KioskRig;
  let socket: string;
  const me = `technician:${userInfo().username} (uid ${process.getuid!()})`;
  const printed: string[] = [];
  const diag = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli(['diag', ...args, '--socket', socket]);
    printed.push(r.stdout, r.stderr);
    return r;
  };
  const hex = (b: Buffer): string => b.toString('hex');
  const audit = (action: string): { actor: string; subject: string | null; detail: string | null }[] =>
    rig.daemon.store.db.prepare('SELECT actor, subject, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as never;

  beforeAll(async () => {
    rig = await startKioskRig((raw) => {
      raw.admin = { socket: join(dirname(raw.dataDir), 'run', 'admin.sock'), group: 'nogroup' };
    });
    socket = rig.daemon.config.admin.socket;
    rig.addDocument({ id: 'A-1', phone: '600100201', code: '11112222' });
    expect(await rig.load('A-1')).toBe(1);
    rig.resetFrames();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('the socket is 0660 in a 0750 directory, given to the technicians\' group', () => {
    const s = statSync(socket);
    const d = statSync(dirname(socket));
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o660);
    expect(d.mode & 0o777).toBe(0o750);
    expect(s.gid).toBe(65534); // nogroup
    expect(d.gid).toBe(65534);
  });

  it('an account outside the technicians\' group cannot connect (EACCES); one in it can', async () => {
    // Running a probe as another user needs root; CI runs as root.
    expect(process.getuid?.()).toBe(0);
    chmodSync(dirname(dirname(socket)), 0o711); // the test's private temp dir: let others pass through to the socket's own directory
    const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect', function () { console.log('connected'); this.end(); }).on('error', (e) => console.log(e.code))`;
    // Asynchronously: the daemon answering the probe runs in this very process.
    const as = (uid: number, gid: number): Promise<string> => new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', probe], { uid, gid, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim()));
    });
    expect(await as(65534, 1)).toBe('EACCES'); // nobody, in group daemon only
    expect(await as(65534, 65534)).toBe('connected'); // nobody, in nogroup: the technicians' group of this config
  });

  it('a stopped daemon: every subcommand exits 2 with one line', async () => {
    for (const args of [['status'], ['open', '1', '--reason', 'test run'], ['selftest'], ['watch']]) {
      const r = await runCli(['diag', ...args, '--socket', join(dirname(socket), 'absent.sock')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain('is the daemon running?');
    }
  });

  it('status --json: the contract\'s fields and more; the human form names each part', async () => {
    const r = await diag('status', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ lockerId: 'czestochowa-focha-1', boards: [{ address: 0, online: true }, { address: 1, online: true }], sync: { cursor: 0 } });
    expect(s.compartments[0]).toEqual({ id: 1, board: 0, lock: 1, size: 'S', state: 'occupied', latched: true, fault: null });
    expect(s.compartments).toHaveLength(12);
    expect(typeof s.sync.outboxPending).toBe('number');
    for (const k of ['version', 'uptimeS', 'mode', 'bus', 'clock', 'lockout', 'disk', 'database']) expect(s).toHaveProperty(k);
    expect(s.boards[0].pollsOk).toBeGreaterThan(0);
    const human = await diag('status');
    expect(human.stdout).toMatch(/^locker czestochowa-focha-1 {2}version \S+/);
    expect(human.stdout).toMatch(/^ {2}1 +board 0 lock 1 +S +occupied +latch latched$/m);
    expect(human.stdout).toMatch(/^lockout: none/m);
  });

  it('open <id> --reason: exactly that lock is unlocked, audited with the technician, reported as technician.open', async () => {
    rig.resetFrames();
    const before = outboxEvents(rig.daemon.store).length;
    const r = await diag('open', '5', '--reason', 'latch check after repair');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('compartment 5 is open (latch released)');
    expect(rig.unlockFrames()).toEqual([hex(encodeCu48Unlock(0, 5))]);
    const row = audit('compartment.unlock').at(-1)!;
    expect(row.actor).toBe(me);
    expect(JSON.parse(row.detail!)).toMatchObject({ purpose: 'technician', reason: 'latch check after repair' });
    const events = outboxEvents(rig.daemon.store).slice(before);
    expect(events.filter((e) => e.type === 'technician.open').map((e) => e.data)).toEqual([{ compartment: 5, reason: 'latch check after repair', actor: me, forced: false }]);
    rig.closeDoor(5);
    await until(() => rig.daemon.core.compartments.state(5) === 'free', 5_000, 'free again');
  });

  it('an occupied compartment is refused (exit 3, nothing sent) unless --force; forced, the event says so and staff are asked to check', async () => {
    rig.resetFrames();
    const r = await diag('open', '1', '--reason', 'customer says empty');
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--force');
    expect(rig.unlockFrames()).toEqual([]);
    const before = outboxEvents(rig.daemon.store).length;
    const forced = await diag('open', '1', '--reason', 'customer says empty', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ opened: 1, latchReleased: true });
    expect(rig.unlockFrames()).toEqual([hex(encodeCu48Unlock(0, 1))]);
    expect(JSON.parse(audit('compartment.unlock').at(-1)!.detail!)).toMatchObject({ reason: 'customer says empty', forced: true, authorizationId: 'A-1', documentStays: false });
    expect(outboxEvents(rig.daemon.store).slice(before).find((e) => e.type === 'technician.open')?.data).toMatchObject({ forced: true, authorizationId: 'A-1', documentStays: false });
    expect(rig.daemon.core.staff.toRetrieve().map((a) => [a.id, a.attention_reason])).toEqual([['A-1', 'opened-by-technician']]);
    rig.closeDoor(1);
    await until(() => rig.daemon.core.compartments.state(1) === 'occupied', 5_000, 'occupied again (the document is still there)');
  });

  it('a disabled compartment that holds a document still needs --force', async () => {
    expect((await diag('disable', '1')).code).toBe(0);
    rig.resetFrames();
    const r = await diag('open', '1', '--reason', 'inspection');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('holds a document');
    expect(rig.unlockFrames()).toEqual([]);
    expect((await diag('enable', '1')).code).toBe(0);
  });

  it('disable and enable: the state changes, each audited; a disabled compartment is not chosen for a load', async () => {
    expect((await diag('disable', '9')).stdout.trim()).toBe('compartment 9: disabled');
    expect(rig.daemon.core.compartments.state(9)).toBe('disabled');
    expect(audit('compartment.disable').at(-1)).toMatchObject({ actor: me, subject: 'compartment:9' });
    expect((await diag('enable', '9')).stdout.trim()).toBe('compartment 9: free');
    expect(audit('compartment.enable').at(-1)).toMatchObject({ actor: me, subject: 'compartment:9' });
    const r = await diag('enable', '42');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no compartment 42');
  });

  it('lockout reset lifts the device-wide lockout, audited with the technician', async () => {
    for (let i = 0; i < 6; i++) await rig.daemon.core.pickup({ phone: '600999999', code: `1234567${i}` });
    expect(JSON.parse((await diag('status', '--json')).stdout).lockout.locked).toBe(true);
    const r = await diag('lockout', 'reset');
    expect(r.code).toBe(0);
    expect(JSON.parse((await diag('status', '--json')).stdout).lockout).toMatchObject({ locked: false, failuresInRow: 0 });
    expect(audit('lockout.reset').at(-1)!.actor).toBe(me);
  });

  it('bus scan: exactly the configured addresses answer, each in its family; bus log shows the frames in hex', async () => {
    const scan = JSON.parse((await diag('bus', 'scan', '--json')).stdout) as { baudRate: number; boards: { protocol: string; address: number; answers: boolean; configured: boolean }[]; addresses: Record<string, unknown>[] };
    expect(scan.boards.filter((b) => b.answers).map((b) => `${b.protocol}@${b.address}`)).toEqual(['kerong-cu48@0', 'kerong-cu16@1']);
    // Every family at the bus's 19200 baud: CU48 0-9, CU16 0-14 (15 is its broadcast address, never probed), CU48 0x60 0-9.
    expect(scan.boards).toHaveLength(10 + 15 + 10);
    expect(scan.baudRate).toBe(19_200);
    expect(scan.boards.some((b) => b.protocol === 'kerong-cu16' && b.address === 15)).toBe(false);
    expect(scan.boards.some((b) => b.protocol === 'xor-8a')).toBe(false); // a 9600-baud family cannot be heard at 19200
    expect(scan.addresses).toEqual([{ address: 0, configuredAs: 'kerong-cu48', speaks: ['kerong-cu48'] }, { address: 1, configuredAs: 'kerong-cu16', speaks: ['kerong-cu16'] }]);
    expect((await diag('bus', 'scan')).stdout).toMatch(/^address 0 +speaks kerong-cu48 +configured kerong-cu48 *$/m);
    const log = await diag('bus', 'log', '--limit', '20');
    expect(log.code).toBe(0);
    const spaced = hex(encodeCu48Status(0)).replace(/(..)(?!$)/g, '$1 ');
    expect(log.stdout).toMatch(new RegExp(`^\\S+Z tx +${spaced}$`, 'm'));
    expect(log.stdout.trim().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('sync now with the office unreachable: says so, exit 1, and the failure is counted', async () => {
    const r = await diag('sync', 'now');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('pull FAILED');
    expect(JSON.parse((await diag('status', '--json')).stdout).sync.pullFailures).toBeGreaterThan(0);
  });

  it('audit verify: intact (exit 0), then a tampered row is found (exit 1)', async () => {
    const ok = await diag('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^audit chain intact: \d+ rows/);
    const db = rig.daemon.store.db;
    const seq = (db.prepare("SELECT seq FROM audit_log WHERE action = 'lockout.reset' ORDER BY seq DESC").get() as { seq: number }).seq;
    db.exec('DROP TRIGGER audit_immutable'); // what someone with the database file in hand could do
    db.prepare("UPDATE audit_log SET actor = 'technician:someone-else' WHERE seq = ?").run(seq);
    const broken = await diag('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe(`AUDIT CHAIN BROKEN: altered at row ${seq}\n`);
  });

  it('selftest: a verdict per item; a board taken off the bus fails it', async () => {
    const good = await diag('selftest', '--json');
    const checks = JSON.parse(good.stdout).checks as { item: string; verdict: string }[];
    expect(checks.map((c) => c.item)).toEqual(['board 0 (kerong-cu48)', 'board 1 (kerong-cu16)', 'gpio', 'database', 'audit chain', 'free disk', 'clock', 'office feed', 'office acknowledgement']);
    expect(checks.find((c) => c.item === 'database')!.verdict).toBe('ok');
    rig.daemon.simBus!.board(1).faults.offline = true;
    try {
      const bad = await diag('selftest');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^FAIL +board 1 \(kerong-cu16\)/m);
      expect(bad.stdout).toMatch(/^verdict: FAIL$/m);
    } finally {
      rig.daemon.simBus!.board(1).faults.offline = false;
    }
  });

  it('a CU48 answering in another firmware\'s command set: status, bus scan and selftest say so instead of offline', async () => {
    const poller = rig.daemon.hardware.poller;
    rig.daemon.simBus!.board(0).faults.otherFirmware = true;
    try {
      await until(() => poller.snapshot(0).online === false && poller.snapshot(0).answersAs === 'kerong-cu48-60', 10_000, 'board 0 heard in another command set');
      const status = JSON.parse((await diag('status', '--json')).stdout) as { boards: Record<string, unknown>[] };
      expect(status.boards[0]).toMatchObject({ address: 0, online: false, answersAs: 'kerong-cu48-60', note: 'answers as kerong-cu48-60' });
      expect(status.boards[0]!.lastError).toContain('answers as kerong-cu48-60, not as the configured kerong-cu48');
      expect(status.boards[1]).toMatchObject({ address: 1, online: true, answersAs: null });
      expect((await diag('status')).stdout).toMatch(/^ +0 +kerong-cu48 .*answers as kerong-cu48-60/m);
      const scan = JSON.parse((await diag('bus', 'scan', '--json')).stdout) as { boards: Record<string, unknown>[]; addresses: Record<string, unknown>[] };
      expect(scan.boards.find((b) => b.protocol === 'kerong-cu48' && b.address === 0)).toMatchObject({ answers: false, answersAs: 'kerong-cu48-60' });
      expect(scan.boards.find((b) => b.protocol === 'kerong-cu48-60' && b.address === 0)).toMatchObject({ answers: true, configured: false });
      expect(scan.boards.find((b) => b.protocol === 'kerong-cu16' && b.address === 1)).toMatchObject({ answers: true });
      expect(scan.addresses[0]).toMatchObject({ address: 0, configuredAs: 'kerong-cu48', speaks: ['kerong-cu48-60'], problem: expect.stringContaining('answers as kerong-cu48-60') });
      expect((await diag('bus', 'scan')).stdout).toMatch(/^address 0 +speaks kerong-cu48-60 +configured kerong-cu48 +<- configured as kerong-cu48 but answers as kerong-cu48-60/m);
      const selftest = await diag('selftest');
      expect(selftest.code).toBe(1);
      expect(selftest.stdout).toMatch(/^FAIL +board 0 \(kerong-cu48\) +answers as kerong-cu48-60/m);
    } finally {
      rig.daemon.simBus!.board(0).faults.otherFirmware = false;
      await until(() => poller.snapshot(0).online === true, 10_000, 'board 0 back');
    }
  }, 90_000); // the scan probes 35 addresses in the poller's gaps while board 0's polls time out

  it('speaks one JSON line per request with a version; anything else gets a clear error', async () => {
    const raw = (text: string): Promise<Record<string, any>> => new Promise((resolve, reject) => {
      const c = createConnection(socket);
      let buf = '';
      c.on('data', (d) => (buf += d.toString()));
      c.on('end', () => resolve(JSON.parse(buf)));
      c.on('error', reject);
      c.write(text);
    });
    expect(await raw('not json\n')).toEqual({ ok: false, error: { code: 'bad-request', message: 'the request is not JSON' } });
    expect((await raw('{"v":2,"cmd":"status"}\n')).error.code).toBe('version');
    expect((await raw('{"v":1,"cmd":"format-disk"}\n')).error).toEqual({ code: 'unknown-command', message: 'unknown command "format-disk"' });
    expect((await raw('{"v":1,"cmd":"status","args":[]}\n')).error.code).toBe('bad-request');
    expect((await raw(JSON.stringify({ v: 1, cmd: 'status', pad: 'x'.repeat(20_000) }) + '\n')).error.message).toBe('request too large');
    expect((await raw('{"v":1,"cmd":"status"}\n')).ok).toBe(true);
  });

  it('watch streams latch changes and alarms as they happen', async () => {
    const child = spawn(process.execPath, [cliPath, 'diag', 'watch', '--json', '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    try {
      await until(() => stderr.includes('watching'), 5_000, 'watch connected');
      rig.daemon.simBus!.board(1).forceOpen(3); // compartment 11, pried open
      await until(() => lines.some((l) => l.event === 'alarm' && l.kind === 'forced-open'), 5_000, 'forced-open alarm');
      expect(lines).toContainEqual(expect.objectContaining({ event: 'latch', board: 1, lock: 3, latched: false }));
      expect(lines).toContainEqual(expect.objectContaining({ event: 'alarm', kind: 'forced-open', compartment: 11 }));
    } finally {
      child.kill('SIGINT');
      rig.closeDoor(11);
    }
    printed.push(JSON.stringify(lines));
  });

  it('nothing any command printed holds a phone number, code, PIN or key', () => {
    const all = printed.join('\n');
    expect(all.length).toBeGreaterThan(5_000);
    const key = readFileSync(rig.daemon.config.office.codeKeyFile, 'utf8').trim();
    for (const secret of ['600100201', '11112222', '600999999', key, key.slice(0, 16)]) expect(all).not.toContain(secret);
  });
});
