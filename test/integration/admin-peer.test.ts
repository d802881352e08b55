import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { accountName, peerCredentials } from '../../src/admin/peer-credentials.js';
import { identify, technicianActor } from '../../src/admin/protocol.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';

/**
 * The admin socket takes the asker's uid from the kernel (SO_PEERCRED), not from the request's `who`: a process
 * running as `nobody` that claims to be root over SSH with someone else's name is recorded as uid 65534, in the
 * audit row and the log line. Needs root (to run the asker as another account), as CI has.
 */
const nobody = { uid: 65534, gid: 65534 }; // nobody, in nogroup: this config's technicians' group

describe('who is asking on the admin socket', () => {
  const t = tempDir('urz-peer-');
  let daemon: Daemon;
  let socket: string;
  const logLines: Record<string, unknown>[] = [];
  const audit = (action: string): { actor: string; detail: string | null }[] =>
    daemon.store.db.prepare('SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as never;

  /** Sends one raw request line as another account and returns the answer line and the asker's pid. */
  const askAs = (ids: { uid: number; gid: number }, request: Record<string, unknown>): Promise<{ answer: Record<string, unknown>; pid: number }> =>
    new Promise((resolve, reject) => {
      const client = `const s = require('net').connect(${JSON.stringify(socket)}, () => s.write(${JSON.stringify(JSON.stringify(request))} + '\\n'));
        let b = ''; s.on('data', (d) => { b += d; }); s.on('end', () => process.stdout.write(b)); s.on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.code })); });`;
      // Asynchronously: the daemon answering runs in this very process.
      const child = spawn(process.execPath, ['-e', client], { ...ids, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => {
        try {
          resolve({ answer: JSON.parse(out) as Record<string, unknown>, pid: child.pid! });
        } catch (e) {
          reject(new Error(`no JSON answer: ${out}`, { cause: e }));
        }
      });
    });

  beforeAll(async () => {
    expect(process.getuid?.(), 'this test runs a client as another account: it needs root, as CI has').toBe(0);
    expect(accountName(nobody.uid)).toBe('nobody');
    const raw = runnableConfig(join(t.dir, 'conf'));
    raw.admin = { socket: join(t.dir, 'run', 'admin.sock'), group: 'nogroup' };
    chmodSync(t.dir, 0o711); // the private temp dir: let the asker pass through to the socket's own directory
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l !== '') logLines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
    daemon = await startDaemon(parseConfig(raw, join(t.dir, 'conf')), { logger: pino({ level: 'info' }, sink), clock: systemClock });
    socket = daemon.config.admin.socket;
    expect(dirname(socket)).toBe(join(t.dir, 'run'));
  });
  afterAll(async () => {
    await daemon?.stop('test over');
    t.cleanup();
  });

  it('a request claiming to be root, over SSH, with another name, is recorded with the asker\'s real uid', async () => {
    const { answer, pid } = await askAs(nobody, {
      v: 1, cmd: 'disable', args: { id: 1 },
      // Everything a client could say about itself, including a `peer` of its own, which must be ignored.
      who: { account: 'root', name: 'Someone Else', key: 'SHA256:forged', via: 'ssh', peer: { uid: 0, gid: 0, pid: 1 } },
    });
    expect(answer).toMatchObject({ ok: true, result: { compartment: 1, state: 'disabled' } });
    const row = audit('compartment.disable').at(-1)!;
    expect(row.actor).toBe('technician:nobody (uid 65534; claimed root "Someone Else")');
    // The key it claimed is not recorded as the technician's: nothing vouches for it.
    expect(JSON.parse(row.detail!)).toEqual({ key: null });
    const line = logLines.findLast((l) => String(l.msg).startsWith('admin request') && l.cmd === 'disable')!;
    expect(line).toMatchObject({ peer: { uid: 65534, gid: 65534, pid }, account: 'nobody', mismatch: true, who: { account: 'root', name: 'Someone Else', via: 'ssh' } });
    expect(line.level).toBe(40); // warn
  });

  it('a request whose account is the asker\'s keeps its name, shown beside the kernel\'s account and uid', async () => {
    const { answer } = await askAs(nobody, { v: 1, cmd: 'enable', args: { id: 1 }, who: { account: 'nobody', name: 'Anna Serwis', via: 'local' } });
    expect(answer).toMatchObject({ ok: true, result: { compartment: 1, state: 'free' } });
    expect(audit('compartment.enable').at(-1)!.actor).toBe('technician:Anna Serwis (nobody, uid 65534)');
    const line = logLines.findLast((l) => l.msg === 'admin request' && l.cmd === 'enable')!;
    expect(line).toMatchObject({ peer: { uid: 65534, gid: 65534 }, account: 'nobody' });
    expect(line.mismatch).toBeUndefined();
  });

  it('a request that says nothing about itself is recorded as the account that connected', async () => {
    const { answer } = await askAs(nobody, { v: 1, cmd: 'ssh-refused', args: { command: 'bash', why: 'test' } });
    expect(answer).toMatchObject({ ok: true });
    expect(audit('technician.refused').at(-1)!.actor).toBe('technician:nobody (uid 65534)');
  });

  it('identify and technicianActor: the kernel\'s account wins, the claim is kept beside it', () => {
    const peer = { uid: 1001, gid: 1001, pid: 42 };
    const names = (uid: number): string | undefined => ({ 0: 'root', 998: 'urzedomat-tech', 1001: 'anna' } as Record<number, string>)[uid];
    expect(technicianActor(identify({ account: 'anna', via: 'local' }, peer, names))).toBe('technician:anna (uid 1001)');
    expect(technicianActor(identify({ account: 'urzedomat-tech', via: 'ssh', key: 'SHA256:abc', name: 'Jan Kowalski' }, { ...peer, uid: 998 }, names)))
      .toBe('technician:Jan Kowalski (urzedomat-tech, uid 998)');
    expect(technicianActor(identify({ account: 'urzedomat-tech', via: 'ssh', key: 'SHA256:abc' }, { ...peer, uid: 998 }, names)))
      .toBe('technician:SHA256:abc (urzedomat-tech, uid 998)');
    const forged = identify({ account: 'root', via: 'ssh', key: 'SHA256:abc', name: 'Jan\nKowalski' }, peer, names);
    expect(forged).toEqual({ account: 'anna', via: 'ssh', peer, claimed: { account: 'root', key: 'SHA256:abc', name: 'Jan\nKowalski' } });
    expect(technicianActor(forged)).toBe('technician:anna (uid 1001; claimed root "Jan?Kowalski")');
    expect(technicianActor(identify({ account: 'x', via: 'local' }, { ...peer, uid: 4242 }, names))).toBe('technician:#4242 (uid 4242; claimed x)');
    expect(technicianActor(identify(undefined, { ...peer, uid: 0 }, names))).toBe('technician:root (uid 0)');
    // In-process callers have no socket and no peer: the plain form, as before.
    expect(technicianActor({ account: 'root', via: 'local' })).toBe('technician:root');
  });

  it('a socket that is not connected has no peer: the daemon is told so, never given a guess', () => {
    expect(() => peerCredentials(new Socket())).toThrow(/no file descriptor/);
  });
});
